"""axe-core on the editors' working pages (issue 13 §7): the article editor (the demo's
flagship interview, and a new article) and the newsletter edition's pages (a new edition,
its page, its form), on a desktop and a phone. Serious and critical violations fail, as on
the reader pages (test_accessibility.py); the dashboard has its own (test_dashboard.py).

axe goes in through Playwright's evaluate, which the admin's Content-Security-Policy does
not govern, so these pages run under their real policy and the ``page`` fixture also
fails a test on any console error, uncaught page error or HTTP error met on the way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_as_admin
from tests.e2e.pages import HEADLINE
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe

pytestmark = pytest.mark.e2e

_ANIMATIONS_ENDED = """() => Promise.all(
    document.getAnimations()
        .filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime))
        .map(a => a.finished.catch(() => null))
)"""


def assert_no_serious_violations(page: Page, axe_source: str) -> None:
    """Run axe on the page as it stands; fail with what it found."""
    # Two frames: what the admin's scripts draw after a change (names given to the rich
    # text editors, for one) is drawn on the next animation frame. Then the end of every
    # animation that ends: a notice fading in is pale on the way (axe would measure it).
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.evaluate(_ANIMATIONS_ENDED)
    page.evaluate(axe_source)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    path = page.url.split("//", 1)[-1].split("/", 1)[-1]
    assert not failing, f"axe-core {results['testEngine']['version']} on /{path}:\n" + "\n".join(
        _describe(v) for v in failing
    )


def _edit_flagship(page: Page) -> int:
    page.goto("/admin/pages/search/?q=Altitude")
    page.get_by_role("link", name=HEADLINE).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    return int(re.search(r"/admin/pages/(\d+)/edit/", page.url).group(1))


def test_the_article_editor_of_the_flagship_interview(page: Page, axe_source: str) -> None:
    sign_in_as_admin(page, "/admin/pages/")
    _edit_flagship(page)
    # Its body drawn: rich text editors in paragraphs, interview turns and footnotes.
    # A long interview on a busy two-core machine: give it time.
    expect(page.locator(".public-DraftEditor-content").first).to_be_visible(timeout=30_000)
    assert_no_serious_violations(page, axe_source)


def test_the_article_editor_of_a_new_article(page: Page, axe_source: str) -> None:
    sign_in_as_admin(page, "/admin/")
    page.get_by_role("link", name=re.compile(r"New article in Interviews \(English\)")).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/newsroom/articlepage/\d+/$"))
    expect(page.locator("#id_title")).to_be_visible()
    assert_no_serious_violations(page, axe_source)


def test_the_edition_pages_new_its_page_and_its_form(page: Page, axe_source: str) -> None:
    sign_in_as_admin(page, "/admin/snippets/newsletter/edition/add/")
    expect(page.locator("#id_subject")).to_be_visible()
    assert_no_serious_violations(page, axe_source)

    # An edition of the flagship, as "Send by email" makes it: to its page, then its form.
    article_id = _edit_flagship(page)
    page.goto(f"/admin/snippets/newsletter/edition/from-article/{article_id}/")
    assert_no_serious_violations(page, axe_source)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/newsletter/edition/inspect/\d+/$"))
    assert_no_serious_violations(page, axe_source)

    edition_id = re.search(r"/inspect/(\d+)/", page.url).group(1)
    page.goto(f"/admin/snippets/newsletter/edition/edit/{edition_id}/")
    expect(page.locator("#id_subject")).to_be_visible()
    assert_no_serious_violations(page, axe_source)
