"""The editor's day with an interview, in Chromium on the served demo (issue 13 §4, §7):
write an interview from a pasted transcript, see its pairs with their speakers, preview it in
the panel, publish and email it in one dialog, and read the pairs on the live page. On a
desktop and on a 390 px phone (the ``viewport`` fixture); the ``page`` fixture fails the
test on any console error, CSP violation or HTTP error.
"""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import BOARD
from tests.e2e.test_publish_flow import (
    _new_article,
    _open_publish_dialog,
    _publish,
    _published_page_id,
    _sign_in,
)

pytestmark = pytest.mark.e2e

# The board's name typed in another case (matched to the contributor), and a guest the
# demo does not know (a new speaker, kept as a typed name).
GUEST = "Rosa Huamán"
TRANSCRIPT = (
    "the long table editorial board: Where does the salt road begin?\r\n"
    f"{GUEST}: With my grandmother's mule and a ledger.\r\n"
    "She kept every receipt.\r\n"
    "THE LONG TABLE EDITORIAL BOARD: And where does it end?\r\n"
    f"{GUEST}: It has not ended yet.\r\n"
)
FILL_WAIT_SECONDS = 10
INTERVIEWEE = "Julián Ccori Mendaña"  # a demo contributor, chosen in the Interviewees panel
QUESTION_CONTRIBUTOR = "[data-contentpath='question_speaker'] [data-chooser-title]"
ANSWER_CONTRIBUTOR = "[data-contentpath='answer_speaker'] [data-chooser-title]"
PREVIEW_WAIT_MS = 30_000  # a render on a busy two-core machine
PUBLISH_WAIT_MS = 60_000  # as test_publish_flow: saves are slow on a shared two-core machine
_titles = itertools.count(1)


def _interviews_section(page: Page) -> int:
    response = page.request.get(
        "/admin/api/main/pages/", params={"type": "newsroom.SectionPage", "slug": "interviews"}
    )
    assert response.ok, response.status
    ids = [item["id"] for item in response.json()["items"] if item["meta"]["locale"] == "en"]
    assert ids, "the demo has no English Interviews section"
    return ids[0]


def _wait_until_autosaved(page: Page) -> None:
    """Until the editor's autosave has stored every change and has no save under way (at
    once on a new page's form, which has no autosave: theme's wagtailadmin/pages/create.html).

    Wagtail saves the form by itself half a second after each change; a save still under way
    when the publish button is pressed carries a revision the publish has replaced and is
    refused (a 400, which the ``page`` fixture counts as a failure). Waiting on its state,
    not on a clock: the form as last saved equals the form now, and no request is pending.
    """
    page.wait_for_function(
        """() => {
            const form = document.querySelector("form[data-controller~='w-autosave']");
            const stimulus = window.wagtail && window.wagtail.app;  // Wagtail's Stimulus
            if (!stimulus) return false;
            if (!form) return true;  // a new page's form: it has no autosave to wait for
            const unsaved = stimulus.getControllerForElementAndIdentifier(form, "w-unsaved");
            const autosave = stimulus.getControllerForElementAndIdentifier(form, "w-autosave");
            return Boolean(unsaved && autosave) && !autosave.submitPromise
                && unsaved.initialFormData === unsaved.formData;
        }""",
        timeout=PUBLISH_WAIT_MS,
    )


def _choose_interviewee(page: Page, name: str) -> None:
    page.get_by_role("button", name="Add Interviewees").click()
    page.locator("#id_subjects-0-contributor-chooser").get_by_role(
        "button", name="Choose contributor"
    ).click()
    modal = page.locator(".modal")
    modal.get_by_role("link", name=name).first.click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_subjects-0-contributor-chooser [data-chooser-title]")).to_have_text(
        name
    )


def _visible(page: Page, selector: str) -> list[str]:
    """The values (inputs) or texts of what ``selector`` finds on screen: a deleted block
    stays in the form, hidden."""
    found = page.locator(f"{selector}:visible")
    return [
        node.input_value() if node.evaluate("n => 'value' in n") else node.inner_text().strip()
        for node in found.all()
    ]


def _expect_visible(page: Page, selector: str, expected: list[str]) -> None:
    """``_visible`` becomes ``expected`` (the block's script fills speakers a moment after
    the block is drawn: asked at once, a loaded machine saw none yet)."""
    deadline = time.monotonic() + FILL_WAIT_SECONDS
    while (found := _visible(page, selector)) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert found == expected


