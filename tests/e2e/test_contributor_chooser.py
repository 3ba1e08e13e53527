"""A new interviewee is created from the article's chooser, in Chromium (issue 13 §4): the
editor never leaves the article, the new person is chosen at once, and the saved draft
holds them.

Signed in as the served demo's admin. The ``page`` fixture fails the test on any console
error, uncaught page error or HTTP error (a new article's form has no autosave to refuse an
incomplete form: theme's wagtailadmin/pages/create.html). Desktop only: the contributor is created once in
the shared demo, and a second run would find the name taken (which the Django tests cover).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_as_admin
from tests.e2e.test_admin_accessibility import assert_no_serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("viewport", ["desktop"], indirect=True)]

NEW_PERSON = "Wayra Quispe Tito"
# The chooser answers over the network of a busy two-core machine: allow for it.
SLOW = 30_000


def test_an_interviewee_created_in_the_chooser_is_chosen_and_saved_with_the_draft(
    page: Page, manage: Callable[..., str], axe_source: str
) -> None:
    sign_in_as_admin(page, "/admin/")
    page.get_by_role("link", name=re.compile(r"New article in Interviews \(English\)")).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/newsroom/articlepage/\d+/$"))
    article_url = page.url
    page.fill("#id_title", "A conversation with a new voice")
    page.fill("#id_standfirst", "Someone the publication has never interviewed before.")

    page.locator("#id_subjects-ADD").click()
    interviewee = page.locator("#inline_child_subjects-0")
    interviewee.get_by_role("button", name="Choose contributor").click()
    modal = page.locator(".modal-dialog")
    expect(modal.get_by_role("heading", name="Choose contributor")).to_be_visible()

    modal.get_by_role("tab", name="Create").click()
    # The empty name is refused in the modal; nothing leaves the page.
    modal.get_by_role("button", name="Create and choose").click()
    expect(modal.get_by_text("This field is required.")).to_be_visible()
    expect(modal.get_by_text("created in English, the language of this page")).to_be_visible()
    assert_no_serious_violations(page, axe_source)  # the editor with the modal open
    modal.get_by_label("Name").fill(NEW_PERSON)
    modal.get_by_label("Role").fill("Weaver and union organiser")
    modal.get_by_role("button", name="Create and choose").click()

    expect(modal).to_be_hidden(timeout=SLOW)
    assert page.url == article_url  # never left the article
    expect(interviewee).to_contain_text(NEW_PERSON)

    page.locator("form .footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=SLOW)
    # The draft, opened again, holds the new interviewee.
    page.reload()
    expect(page.locator("#inline_child_subjects-0")).to_contain_text(NEW_PERSON)

    # Made in the article's language, with its slug made from the name.
    made = manage(
        "shell",
        "-c",
        "from masthead.newsroom.models import Contributor; "
        f"c = Contributor.objects.get(name={NEW_PERSON!r}); "
        "print('made:', c.locale.language_code, c.slug, c.role)",
    )
    line = next(line for line in made.splitlines() if line.startswith("made: "))
    assert line == "made: en wayra-quispe-tito Weaver and union organiser"
