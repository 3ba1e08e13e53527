"""An editor's day in the admin, in Chromium: the preview panel, the edition's date picker,
the page's language, and the admin on a 390 px phone (issue 13 §1, §5, §6).

They sign in as the served demo's admin (its password is set by conftest). Every test also fails when the browser reports a console error, a CSP
violation (the preview frame's refusal was one) or an HTTP error (the ``page`` fixture).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ServedSite, sign_in_as_admin
from tests.e2e.pages import HEADLINE

pytestmark = pytest.mark.e2e

PHONE_HEIGHT = 844  # VIEWPORTS["mobile"]
PHONE_WIDTH = 390
DESKTOP = pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
PHONE = pytest.mark.parametrize("viewport", ["mobile"], indirect=True)


def _edit_flagship(page: Page) -> int:
    """Find the flagship interview as an editor would (the admin's page search) and open
    it in the editor; its page id."""
    page.goto("/admin/pages/search/?q=Altitude")
    page.get_by_role("link", name=HEADLINE).first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    return int(re.search(r"/admin/pages/(\d+)/edit/", page.url).group(1))


def _box(page: Page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not displayed"
    return box


@DESKTOP
def test_the_preview_panel_shows_the_article_and_the_checks_count_it(page: Page) -> None:
    sign_in_as_admin(page, "/admin/pages/")
    _edit_flagship(page)
    expect(page.locator("[data-page-language]")).to_have_text("English")

    page.locator('[data-side-panel-toggle="preview"]').click()
    # Wagtail swaps in each new render's frame; the shown one carries this id.
    frame = page.frame_locator("#w-preview-iframe")
    # The reader's page inside the panel: refused framing would leave it empty.
    # A render of a long interview on a busy two-core machine: give it time.
    expect(frame.locator("h1")).to_have_text(HEADLINE, timeout=30_000)
    expect(frame.locator("main")).to_contain_text("Vidaurre")

    page.locator('[data-side-panel-toggle="checks"]').click()
    checks = page.locator('[data-side-panel="checks"]')
    # Counted on the framed page: each stays "-" when the frame is refused.
    expect(checks.locator("[data-content-word-count]")).to_have_text(re.compile(r"^\d[\d,.]*$"))
    expect(checks.locator("[data-content-reading-time]")).to_have_text(re.compile(r"\d"))
    expect(checks.locator("[data-content-readability-score]")).not_to_have_text("-")


@DESKTOP
def test_a_date_chosen_in_the_edition_pickers_calendar_is_saved_and_a_test_sent(
    page: Page, served_site: ServedSite
) -> None:
    sign_in_as_admin(page, "/admin/pages/")
    article_id = _edit_flagship(page)
    page.goto(f"/admin/snippets/newsletter/edition/from-article/{article_id}/")
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/newsletter/edition/inspect/\d+/$"))
    expect(page.get_by_text("YYYY-MM-DD HH:MM")).to_be_visible()  # the format hint

    page.locator("#id_at").click()
    calendar = page.locator(".xdsoft_datetimepicker:visible")
    expect(calendar).to_be_visible()
    calendar.locator(".xdsoft_next").first.click()  # next month: always in the future
    calendar.locator("td.xdsoft_date:not(.xdsoft_other_month)[data-date='15']").click()
    # The calendar writes the day with the time highlighted in its time column.
    chosen = page.locator("#id_at").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}-15 \d{2}:\d{2}", chosen), chosen
    page.keyboard.press("Tab")

    page.get_by_role("button", name="Schedule").click()

    expect(page.locator(".messages")).to_contain_text("Scheduled for")
    # The page again, the stored time in the field, as it was chosen.
    expect(page.locator("#id_at")).to_have_value(chosen)
    expect(page.get_by_role("button", name="Cancel the scheduled send")).to_be_visible()

    # A test of the scheduled edition, to the editor's own address (the demo's server
    # writes its email to its log).
    log = Path(served_site.env["MASTHEAD_DATA_DIR"]) / "serve.log"
    before = log.stat().st_size
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messages")).to_contain_text("A test was sent to admin@example.org")
    sent = log.read_bytes()[before:].decode(errors="replace")
    assert "To: admin@example.org" in sent
    assert "List-Unsubscribe" in sent


@PHONE
def test_on_a_phone_listings_notices_save_bar_and_side_strips_fit(page: Page) -> None:
    sign_in_as_admin(page, "/admin/pages/search/?q=the")
    titles = page.locator("table.listing td.title")
    expect(titles.first).to_be_visible()
    # A title column of at least half the screen: no title broken one word per line.
    widths = [box["width"] for box in (t.bounding_box() for t in titles.all()) if box]
    assert widths and min(widths) >= PHONE_WIDTH / 2, widths

    page.goto("/admin/snippets/newsletter/edition/")
    widths = [box["width"] for box in (t.bounding_box() for t in titles.all()) if box]
    assert widths and min(widths) >= PHONE_WIDTH / 2, widths

    _edit_flagship(page)
    language = _box(page, "[data-page-language]")
    assert language["x"] >= 0 and language["x"] + language["width"] <= PHONE_WIDTH

    # The side strips collapse: no minimap sliver, the fields keep the screen's width.
    expect(page.locator(".w-minimap")).to_be_hidden()
    assert _box(page, ".w-panel")["width"] >= 0.85 * PHONE_WIDTH

    # An article's main action is "Publish…" (issue 13 §2): saving a draft is in the menu.
    page.locator("form .footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")
    notices = _box(page, ".messages")
    save_bar = _box(page, "form .footer")
    assert notices["height"] <= PHONE_HEIGHT / 10, notices
    assert save_bar["height"] <= PHONE_HEIGHT / 10, save_bar
    # And in reach: on screen without scrolling to the end of the form.
    assert save_bar["y"] + save_bar["height"] <= PHONE_HEIGHT + 1, save_bar