def test_an_interview_from_a_pasted_transcript_is_previewed_published_and_emailed(
    page: Page, viewport: str
) -> None:
    _sign_in(page)
    title = f"The salt road {viewport} {next(_titles)}"
    _new_article(page, _interviews_section(page), title)
    page.select_option("#id_kind", "interview")
    _choose_interviewee(page, INTERVIEWEE)

    page.locator("#body-root button[title='Insert a block']").first.click()
    page.get_by_role("option", name="Interview exchange").click()
    # The exchange's first pair is answered by the interviewee chosen above.
    _expect_visible(page, ANSWER_CONTRIBUTOR, [INTERVIEWEE])
    exchange = page.locator("[data-transcript]")
    exchange.get_by_role("button", name="Paste a transcript").click()
    exchange.get_by_label("Transcript").fill(TRANSCRIPT)
    exchange.get_by_role("button", name="Turn into pairs").click()

    status = exchange.locator("[data-transcript-status]")
    expect(status).to_contain_text("Pairs added: 2.")
    expect(status).to_contain_text(f"New speakers, kept as typed names: {GUEST}.")
    add = status.get_by_role("link", name="Add a contributor (opens in a new tab)")
    expect(add).to_have_attribute("href", re.compile(r"/admin/snippets/newsroom/contributor/add/"))
    expect(add).to_have_attribute("target", "_blank")

    # Two pairs: the board asks (a contributor), the guest answers (a typed name).
    expect(page.locator("[data-contentpath='question'] .Draftail-Editor:visible")).to_have_count(2)
    _expect_visible(page, QUESTION_CONTRIBUTOR, [BOARD, BOARD])
    _expect_visible(page, ANSWER_CONTRIBUTOR, [])
    _expect_visible(page, "input[name$='-answer_speaker_name']", [GUEST, GUEST])
    expect(page.locator("[data-contentpath='answer']:visible").first).to_contain_text(
        "She kept every receipt."
    )
    # Each pair's heading, shown when it is collapsed, is the start of its question.
    expect(page.locator("[data-panel-heading-text]:visible")).to_contain_text(
        ["Where does the salt road begin?", "And where does it end?"]
    )

    # A pair added after them is asked by whoever asked the pair before, and answered by the
    # article's interviewee. Left empty, it fails no autosave and is left out when published.
    page.locator("[data-streamfield-list-add]:visible").last.click()
    expect(page.locator("[data-contentpath='question'] .Draftail-Editor:visible")).to_have_count(3)
    _expect_visible(page, QUESTION_CONTRIBUTOR, [BOARD, BOARD, BOARD])
    _expect_visible(page, ANSWER_CONTRIBUTOR, [INTERVIEWEE])

    # The preview panel renders the pairs as a reader would see them.
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("#w-preview-iframe")
    expect(frame.locator("h1")).to_have_text(title, timeout=PREVIEW_WAIT_MS)
    expect(frame.locator(".turn--question .turn__speaker").first).to_have_text(
        f"Question from {BOARD}"
    )
    expect(frame.locator(".exchange")).to_contain_text("It has not ended yet.")
    page.locator('[data-side-panel-toggle="preview"]').click()

    _open_publish_dialog(page)
    dialog = page.locator("#publish-dialog")
    dialog.get_by_label("Also send by email").check()
    dialog.get_by_label("The full piece: byline, hero image and body").check()
    _wait_until_autosaved(page)
    _publish(page)

    # A new page is not autosaved: the publish creates it.
    published = re.compile(
        rf"Page '{re.escape(title)}' (created and published|has been published)"
    )
    expect(page.get_by_text(published)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Sending it by email to \w"))).to_be_visible()
    article = _published_page_id(page)
    live = page.request.get(f"/admin/api/main/pages/{article}/").json()["meta"]["html_url"]

    page.goto(live)
    speakers = page.locator(".exchange .turn__speaker")
    expect(speakers).to_have_text(
        [
            f"Question from {BOARD}",
            f"Answer from {GUEST}",
            f"Question from {BOARD}",
            f"Answer from {GUEST}",
        ]
    )
    expect(page.locator(".turn--answer").first).to_contain_text("She kept every receipt.")
