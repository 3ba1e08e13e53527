"""What a reader does on the demo publication, in Chromium, on a desktop and on a phone.

Every test here also fails when the browser reports a console error, a CSP violation or an
HTTP error on the way (the ``page`` fixture).
"""

from __future__ import annotations

import re

import feedparser
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORTS, ConsoleLog
from tests.e2e.pages import (
    BOARD,
    FLAGSHIP,
    FLAGSHIP_ES,
    HEADLINE,
    HEADLINE_ES,
    SEARCH_WORD,
    SECTION,
)

pytestmark = pytest.mark.e2e


def _url(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path) + "$")


def _open_flagship(page: Page) -> None:
    page.goto("/en/")
    page.get_by_role("link", name=HEADLINE).first.click()
    expect(page).to_have_url(_url(FLAGSHIP))


def test_home_leads_to_the_flagship_interview(page: Page) -> None:
    page.goto("/en/")
    expect(page).to_have_title(re.compile("The Long Table"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name=HEADLINE).first.click()

    expect(page).to_have_url(_url(FLAGSHIP))
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(page.locator(".article__hero img")).to_be_visible()


def test_section_menu_leads_to_the_section_and_its_interview(page: Page) -> None:
    page.goto("/en/")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Interviews").click()

    expect(page).to_have_url(_url(SECTION))
    expect(page.get_by_role("heading", level=1)).to_have_text("Interviews")
    page.get_by_role("main").get_by_role("link", name=HEADLINE).first.click()
    expect(page).to_have_url(_url(FLAGSHIP))


def test_byline_leads_to_the_board_page_which_lists_the_interview(page: Page) -> None:
    _open_flagship(page)

    page.locator(".article__byline").get_by_role("link", name=BOARD).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(BOARD)
    expect(page.get_by_role("main").get_by_role("link", name=HEADLINE)).to_be_visible()


def test_search_for_a_word_from_the_body_finds_the_interview(page: Page) -> None:
    page.goto("/en/")

    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill(SEARCH_WORD)
    box.press("Enter")

    expect(page).to_have_url(re.compile(rf"/en/search/\?q={SEARCH_WORD}$"))
    result = page.get_by_role("main").get_by_role("link", name=HEADLINE)
    result.click()
    expect(page).to_have_url(_url(FLAGSHIP))


def test_language_switch_goes_to_the_spanish_translation_and_back(page: Page, site: str) -> None:
    _open_flagship(page)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator('link[rel="alternate"][hreflang="es"]')).to_have_attribute(
        "href", site + FLAGSHIP_ES
    )

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()

    expect(page).to_have_url(_url(FLAGSHIP_ES))
    expect(html).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE_ES)
    expect(page.locator('link[rel="alternate"][hreflang="en"]')).to_have_attribute(
        "href", site + FLAGSHIP
    )

    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()

    expect(page).to_have_url(_url(FLAGSHIP))
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)


FEED_LINKS = [
    ("/en/", "RSS feed", "rss20"),
    ("/en/", "Atom feed", "atom10"),
    (SECTION, "RSS feed for this section", "rss20"),
]


def test_feed_links_serve_feeds_with_items(page: Page, site: str) -> None:
    for start, link_name, version in FEED_LINKS:
        page.goto(start)
        link = page.get_by_role("link", name=link_name, exact=True)
        expect(link).to_be_visible()

        # Chromium downloads a feed rather than showing it: fetch what the link points at.
        response = page.request.get(link.get_attribute("href"))

        assert response.ok, link_name
        assert "xml" in response.headers["content-type"], link_name
        feed = feedparser.parse(response.body())
        assert not feed.bozo, f"{link_name}: {feed.get('bozo_exception')}"
        assert feed.version == version, link_name
        assert feed.entries, link_name
        assert all(entry.link.startswith(site + "/en/") for entry in feed.entries), link_name


def test_chromium_is_sent_the_flagship_in_brotli(page: Page) -> None:
    # Issue 14 §2 as a reader's browser meets it: `masthead serve` compresses the page the
    # page cache keeps, and Chromium shows it (the page fixture fails on any error).
    page.goto(FLAGSHIP)
    response = page.goto(FLAGSHIP)  # the second reader: from the page cache's kept copy
    assert response.headers["content-encoding"] == "br"
    assert "x-cache" in response.headers
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)


def test_article_renders_fully_without_javascript(
    browser: Browser, site: str, page: Page, console: ConsoleLog, viewport: str
) -> None:
    page.goto(FLAGSHIP)
    with_script = page.get_by_role("main").inner_text()
    context = browser.new_context(base_url=site, java_script_enabled=False, **VIEWPORTS[viewport])
    try:
        bare = context.new_page()
        console.watch(bare)
        bare.goto(FLAGSHIP)
        expect(bare.get_by_role("heading", level=1)).to_have_text(HEADLINE)
        assert bare.get_by_role("main").inner_text() == with_script
        assert bare.locator(".turn").count() > 10
        hero = bare.locator(".article__hero img")
        expect(hero).to_be_visible()
        assert hero.evaluate("img => img.complete && img.naturalWidth > 0")
    finally:
        context.close()


def test_skip_link_moves_keyboard_focus_to_the_main_content(page: Page) -> None:
    page.goto(FLAGSHIP)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page).to_have_url(_url(FLAGSHIP + "#main"))
    expect(page.locator("#main")).to_be_focused()


READER_PAGES = [
    "/en/",
    "/es/",
    FLAGSHIP,
    FLAGSHIP_ES,
    SECTION,
    "/en/contributors/editorial-board/",
    "/en/contributors/julian-ccori/",
    f"/en/search/?q={SEARCH_WORD}",
    "/en/search/",
    "/en/newsletter/",
    "/es/newsletter/",
    "/en/account/sign-in/",
    "/es/account/sign-in/",
]


def test_reader_pages_load_without_console_errors_or_csp_violations(page: Page) -> None:
    for path in READER_PAGES:
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path


def test_an_injected_inline_script_is_refused_and_reported(
    page: Page, console: ConsoleLog
) -> None:
    """The policy holds in a real browser, and a violation reaches the console watch."""
    page.goto(FLAGSHIP)

    page.evaluate(
        """() => document.head.append(Object.assign(
            document.createElement('script'), {textContent: 'window.injected = true'}))"""
    )

    assert page.evaluate("window.injected") is None
    assert any("Content Security Policy" in problem for problem in console.problems)
    console.problems.clear()
