"""The editors' dashboard in Chromium, as the demo's editor meets it: signed in on the
publication's own sign-in page, no browser error, and no serious accessibility problem.

The editor is an ordinary member of Wagtail's Editors group (not an administrator), made
with ``masthead manage`` in the served publication's data: the demo has only its admin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORTS
from tests.e2e.test_accessibility import FAILING_IMPACTS, _describe

pytestmark = pytest.mark.e2e

EDITOR = "demo-editor"
PASSWORD = "a-long-demo-editor-passphrase"
PUBLICATION = "The Long Table"
PANELS = [
    "dashboard-new-article",
    "dashboard-my-drafts",
    "dashboard-scheduled",
    "dashboard-recently-published",
    "dashboard-awaiting-translation",
    "dashboard-month-support",
]

_CREATE_EDITOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user, _ = get_user_model().objects.get_or_create(username={EDITOR!r})
user.email = "editor@example.org"
user.set_password({PASSWORD!r})
user.save()
user.groups.add(Group.objects.get(name="Editors"))
"""


@pytest.fixture(scope="package")
def editor(manage: Callable[..., str]) -> str:
    manage("shell", "-c", _CREATE_EDITOR)
    return EDITOR


def sign_in(page: Page, username: str) -> None:
    page.goto("/admin/login/")
    expect(page.locator("h1")).to_have_text(f"Sign in to {PUBLICATION}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def test_the_editor_s_dashboard_opens_branded_with_every_panel_and_no_error(
    page: Page, editor: str
) -> None:
    sign_in(page, editor)
    expect(page).to_have_title(f"Dashboard - {PUBLICATION}")
    expect(page.locator("h1")).to_have_text(PUBLICATION)
    for panel in PANELS:
        expect(page.locator(f"#{panel}-section")).to_be_visible()
    expect(
        page.locator("#dashboard-new-article-section a", has_text="New article in")
    ).not_to_have_count(0)
    # Not an administrator: no site summary.
    expect(page.locator(".w-summary")).to_have_count(0)
    # The page fixture fails the test if the browser reported any error meanwhile.


@pytest.fixture
def axe_page(browser: Browser, site: str, viewport: str) -> Iterator[Page]:
    # axe-core goes in as an inline script, which the admin's Content-Security-Policy
    # rightly refuses: this context bypasses CSP (the test above runs with it).
    context = browser.new_context(base_url=site, bypass_csp=True, **VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_dashboard_has_no_serious_accessibility_violations(
    axe_page: Page, editor: str, axe_source: str
) -> None:
    sign_in(axe_page, editor)
    expect(axe_page.locator("#dashboard-new-article-section")).to_be_visible()
    axe_page.add_script_tag(content=axe_source)
    results = axe_page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core {results['testEngine']['version']} on /admin/:\n" + "\n".join(
        _describe(v) for v in failing
    )
