"""Writing a new article in Chromium (issue 13 §4): the headline wraps, the kind is the
section's, an image's description becomes its alternative text, a new form is not autosaved
into a page, and each tab's badge counts every error on it.

Signed in as the served demo's admin (conftest's password). Every test also fails when the
browser reports a console error or an HTTP error (the ``page`` fixture): Wagtail's autosave
of a new form answered 400 until the editor had filled every required field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.e2e

DESKTOP = pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
LONG_HEADLINE = (
    "The cooperative that bought back its harbour, rebuilt the fish market, paid its "
    "debts to three banks and still had money left over for the school's new roof"
)
DESCRIBED_IMAGE = "Portrait: Martín Sabogal"
DESCRIPTION = "Martín Sabogal at his desk in the cooperative's office"
UNDESCRIBED_IMAGE = "Portrait: Helen Osei"

_FACTS = """
import json
from wagtail.images.models import Image
from masthead.newsroom.models import ArticlePage, SectionPage
image = Image.objects.get(title={described!r})
image.description = {description!r}
image.save()
Image.objects.filter(title={undescribed!r}).update(description="")
section = SectionPage.objects.get(slug="interviews", locale__language_code="en")
print(json.dumps({{"interviews": section.pk, "articles": ArticlePage.objects.count()}}))
"""
_ARTICLES = "from masthead.newsroom.models import ArticlePage; print(ArticlePage.objects.count())"


@pytest.fixture(scope="package")
def facts(manage: Callable[..., str]) -> dict:
    """The demo's Interviews section, and one image described in the library, one not."""
    script = _FACTS.format(
        described=DESCRIBED_IMAGE, description=DESCRIPTION, undescribed=UNDESCRIBED_IMAGE
    )
    return json.loads(manage("shell", "-c", script).strip().splitlines()[-1])


def _articles(manage: Callable[..., str]) -> int:
    return int(manage("shell", "-c", _ARTICLES).strip().splitlines()[-1])


def _new_interview(page: Page, facts: dict) -> None:
    """Signed in, on a new article's form in the Interviews section."""
    then = f"/admin/pages/add/newsroom/articlepage/{facts['interviews']}/"
    page.goto(f"/admin/login/?next={quote(then)}")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#id_title")).to_be_visible()
    page.wait_for_load_state("networkidle")


def _add_image_block(page: Page) -> int:
    """Add an image to the body; its index among the body's blocks."""
    page.locator("#panel-child-content-body-section .c-sf-add-button").last.click()
    page.get_by_role("option", name="Image", exact=True).click()
    alt_fields = page.locator("textarea[id$='-value-alt_text'], input[id$='-value-alt_text']")
    expect(alt_fields.last).to_be_attached()
    return int(alt_fields.last.get_attribute("id").split("-")[1])


def _choose_image(page: Page, field_id: str, title: str) -> None:
    chooser = page.locator(f"#{field_id}-chooser")
    if "blank" in (chooser.get_attribute("class") or "").split():
        chooser.locator("button.chooser__choose-button").click()
    else:  # "Choose another image", in the chosen image's actions menu
        chooser.get_by_role("button", name="Actions").click()
        chooser.locator("[data-chooser-action-choose]:visible").click()
    modal = page.locator(".modal-dialog")
    modal.locator("input[name=q]").fill(title.split()[-1])
    modal.get_by_role("link", name=title).first.click()
    expect(modal).to_be_hidden()
    expect(chooser).not_to_have_class(re.compile(r"\bblank\b"))
    expect(chooser.locator("[data-chooser-title]")).to_have_text(title)


@pytest.mark.parametrize("viewport", ["desktop", "mobile"], indirect=True)
def test_a_long_headline_wraps_and_stays_whole_in_view(page: Page, facts: dict) -> None:
    _new_interview(page, facts)
    headline = page.locator("#id_title")
    expect(headline).to_have_accessible_name(re.compile(r"^Headline"))

    headline.fill(LONG_HEADLINE)

    box = headline.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    # Several lines tall, and none of it scrolled out of the box.
    line_height = headline.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert box["height"] >= 2 * line_height
    assert headline.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    assert headline.evaluate("e => e.scrollWidth <= e.clientWidth + 1")


