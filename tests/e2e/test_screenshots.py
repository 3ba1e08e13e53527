"""Screenshots of the flagship interview, as the README shows it.

Every run takes them (a page that cannot be drawn fails here); only a run with
MASTHEAD_WRITE_SCREENSHOTS=1 (``make screenshots``) writes them into docs/screenshots,
so an ordinary test run never changes the work tree.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import REPO
from tests.e2e.pages import FLAGSHIP, HEADLINE

pytestmark = pytest.mark.e2e

# Tall enough for the headline, hero, byline and the first exchanges; short enough to keep
# each PNG well under 1 MB for the repository.
CLIP_HEIGHT = {"desktop": 2600, "mobile": 2400}
MAX_BYTES = 1_000_000


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("MASTHEAD_WRITE_SCREENSHOTS") == "1":
        return REPO / "docs" / "screenshots"
    return tmp_path


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_screenshot_of_the_flagship_interview(
    page: Page, viewport: str, screenshot_dir: Path
) -> None:
    page.goto(FLAGSHIP)
    assert page.get_by_role("heading", level=1).inner_text() == HEADLINE
    # Chromium loads lazy images well ahead of the viewport, so those inside the clip load
    # without scrolling; those below it are not drawn and need not load.
    page.wait_for_function(
        """bottom => document.fonts.status === 'loaded' && [...document.images]
            .filter(img => img.getBoundingClientRect().top < bottom)
            .every(img => img.complete && img.naturalWidth > 0)""",
        arg=CLIP_HEIGHT[viewport],
    )
    width = page.viewport_size["width"]
    height = min(CLIP_HEIGHT[viewport], page.evaluate("document.documentElement.scrollHeight"))

    path = screenshot_dir / f"article-{viewport}.png"
    page.screenshot(
        path=path,
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
        caret="hide",
    )

    assert _png_size(path) == (width, height)
    assert path.stat().st_size < MAX_BYTES, f"{path} is {path.stat().st_size} bytes"
