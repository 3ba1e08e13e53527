"""JSON-LD, Open Graph and the meta description of a members-only article: no body text,
and the paywall declared the way Google documents it, pointing at the members' wrapper."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding import ledger
from masthead.funding.models import Plan
from tests.audience.accounts import signed_in
from tests.discovery.members_only import BODY_SENTENCE, SECRET, STANDFIRST, make_locked

_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
_HEAD = re.compile(r"<head>(.*?)</head>", re.S)


@pytest.fixture
def locked(publication):
    return make_locked(publication)


@pytest.fixture
def member_client(db):
    reader = Reader.objects.create(
        email="member@example.org", language="en", email_confirmed_at=timezone.now()
    )
    ledger.grant(reader=reader, plan=Plan.objects.create(slug="member"), until=None)
    return signed_in(reader)


def json_ld(page: str) -> dict:
    scripts = _JSON_LD.findall(page)
    assert len(scripts) == 1
    return json.loads(scripts[0])


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_json_ld_says_not_free_and_names_the_protected_part(locked):
    data = json_ld(page_of(Client(), locked.url))
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".article__body--members",
    }
    assert "articleBody" not in data
    assert data["description"] == STANDFIRST


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_head_carries_no_body_text_for_anyone(locked, member_client, who):
    client = member_client if who == "member" else Client()
    page = page_of(client, locked.url)
    head = _HEAD.search(page).group(1)
    assert SECRET not in head and BODY_SENTENCE not in head
    assert f'<meta name="description" content="{STANDFIRST}">' in head
    assert f'<meta property="og:description" content="{STANDFIRST}">' in head
    assert f'<meta name="twitter:description" content="{STANDFIRST}">' in head


class _ByClass(HTMLParser):
    """The text inside each element that has ``css_class`` (what a class selector picks)."""

    VOID = {"img", "br", "hr", "meta", "link", "input", "source", "wbr"}

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.found: list[list[str]] = []
        self._open: list[int] = []  # depth of each matching element still open
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.VOID:
            return
        self._depth += 1
        if self.css_class in (dict(attrs).get("class") or "").split():
            self._open.append(self._depth)
            self.found.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self._open and self._open[-1] == self._depth:
            self._open.pop()
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._open:
            self.found[-1].append(data)


def elements_with_class(page: str, css_class: str) -> list[str]:
    parser = _ByClass(css_class)
    parser.feed(page)
    return [" ".join(parts) for parts in parser.found]


def test_the_selector_picks_the_members_body_and_nothing_on_the_teaser(locked, member_client):
    selector = json_ld(page_of(Client(), locked.url))["hasPart"]["cssSelector"]
    assert re.fullmatch(r"\.[\w-]+", selector)  # one class, as Google's examples use
    picked = elements_with_class(page_of(member_client, locked.url), selector[1:])
    assert len(picked) == 1
    assert SECRET in picked[0] and BODY_SENTENCE in picked[0]
    assert STANDFIRST not in picked[0]  # the free part stays outside it
    assert elements_with_class(page_of(Client(), locked.url), selector[1:]) == []


def test_a_free_article_declares_no_paywall(publication):
    data = json_ld(page_of(Client(), publication.flagship.url))
    assert "isAccessibleForFree" not in data and "hasPart" not in data
