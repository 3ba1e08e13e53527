"""The editor's publish in Chromium, on the served demo: write an article, publish it and
email it in one dialog, and see the edition sent; schedule another and see it go live when
the scheduler (``masthead serve --with-worker`` runs it every minute) publishes it.

Everything happens as an editor does it: the admin's sign-in, the editor's form, the publish
dialog, the editions listing. The worker sends the edition; the demo's mail goes to its
console backend.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.e2e

# The scheduler runs every 60 s: a scheduled piece is live within two runs of its time.
SCHEDULER_WAIT_SECONDS = 180
PUBLISH_WAIT_MS = 60_000
_titles = itertools.count(1)


def _sign_in(page: Page) -> None:
    page.goto("/admin/login/")
    page.fill("input[name='username']", ADMIN_USERNAME)
    page.fill("input[name='password']", ADMIN_PASSWORD)
    page.click("button[type='submit']")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _section_id(page: Page) -> int:
    """An English section: the admin API lists the tree (it does not filter by type)."""
    for offset in itertools.count(0, 20):
        response = page.request.get("/admin/api/main/pages/", params={"offset": offset})
        assert response.ok, response.status
        items = response.json()["items"]
        assert items, "the demo has no English section"
        for item in items:
            if item["meta"]["type"] == "newsroom.SectionPage" and item["meta"]["locale"] == "en":
                return item["id"]
    raise AssertionError("unreachable")


def _published_page_id(page: Page) -> int:
    """The article's id, from the "Edit" button of Wagtail's message after a publish."""
    href = page.locator(".messages a[href*='/edit/']").first.get_attribute("href")
    return int(re.search(r"/pages/(\d+)/edit/", href).group(1))


def _new_article(page: Page, section: int, title: str) -> None:
    page.goto(f"/admin/pages/add/newsroom/articlepage/{section}/")
    page.fill("#id_title", title)
    page.fill("#id_standfirst", f"What {title} is about, in one paragraph.")


def _open_publish_dialog(page: Page) -> None:
    page.click("[data-publish-open]")
    expect(page.locator("#publish-dialog")).to_be_visible()


def _publish(page: Page) -> None:
    # A publish invalidates caches and indexes on this shared two-core machine: it may take
    # longer than the default wait for one click.
    with page.expect_navigation(timeout=PUBLISH_WAIT_MS):
        page.locator("#publish-dialog button[name='action-publish']").click()


def _edition_status(page: Page, subject: str) -> str:
    page.goto("/admin/snippets/newsletter/edition/")
    row = page.locator("tr", has_text=subject).first
    expect(row).to_be_visible()
    return row.inner_text()


def _is_live(page: Page, article: int) -> bool:
    response = page.request.get(f"/admin/api/main/pages/{article}/")
    assert response.ok, response.status
    return response.json()["meta"]["status"]["live"]


def _wait_for(check: object, seconds: float) -> bool:
    """Ask ``check`` until it says yes or ``seconds`` have passed (the worker's pace)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(2)
    return bool(check())


def test_publish_and_email_in_one_dialog(page: Page, viewport: str) -> None:
    _sign_in(page)
    title = f"Harbour lights {viewport} {next(_titles)}"
    _new_article(page, _section_id(page), title)

    _open_publish_dialog(page)
    dialog = page.locator("#publish-dialog")
    # Now, unless the editor picks a time (the next test).
    expect(dialog.get_by_label("Now")).to_be_checked()
    expect(dialog.locator("input[name='publish-at']")).to_be_hidden()
    dialog.get_by_label("Also send by email").check()
    newsletter = dialog.locator("select[name='email-newsletter']")
    # The newsletter of the article's language is chosen already, with its audience.
    chosen = newsletter.locator("option:checked")
    expect(chosen).to_have_attribute("data-language", "en")
    expect(chosen).to_have_text(re.compile(r"^.+ \(\d+ confirmed readers?\)$"))
    expect(dialog.locator("[data-language-confirm]")).to_be_hidden()
    dialog.get_by_label("The full piece: byline, hero image and body").check()
    dialog.get_by_label("Intro line").fill("New tonight.")
    _publish(page)

    expect(page.get_by_text(f"Page '{title}' created and published.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Sending it by email to \w"))).to_be_visible()
    assert _wait_for(lambda: "Sent" in _edition_status(page, title), 60), _edition_status(
        page, title
    )


def test_schedule_another_and_see_it_go_live(page: Page, viewport: str) -> None:
    _sign_in(page)
    title = f"Tide tables {viewport} {next(_titles)}"
    _new_article(page, _section_id(page), title)

    _open_publish_dialog(page)
    dialog = page.locator("#publish-dialog")
    dialog.get_by_label("At a time").check()
    # The demo's time zone is UTC (the dialog says so); a little ahead, to the second.
    expect(dialog.get_by_text("Time zone: UTC")).to_be_visible()
    at = timezone.now() + dt.timedelta(seconds=45)
    at += dt.timedelta(seconds=1) if at.second == 0 else dt.timedelta()  # Chromium drops ":00"
    dialog.locator("input[name='publish-at']").fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    # Closing the dialog keeps what was typed.
    dialog.get_by_role("button", name="Close dialog").click()
    _open_publish_dialog(page)
    expect(dialog.locator("input[name='publish-at']")).to_have_value(
        at.strftime("%Y-%m-%dT%H:%M:%S")
    )
    dialog.get_by_label("Also send by email").check()
    expect(dialog.locator("button[name='action-publish']")).to_have_text(re.compile("Schedule"))
    _publish(page)

    expect(
        page.get_by_text(f"Page '{title}' created and scheduled for publishing.")
    ).to_be_visible()
    expect(page.get_by_text("when it goes live")).to_be_visible()
    article = _published_page_id(page)
    assert not _is_live(page, article)
    assert "Waiting for its article to go live" in _edition_status(page, title)

    def live() -> bool:
        return _is_live(page, article)

    assert _wait_for(live, SCHEDULER_WAIT_SECONDS), "the scheduled article never went live"
    assert _wait_for(lambda: "Sent" in _edition_status(page, title), 60), _edition_status(
        page, title
    )