@DESKTOP
def test_a_new_article_in_interviews_is_an_interview(page: Page, facts: dict) -> None:
    _new_interview(page, facts)

    expect(page.locator("#id_kind")).to_have_value("interview")
    # Topics are asked for with the writing, on the first tab.
    expect(page.locator("#panel-child-content-topics-section #id_topics")).to_be_attached()


@DESKTOP
def test_choosing_an_image_fills_its_alt_text_from_its_description(
    page: Page, facts: dict
) -> None:
    _new_interview(page, facts)
    described = _add_image_block(page)
    undescribed = _add_image_block(page)

    _choose_image(page, f"body-{described}-value-image", DESCRIBED_IMAGE)
    _choose_image(page, f"body-{undescribed}-value-image", UNDESCRIBED_IMAGE)
    _choose_image(page, "id_hero_image", DESCRIBED_IMAGE)

    expect(page.locator(f"#body-{described}-value-alt_text")).to_have_value(DESCRIPTION)
    # No description: the field stays empty (and required), never the image's file title.
    expect(page.locator(f"#body-{undescribed}-value-alt_text")).to_have_value("")
    expect(page.locator("#id_hero_alt")).to_have_value(DESCRIPTION)

    # Another image replaces the description it filled in, never what the editor wrote.
    _choose_image(page, f"body-{described}-value-image", UNDESCRIBED_IMAGE)
    expect(page.locator(f"#body-{described}-value-alt_text")).to_have_value("")
    page.locator("#id_hero_alt").fill("The interviewee, smiling")
    _choose_image(page, "id_hero_image", UNDESCRIBED_IMAGE)
    expect(page.locator("#id_hero_alt")).to_have_value("The interviewee, smiling")


@DESKTOP
def test_a_new_form_is_not_autosaved_into_a_page(
    page: Page, facts: dict, manage: Callable[..., str]
) -> None:
    before = _articles(manage)
    posts: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and "/admin/pages/add/" in request.url:
            posts.append(request.url)

    page.on("request", record)
    _new_interview(page, facts)
    page.wait_for_timeout(2000)  # four times Wagtail's autosave interval (500 ms)
    expect(page.get_by_text("Autosave is paused")).to_have_count(0)
    expect(page.locator("#w-autosave-indicator")).to_have_count(0)

    page.locator("#id_title").fill("A headline typed, nothing saved yet")
    page.locator("#id_standfirst").fill("A standfirst typed too.")
    page.wait_for_timeout(2000)

    assert posts == []
    expect(page.get_by_text("Autosave is paused")).to_have_count(0)
    assert _articles(manage) == before
    expect(page).to_have_url(f"/admin/pages/add/newsroom/articlepage/{facts['interviews']}/")


def _badge(page: Page, tab: str) -> str:
    return page.locator(f"#tab-label-{tab} [data-w-count-target=total]").inner_text().strip()


@DESKTOP
def test_each_tab_badge_counts_every_error_on_it(page: Page, facts: dict) -> None:
    _new_interview(page, facts)
    page.locator("#id_title").fill("An interview with errors on two tabs")
    _add_image_block(page)  # no image, no alternative text: two errors in the body
    page.locator("#tab-label-promote").click()
    page.locator("#id_syndication_url").fill("not an address")
    page.locator("#tab-label-content").click()

    page.get_by_role("button", name="Publish…").click()
    page.locator("[data-publish-dialog] button[name='action-publish']").click()

    expect(page.locator(".messages")).to_contain_text("could not be created")
    # Content: the empty standfirst and the body's image and alternative text.
    errors = page.locator("#tab-content .error-message")
    expect(errors).to_have_count(3)
    expect(page.locator("#tab-label-content [data-w-count-target=total]")).to_have_text("3")
    expect(page.locator("#tab-label-promote [data-w-count-target=total]")).to_have_text("1")
    assert _badge(page, "settings") == ""
