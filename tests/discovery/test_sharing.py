"""Share links on articles: plain links with the address and headline correctly encoded, no
third-party script, accessible names, and a Mastodon page that asks for the reader's server
without becoming an open redirect."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.test import Client

from masthead.discovery import sharing
from tests.discovery.factories import make_article

TRICKY = 'Salt & silver: "the mines" <1920–2020> 🌊 #1?'  # noqa: RUF001 (a real dash)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.scripts: list[str] = []
        self.inputs: list[dict] = []
        self.buttons: list[dict] = []
        self._in_share = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") != "application/ld+json":  # data, not code
            self.scripts.append(attrs.get("src") or "inline")
        if tag == "a" and "share__link" in (attrs.get("class") or ""):
            self.links.append(attrs)
        if tag == "input" and attrs.get("id") == "share-url":
            self.inputs.append(attrs)
        if tag == "button" and "data-copy-target" in attrs:
            self.buttons.append(attrs)


@pytest.fixture
def tricky(publication):
    return make_article(
        publication.interviews, slug="tricky", title=TRICKY, bylines=[publication.writer]
    )


def parsed_page(client: Client, url: str) -> _Collector:
    response = client.get(url)
    assert response.status_code == 200
    collector = _Collector()
    collector.feed(response.content.decode())
    return collector


def by_network(collector: _Collector) -> dict[str, dict]:
    return {
        next(c for c in a["class"].split() if c.startswith("share__link--")).split("--")[1]: a
        for a in collector.links
    }


class TestArticleShareLinks:
    def test_every_network_gets_the_address_and_headline_encoded(self, client, tricky):
        page = parsed_page(client, tricky.url)
        links = by_network(page)
        assert list(links) == ["whatsapp", "telegram", "mastodon", "bluesky", "email"]
        url = tricky.full_url
        whatsapp = urlsplit(links["whatsapp"]["href"])
        assert (whatsapp.scheme, whatsapp.netloc) == ("https", "wa.me")
        assert parse_qs(whatsapp.query) == {"text": [f"{TRICKY} {url}"]}
        telegram = urlsplit(links["telegram"]["href"])
        assert telegram.netloc + telegram.path == "t.me/share/url"
        assert parse_qs(telegram.query) == {"url": [url], "text": [TRICKY]}
        bluesky = urlsplit(links["bluesky"]["href"])
        assert bluesky.netloc + bluesky.path == "bsky.app/intent/compose"
        assert parse_qs(bluesky.query) == {"text": [f"{TRICKY} {url}"]}
        mastodon = urlsplit(links["mastodon"]["href"])
        assert mastodon.path == "/en/share/mastodon/"
        assert parse_qs(mastodon.query) == {"url": [url], "title": [TRICKY]}
        # mailto: %20 for spaces (a "+" would show as a plus in the mail client).
        mail = links["email"]["href"]
        assert mail.startswith("mailto:?subject=")
        assert "+" not in mail and "&body=" in mail
        subject, body = mail.removeprefix("mailto:?subject=").split("&body=")
        assert (unquote(subject), unquote(body)) == (TRICKY, url)

    def test_the_headline_cannot_break_out_of_the_attribute(self, client, tricky):
        html = client.get(tricky.url).content.decode()
        assert "<1920" not in html.split('class="share"')[1].split("</section>")[0]

    def test_links_have_accessible_names_and_no_third_party_script(self, client, tricky):
        page = parsed_page(client, tricky.url)
        labels = {network: a["aria-label"] for network, a in by_network(page).items()}
        assert labels["whatsapp"] == "Share on WhatsApp"
        assert labels["email"] == "Share by email"
        assert all(src.startswith("/static/") for src in page.scripts), page.scripts

    def test_copy_link_works_without_javascript(self, client, tricky):
        page = parsed_page(client, tricky.url)
        [field] = page.inputs
        assert field["value"] == tricky.full_url
        assert "readonly" in field
        [button] = page.buttons
        assert "hidden" in button  # shown by theme/share.js only where it can copy

    def test_spanish_labels(self, client, publication):
        page = parsed_page(client, publication.flagship_es.url)
        labels = {network: a["aria-label"] for network, a in by_network(page).items()}
        assert labels["telegram"] == "Compartir en Telegram"
        assert labels["email"] == "Compartir por correo"

    def test_a_members_only_article_shares_its_link(self, client, publication):
        article = make_article(
            publication.interviews, slug="locked", members_only=True, bylines=[publication.writer]
        )
        assert len(parsed_page(client, article.url).links) == 5


class TestMastodonPage:
    def share_url(self, article) -> str:
        return sharing.share_links(url=article.full_url, title=article.title)[2].href

    def test_the_reader_names_a_server_and_is_sent_to_its_share_page(self, tricky):
        client = Client(enforce_csrf_checks=True)
        response = client.get(self.share_url(tricky))
        assert response.status_code == 200
        token = response.cookies["csrftoken"].value
        response = client.post(
            "/en/share/mastodon/",
            {
                "url": tricky.full_url,
                "title": TRICKY,
                "server": " https://Mastodon.Social/ ",
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert (target.scheme, target.netloc, target.path) == (
            "https",
            "mastodon.social",
            "/share",
        )
        assert parse_qs(target.query) == {"text": [f"{TRICKY} {tricky.full_url}"]}

    def test_a_handle_gives_its_server(self):
        assert sharing.mastodon_server("@ana@hachyderm.io") == "hachyderm.io"

    @pytest.mark.parametrize(
        "server",
        ["", "javascript:alert(1)", "evil.example/path", "127.0.0.1", "a b.org", "x" * 300],
    )
    def test_a_bad_server_is_a_form_error(self, client, tricky, server):
        response = client.post(
            "/en/share/mastodon/",
            {"url": tricky.full_url, "title": "t", "server": server},
        )
        assert response.status_code == 400
        assert "Enter the address of a Mastodon server" in response.content.decode()

    def test_a_link_cannot_redirect_anyone(self, tricky):
        # A GET with a server in it only shows the form; the redirect needs the CSRF token.
        client = Client(enforce_csrf_checks=True)
        response = client.get(self.share_url(tricky) + "&server=evil.example")
        assert response.status_code == 200
        response = client.post(
            "/en/share/mastodon/",
            {"url": tricky.full_url, "title": "t", "server": "evil.example"},
        )
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "url", ["https://evil.example/x", "javascript:alert(1)", "", "//evil.example/"]
    )
    def test_only_our_own_articles_can_be_shared(self, client, publication, url):
        response = client.get("/en/share/mastodon/", {"url": url, "title": "t"})
        assert response.status_code == 400
        assert "mastodon.social" not in response.content.decode()
