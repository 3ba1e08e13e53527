"""A reader signs in by magic link, changes a setting and signs out, in Chromium (issue 4).

The demo server sends mail with Django's console backend (EMAIL_URL is not passed to it),
so the email lands in the server's log, ``serve.log`` in its data folder: the test reads
the link from there, as a reader would from their inbox. The reader is created with
``masthead manage shell`` against the same data folder, because the demo has no readers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import _PASSED_ENV

pytestmark = pytest.mark.e2e

MASTHEAD = str(Path(sys.executable).with_name("masthead"))


def _data_dir(site: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of the running demo server (conftest's ``site``): the one whose log
    says it listens on the site's address."""
    for log in sorted(tmp_path_factory.getbasetemp().glob("e2e-site*/serve.log")):
        if site.removeprefix("http://") in log.read_text(errors="replace"):
            return log.parent
    pytest.fail(f"no serve.log for {site} under {tmp_path_factory.getbasetemp()}")


def _create_reader(data_dir: Path, site: str, email: str) -> None:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.update(MASTHEAD_ENV="development", MASTHEAD_DATA_DIR=str(data_dir), MASTHEAD_BASE_URL=site)
    code = (
        "from masthead.audience.models import Reader; "
        f"Reader.objects.get_or_create(email={email!r}, defaults={{'language': 'en'}})"
    )
    subprocess.run(
        [MASTHEAD, "manage", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _sign_in_link(log: Path, site: str, *, after: int) -> str:
    """The newest sign-in link the server logged after byte ``after`` of its log."""
    pattern = re.compile(re.escape(site) + r"(/en/account/sign-in/[^\s\"<>/]+/)")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        links = pattern.findall(log.read_bytes()[after:].decode(errors="replace"))
        if links:
            return links[-1]
        time.sleep(0.2)
    pytest.fail("the server logged no sign-in email")


def _serious_accessibility_violations(
    browser: Browser, site: str, page: Page, axe_source: str
) -> list[str]:
    """axe-core on the page ``page`` shows, in a second tab with the same session.

    The scan injects axe as an inline script, which the site's CSP refuses, so it runs in
    a context that bypasses CSP (as test_accessibility.py does for the public pages).
    """
    scan = browser.new_context(
        base_url=site, bypass_csp=True, storage_state=page.context.storage_state()
    )
    try:
        tab = scan.new_page()
        tab.goto(page.url)
        tab.add_script_tag(content=axe_source)
        results = tab.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        scan.close()
    return [
        f"{v['id']}: {v['help']}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_reader_signs_in_by_email_changes_language_and_signs_out(
    page: Page,
    browser: Browser,
    axe_source: str,
    site: str,
    viewport: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    email = f"e2e-{viewport}@example.org"
    data_dir = _data_dir(site, tmp_path_factory)
    _create_reader(data_dir, site, email)
    log = data_dir / "serve.log"
    logged = log.stat().st_size

    page.goto("/en/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # Opening the link only shows a button: a mail scanner's visit signs nobody in.
    page.goto(_sign_in_link(log, site, after=logged))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("button", name="Sign me in").click()

    expect(page).to_have_url(re.compile(r"/en/account/$"))
    expect(page.get_by_text(f"Signed in as {email}.")).to_be_visible()
    assert _serious_accessibility_violations(browser, site, page, axe_source) == []
    page.get_by_label("Language of the emails").select_option("es")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your choices are saved.")
    expect(page.get_by_label("Language of the emails")).to_have_value("es")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/en/account/sign-in/$"))
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto("/en/account/")
    expect(page).to_have_url(re.compile(r"/en/account/sign-in/$"))


def test_the_footer_leads_to_the_newsletters_and_to_sign_in(page: Page) -> None:
    page.goto("/es/")
    footer = page.get_by_role("navigation", name="Boletines y cuenta")
    footer.get_by_role("link", name="Boletines").click()
    expect(page).to_have_url(re.compile(r"/es/newsletter/$"))
    page.go_back()
    page.get_by_role("navigation", name="Boletines y cuenta").get_by_role(
        "link", name="Tu cuenta"
    ).click()
    # Nobody is signed in: the account page sends the reader to sign in, in Spanish.
    expect(page).to_have_url(re.compile(r"/es/account/sign-in/$"))
