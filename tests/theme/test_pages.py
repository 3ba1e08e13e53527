"""What readers see around the text: the seed page's elements, languages, landmarks, errors."""

import itertools

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error
from wagtail.models import Site

from masthead.newsroom import services
from tests.theme.markup import Element, parse, plain_text

BOARD_EN = "By The Gazette Board: Ada Quispe, Bruno Valle, Clara Ito, Dario Mena and Irene Sol"
BOARD_ES = "Por La Junta de la Gaceta: Ada Quispe, Bruno Valle, Clara Ito, Dario Mena e Irene Sol"


def get_doc(client, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return parse(response.content)


def section(doc: Element, css_class: str) -> Element:
    return doc.find(class_=css_class)


class TestArticlePageShowsTheSeedElements:
    def test_headline_standfirst_byline_and_body(self, client, publication):
        doc = get_doc(client, publication.flagship.url)
        article = doc.find("article", class_="article")
        assert article.find("h1").text == "Salt and Silver: A Conversation"
        assert section(article, "article__standfirst").text == publication.flagship.standfirst
        assert section(article, "article__byline").text == BOARD_EN
        body = section(article, "article__body").text
        assert "An introduction about quarries" in body
        assert "Slowly, and then all at once." in body

    def test_byline_text_in_the_whole_page(self, client, publication):
        assert BOARD_EN in plain_text(client.get(publication.flagship.url).content)

    def test_spanish_byline_uses_e_before_irene(self, client, publication):
        doc = get_doc(client, publication.flagship_es.url)
        assert section(doc, "article__byline").text == BOARD_ES
        assert BOARD_ES in plain_text(client.get(publication.flagship_es.url).content)

    def test_interview_turns_are_marked_question_and_answer(self, client, publication):
        doc = get_doc(client, publication.flagship.url)
        question = doc.find(class_="turn--question")
        answer = doc.find(class_="turn--answer")
        assert question.find(class_="turn__speaker").text == "Question from The Gazette Board"
        assert answer.find(class_="turn__speaker").text == "Answer from Tomas Arce"
        assert question.find(class_="visually-hidden").text == "Question from"

    def test_a_speaker_continuing_is_named_once_on_screen(self, client, publication):
        page = publication.flagship
        board, subject = publication.board.pk, publication.subject.pk
        # The answer runs on in a pair of its own, without a question.
        page.body = [
            {
                "type": "exchange",
                "value": {
                    "pairs": [
                        {
                            "question_speaker": board,
                            "question": "<p>Q?</p>",
                            "answer_speaker": subject,
                            "answer": "<p>First part.</p>",
                        },
                        {"answer_speaker": subject, "answer": "<p>Second part.</p>"},
                        {"question_speaker": board, "question": "<p>Q2?</p>"},
                    ]
                },
            }
        ]
        page.save_revision().publish()
        turns = get_doc(client, page.url).find_all(class_="turn")
        continued = ["turn--continued" in t.attrs["class"].split() for t in turns]
        assert continued == [False, False, True, False]
        # Still named for screen readers, which do not see the layout.
        assert turns[2].find(class_="turn__speaker").text == "Answer from Tomas Arce"

    def test_interviewee_bio_box(self, client, publication):
        doc = get_doc(client, publication.flagship.url)
        box = doc.find("aside", class_="bio-box")
        assert box.find("h2").text == "Tomas Arce"
        assert "Philosophy teacher" in box.text
        assert "teaches philosophy in a coastal city" in box.text

    def test_support_appeal_with_patron_link(self, client, publication):
        box = get_doc(client, publication.flagship.url).find(class_="box--support")
        assert "Readers fund us." in box.text
        patron = box.find("a", href="https://patrons.example.org/gazette")
        assert patron.text == "Become a patron"

    def test_newsletter_box(self, client, publication):
        box = get_doc(client, publication.flagship.url).find(class_="box--newsletter")
        assert box.find("h2").text == "Join our newsletter"
        assert box.find("a", class_="button").attrs["href"] == "/en/feeds/rss/"

    def test_whatsapp_and_telegram_box(self, client, publication):
        box = get_doc(client, publication.flagship.url).find(class_="box--channels")
        assert box.find("h2").text == "Join our WhatsApp and Telegram channels"
        assert box.find("a", href="https://whatsapp.com/channel/example").text == "WhatsApp"
        assert box.find("a", href="https://t.me/example_gazette").text == "Telegram"

    def test_related_posts(self, client, publication):
        related = get_doc(client, publication.flagship.url).find("section", class_="related")
        assert related.find("h2").text == "Related posts"
        titles = [card.find(class_="card__title").text for card in related.find_all(class_="card")]
        assert "Dispatch number 0" in titles
        assert publication.flagship.title not in titles

    def test_latest_news(self, client, publication):
        aside = get_doc(client, publication.flagship.url).find("aside", class_="layout__aside")
        assert aside.find("h2").text == "Latest news"
        links = [a.text for a in aside.find_all("a")]
        assert links[0] == "Dispatch number 0"
        assert publication.flagship.title not in links

    def test_no_subscription_or_campaign_box_without_their_texts(self, client, publication):
        doc = get_doc(client, publication.flagship.url)
        assert not doc.find_all(class_="box--subscription")
        assert not doc.find_all(class_="box--campaign")

    def test_subscription_and_campaign_boxes_when_set(self, client, publication):
        services.configure_publication(
            site=Site.objects.get(is_default_site=True),
            subscription_url="https://example.org/subscribe",
            campaign_url="https://example.org/campaign",
            texts={
                "en": {
                    "subscription_text": "A year of reading for the price of a book.",
                    "campaign_text": "This year we need 40,000 readers to chip in.",
                }
            },
        )
        doc = get_doc(client, publication.flagship.url)
        subscription = doc.find(class_="box--subscription")
        assert subscription.find("h2").text == "Annual subscription"
        assert "price of a book" in subscription.text
        assert subscription.find("a", href="https://example.org/subscribe")
        campaign = doc.find(class_="box--campaign")
        assert campaign.find("h2").text == "Annual fund-raising campaign"
        assert "40,000 readers" in campaign.text
        assert campaign.find("a", href="https://example.org/campaign")

    def test_seed_order_body_bio_support_related(self, client, publication):
        body = client.get(publication.flagship.url).content.decode()
        order = ["article__body", "bio-box", "box--support", "box--newsletter", "box--channels"]
        order += ['class="related"', "layout__aside"]
        positions = [body.index(marker) for marker in order]
        assert positions == sorted(positions)


class TestLanguages:
    def test_english_page_links_to_its_spanish_translation(self, client, publication):
        doc = get_doc(client, publication.flagship.url)
        switcher = doc.find("nav", class_="lang")
        spanish = switcher.find("a", hreflang="es")
        assert spanish.attrs["href"] == publication.flagship_es.url
        assert spanish.attrs["lang"] == "es"
        current = switcher.find("a", aria_current="true")
        assert current.attrs["lang"] == "en"

    def test_spanish_page_links_to_its_english_original(self, client, publication):
        switcher = get_doc(client, publication.flagship_es.url).find("nav", class_="lang")
        assert switcher.find("a", hreflang="en").attrs["href"] == publication.flagship.url
        assert switcher.find("a", aria_current="true").attrs["lang"] == "es"

    @pytest.mark.parametrize("name", ["flagship", "flagship_es", "home", "home_es"])
    def test_head_lists_hreflang_alternates(self, client, publication, name):
        page = getattr(publication, name)
        head = get_doc(client, page.url).find("head")
        alternates = {
            link.attrs["hreflang"]: link.attrs["href"]
            for link in head.find_all("link", rel="alternate")
            if "hreflang" in link.attrs
        }
        pair = {"flagship": "flagship_es", "flagship_es": "flagship", "home": "home_es"}
        pair["home_es"] = "home"
        other = getattr(publication, pair[name])
        english = page if page.locale.language_code == "en" else other
        assert alternates == {
            page.locale.language_code: page.full_url,
            other.locale.language_code: other.full_url,
            "x-default": english.full_url,  # for readers of any other language
        }

    @pytest.mark.parametrize(("language", "other"), [("en", "es"), ("es", "en")])
    def test_newsletters_page_is_canonical_and_names_its_other_language(
        self, client, publication, language, other
    ):
        root = Site.objects.get(is_default_site=True).root_url
        head = get_doc(client, f"/{language}/newsletter/").find("head")
        canonical = [link.attrs["href"] for link in head.find_all("link", rel="canonical")]
        assert canonical == [f"{root}/{language}/newsletter/"]
        alternates = {
            link.attrs["hreflang"]: link.attrs["href"]
            for link in head.find_all("link", rel="alternate")
            if "hreflang" in link.attrs
        }
        assert alternates == {
            language: f"{root}/{language}/newsletter/",
            other: f"{root}/{other}/newsletter/",
            "x-default": f"{root}/en/newsletter/",
        }

    @pytest.mark.parametrize(
        ("start", "lands"),
        [
            ("home", "home_es"),
            ("home_es", "home"),
            ("interviews", "interviews_es"),
            ("flagship", "flagship_es"),
            ("flagship_es", "flagship"),
            ("analysis", "/es/"),  # no Spanish translation: that language's home
            # Topics are shared tags: "mining" has no Spanish article, "minería" no English one.
            ("/en/topics/mining/", "/es/"),
            ("/es/topics/minería/", "/en/"),
            ("/en/contributors/board/", "/es/contributors/board/"),
            ("/en/contributors/nora-field/", "/es/"),  # no Spanish page
            ("/es/contributors/tomas-arce/", "/en/contributors/tomas-arce/"),
            ("/en/search/?q=salt", "/es/search/?q=salt"),
            ("/en/newsletter/", "/es/newsletter/"),
            ("/es/campaign/", "/en/campaign/"),
        ],
    )
    def test_the_switcher_lands_on_the_same_page_in_the_other_language(
        self, client, publication, start, lands
    ):
        url = start if start.startswith("/") else getattr(publication, start).url
        expected = lands if lands.startswith("/") else getattr(publication, lands).url
        response = client.get(url)
        assert response.status_code == 200, url
        doc = parse(response.content)
        current = doc.find("html").attrs["lang"]
        other = "es" if current == "en" else "en"
        link = doc.find("nav", class_="lang").find("a", hreflang=other)
        assert link.attrs["href"] == expected
        assert client.get(expected).status_code == 200  # and the page it lands on exists

    @pytest.mark.parametrize(
        ("name", "line", "link_text", "target"),
        [
            ("flagship", "Also available in Español", "Español", "flagship_es"),
            ("flagship_es", "También disponible en English", "English", "flagship"),
        ],
    )
    def test_a_translated_article_names_its_other_language(
        self, client, publication, name, line, link_text, target
    ):
        doc = get_doc(client, getattr(publication, name).url)
        note = doc.find("p", class_="article__translations")
        assert note.text == line
        link = note.find("a")
        assert link.text == link_text
        assert link.attrs["href"] == getattr(publication, target).url

    def test_dates_are_written_the_way_each_language_writes_them(self, client, publication):
        import re

        english = get_doc(client, publication.flagship.url).find("p", class_="article__meta")
        spanish = get_doc(client, publication.flagship_es.url).find("p", class_="article__meta")
        assert re.fullmatch(r"[A-Z][a-z]+\.? \d{1,2}, \d{4}", english.find("time").text)
        assert re.search(r"\b\d{1,2} de [a-z]+ de \d{4}\b", spanish.find("time").text)

    def test_an_untranslated_article_has_no_such_line(self, client, publication):
        doc = get_doc(client, publication.others[0].url)
        assert doc.find_all("p", class_="article__translations") == []

    @pytest.mark.parametrize(
        ("language", "own", "foreign"),
        [
            ("en", "Salt and Silver: A Conversation", "Sal y plata: una conversación"),
            ("es", "Sal y plata: una conversación", "Salt and Silver: A Conversation"),
        ],
    )
    def test_each_languages_feeds_carry_only_that_language(
        self, client, publication, language, own, foreign
    ):
        from xml.etree import ElementTree

        atom = "{http://www.w3.org/2005/Atom}"
        for feed, entry in (("rss", "channel/item"), ("atom", f"{atom}entry")):
            feed_xml = client.get(f"/{language}/feeds/{feed}/").content
            root = ElementTree.fromstring(feed_xml)  # noqa: S314 (our own response)
            title = "title" if feed == "rss" else f"{atom}title"
            titles = [item.findtext(title) for item in root.findall(entry)]
            assert own in titles, feed
            assert foreign not in titles, feed
            if language == "es":
                assert titles == [own]  # the one Spanish article, none of the English ones

    def test_untranslated_section_switches_to_the_other_home_page(self, client, publication):
        switcher = get_doc(client, publication.analysis.url).find("nav", class_="lang")
        assert switcher.find("a", hreflang="es").attrs["href"] == "/es/"

    def test_html_lang_follows_the_page(self, client, publication):
        assert get_doc(client, "/en/").find("html").attrs["lang"] == "en"
        assert get_doc(client, "/es/").find("html").attrs["lang"] == "es"

    def test_spanish_interface_on_spanish_pages(self, client, publication):
        home = plain_text(client.get("/es/").content)
        for phrase in ["Últimas noticias", "Saltar al contenido", "Apóyanos", "Hazte mecenas"]:
            assert phrase in home
        assert "Latest news" not in home
        article = plain_text(client.get(publication.flagship_es.url).content)
        for phrase in [
            "1 minuto de lectura",
            "Sobre la persona entrevistada",
            "Suscríbete a nuestro boletín",
            "Únete a nuestros canales de WhatsApp y Telegram",
            "Nos financian los lectores.",
        ]:
            assert phrase in article

    def test_english_interface_on_english_pages(self, client, publication):
        text = plain_text(client.get(publication.flagship.url).content)
        assert "1 minute read" in text and "Support us" in text
        assert "Últimas noticias" not in text

    def test_current_section_is_marked(self, client, publication):
        sections = get_doc(client, publication.flagship.url).find("nav", class_="sections")
        marked = [a.text for a in sections.find_all("a") if "aria-current" in a.attrs]
        assert marked == ["Interviews"]
        on_section = get_doc(client, publication.interviews.url).find("nav", class_="sections")
        assert on_section.find("a", aria_current="page").text == "Interviews"


READER_PAGES = [
    "/en/",
    "/es/",
    "/en/interviews/",
    "/en/interviews/salt-and-silver/",
    "/es/interviews/sal-y-plata/",
    "/en/contributors/board/",
    "/en/topics/history/",
    "/en/search/?q=mines",
]


class TestSearchEngines:
    @pytest.mark.parametrize(
        "url",
        [
            *READER_PAGES,
            "/en/newsletter/",
            "/es/newsletter/",
            "/en/newsletter/check-your-email/",
            "/en/account/sign-in/",
        ],
    )
    def test_every_reader_page_has_one_canonical_link_or_is_noindex(
        self, client, publication, url
    ):
        head = get_doc(client, url).find("head")
        canonical = head.find_all("link", rel="canonical")
        noindex = [
            m for m in head.find_all("meta", name="robots") if "noindex" in m.attrs["content"]
        ]
        assert (len(canonical), len(noindex)) in {(1, 0), (0, 1)}


class TestAccessibleMarkup:
    @pytest.mark.parametrize("url", READER_PAGES)
    def test_landmarks(self, client, publication, url):
        doc = get_doc(client, url)
        body = doc.find("body")
        assert [child.tag for child in body.children if isinstance(child, Element)][:2] == [
            "a",
            "header",
        ], "the skip link comes first, then the banner"
        assert len(doc.find_all("main")) == 1
        assert doc.find("main").attrs["id"] == "main"
        assert doc.find("a", class_="skip-link").attrs["href"] == "#main"
        assert doc.find_all("header", class_="site-header")
        assert doc.find_all("footer", class_="site-footer")
        assert len(doc.find_all("nav")) >= 2
        for nav in doc.find_all("nav"):
            assert nav.attrs.get("aria-label"), "every navigation landmark is named"
        assert doc.find("form", role="search")

    @pytest.mark.parametrize("url", READER_PAGES)
    def test_one_h1_and_no_skipped_heading_levels(self, client, publication, url):
        doc = get_doc(client, url)
        headings = [int(e.tag[1]) for e in doc.iter() if e.tag in {"h1", "h2", "h3", "h4"}]
        assert headings.count(1) == 1
        assert headings[0] == 1
        for before, after in itertools.pairwise(headings):
            assert after <= before + 1, headings

    @pytest.mark.parametrize("url", READER_PAGES)
    def test_every_image_has_alt_and_every_field_a_label(self, client, publication, url):
        doc = get_doc(client, url)
        assert all("alt" in img.attrs for img in doc.find_all("img"))
        labels = {label.attrs.get("for") for label in doc.find_all("label")}
        for field in doc.find_all("input"):
            assert field.attrs["id"] in labels or field.attrs.get("aria-label")

    def test_sidebar_is_a_complementary_landmark(self, client, publication):
        assert get_doc(client, publication.flagship.url).find("aside", class_="layout__aside")
        assert get_doc(client, "/en/interviews/").find("aside", class_="layout__aside")

    def test_stylesheets_are_local_and_print_has_its_own(self, client, publication):
        head = get_doc(client, publication.flagship.url).find("head")
        sheets = {
            link.attrs["href"]: link.attrs.get("media")
            for link in head.find_all("link", rel="stylesheet")
        }
        assert sheets == {"/static/theme/masthead.css": None, "/static/theme/print.css": "print"}
        assert finders.find("theme/masthead.css") and finders.find("theme/print.css")

    @pytest.mark.parametrize("url", READER_PAGES)
    def test_no_inline_or_outside_javascript_and_nothing_from_other_hosts(
        self, client, publication, url
    ):
        doc = get_doc(client, url)
        # Structured data (JSON-LD), and our own files as progressive enhancement (the share
        # box's copy-link, issue 11), are the only script elements a reader page may carry.
        for script in doc.find_all("script"):
            if script.attrs.get("type") == "application/ld+json":
                continue
            assert script.attrs.get("src", "").startswith("/static/theme/"), script
            assert not script.text.strip()
        assert not any(name.startswith("on") for e in doc.iter() for name in e.attrs)
        # The CSP allows styles from 'self' only: no <style> and no style="" attributes.
        assert not doc.find_all("style")
        assert not any("style" in e.attrs for e in doc.iter())
        for element in doc.find_all("link") + doc.find_all("img"):
            source = element.attrs.get("src", "") if element.tag == "img" else ""
            if element.tag == "link" and element.attrs.get("rel") == "stylesheet":
                source = element.attrs["href"]
            assert not source.startswith(("http:", "https:", "//"))


class TestErrorPages:
    @pytest.mark.parametrize(
        ("language", "title", "home"),
        [
            ("en", "Page not found", "Go to the front page"),
            ("es", "Página no encontrada", "Ir a la portada"),
        ],
    )
    def test_unknown_url_is_a_translated_404(self, client, publication, language, title, home):
        response = client.get(f"/{language}/no-such-page/")
        assert response.status_code == 404
        doc = parse(response.content)
        assert doc.find("html").attrs["lang"] == language
        assert doc.find("h1").text == title
        main = doc.find("main")
        assert main.find("a", href=f"/{language}/").text == home
        assert main.find("form", role="search")

    def test_500_renders_without_database_or_request_context(self):
        # No db fixture: any query here would raise "Database access not allowed".
        request = RequestFactory().get("/en/")
        with translation.override("es"):
            response = server_error(request)
        assert response.status_code == 500
        doc = parse(response.content)
        assert doc.find("html").attrs["lang"] == "es"
        assert doc.find("h1").text == "Algo ha fallado por nuestra parte"
        assert doc.find("link", rel="stylesheet").attrs["href"] == "/static/theme/masthead.css"

    def test_500_template_needs_no_context_at_all(self):
        with translation.override("en"):
            html = render_to_string("500.html")
        assert "Something went wrong on our side" in html


class TestPublicationNamePerLanguage:
    """The name can differ per language (PublicationText.name); empty, the settings' name."""

    @pytest.fixture
    def spanish_name(self, publication):
        site = Site.objects.get(is_default_site=True)
        services.configure_publication(site=site, texts={"es": {"name": "La Gaceta de Prueba"}})

    def test_each_language_shows_its_own_name(self, client, publication, spanish_name):
        es = get_doc(client, "/es/")
        assert es.find("title").text == "La Gaceta de Prueba"
        assert es.find(class_="brand__name").text == "La Gaceta de Prueba"
        assert "La Gaceta de Prueba" in es.find(class_="site-footer__name").text
        # English has no name of its own: the one in the publication settings.
        en = get_doc(client, "/en/")
        assert en.find("title").text == "The Test Gazette"
        assert en.find(class_="brand__name").text == "The Test Gazette"

    def test_the_spanish_feed_carries_the_spanish_name(self, client, publication, spanish_name):
        import feedparser

        feed = feedparser.parse(client.get("/es/feeds/rss/").content)
        assert feed.feed.title == "La Gaceta de Prueba"
        assert feedparser.parse(client.get("/en/feeds/rss/").content).feed.title == (
            "The Test Gazette"
        )
