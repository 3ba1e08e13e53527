"""Rich text reaches readers through an allow-list, whatever path stored it."""

import pytest

from masthead.lib.sanitize import clean_html
from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, Contributor
from tests.theme.markup import parse

SCRIPT = "<script>alert(1)</script>"


class TestCleanHtml:
    def test_script_is_removed_with_its_content(self):
        assert clean_html(f"<p>Before{SCRIPT}after</p>") == "<p>Beforeafter</p>"

    @pytest.mark.parametrize(
        "href",
        ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x"],
    )
    def test_dangerous_link_targets_are_dropped(self, href):
        cleaned = clean_html(f'<p><a href="{href}">click</a></p>')
        assert "href" not in cleaned
        assert "click" in cleaned

    def test_event_handlers_and_styles_are_dropped(self):
        cleaned = clean_html(
            '<p onclick="x()" style="color:red">Hi <img src="a.png" onerror="x()" alt="A"></p>'
        )
        assert "onclick" not in cleaned and "onerror" not in cleaned and "style" not in cleaned
        assert 'alt="A"' in cleaned

    def test_frames_and_forms_are_removed(self):
        cleaned = clean_html(
            '<iframe src="https://evil.example"></iframe><form><input></form><p>ok</p>'
        )
        assert cleaned == "<p>ok</p>"

    def test_ordinary_rich_text_survives(self):
        html = '<p><b>Bold</b>, <i>italic</i> and <a href="https://example.org/x">a link</a>.</p>'
        cleaned = clean_html(html)
        assert "<b>Bold</b>" in cleaned and "<i>italic</i>" in cleaned
        assert '<a href="https://example.org/x" rel="noopener">a link</a>' in cleaned

    def test_relative_and_mail_links_survive(self):
        cleaned = clean_html(
            '<a href="/en/topics/mining/">t</a> <a href="mailto:desk@example.org">m</a>'
        )
        assert (
            'href="/en/topics/mining/"' in cleaned and 'href="mailto:desk@example.org"' in cleaned
        )


class TestUnsafeContentNeverReachesThePage:
    def test_script_in_a_contributor_bio(self, client, publication):
        # As an import or the shell would store it, bypassing the editor's own cleaning.
        Contributor.objects.filter(pk=publication.subject.pk).update(
            bio=f"<p>Teaches philosophy.{SCRIPT}</p>"
        )
        for url in [publication.flagship.url, "/en/contributors/tomas-arce/"]:
            body = client.get(url).content.decode()
            assert SCRIPT not in body
            assert "alert(1)" not in body
            assert "Teaches philosophy." in body

    def test_script_and_javascript_link_in_the_body(self, client, publication):
        article = services.create_article(
            section=publication.analysis,
            draft=services.ArticleDraft(
                title="A hostile paste",
                slug="hostile-paste",
                standfirst="Pasted from elsewhere.",
                bylines=[publication.writer],
                body=[
                    {"type": "paragraph", "value": f"<p>Safe words.{SCRIPT}</p>"},
                    {
                        "type": "paragraph",
                        "value": '<p><a href="javascript:alert(2)">Click me</a></p>',
                    },
                ],
            ),
        )
        response = client.get(article.url)
        body = response.content.decode()
        assert "Safe words." in body and "Click me" in body
        assert SCRIPT not in body and "alert(1)" not in body
        assert "javascript:" not in body.lower()
        prose = parse(body).find(class_="article__body")
        assert all("href" not in a.attrs for a in prose.find_all("a"))

    def test_script_in_an_interview_answer(self, client, publication):
        page = ArticlePage.objects.get(pk=publication.flagship.pk)
        page.body = [
            {
                "type": "exchange",
                "value": {
                    "pairs": [
                        {
                            "answer_speaker": None,
                            "answer_speaker_name": "<b>Someone</b>",
                            "answer": f'<p>An answer <img src="x" onerror="alert(3)">{SCRIPT}</p>',
                        }
                    ]
                },
            }
        ]
        page.save_revision().publish()
        body = client.get(page.url).content.decode()
        assert "An answer" in body
        assert SCRIPT not in body and "onerror" not in body
        assert "&lt;b&gt;Someone&lt;/b&gt;" in body

    def test_markup_in_plain_fields_is_escaped(self, client, publication):
        page = ArticlePage.objects.get(pk=publication.flagship.pk)
        page.standfirst = f"A standfirst {SCRIPT}"
        page.save_revision().publish()
        body = client.get(page.url).content.decode()
        assert SCRIPT not in body
        assert "A standfirst &lt;script&gt;alert(1)&lt;/script&gt;" in body
