"""The stylesheets keep their accessibility promises: contrast, focus, motion, print."""

import re
from pathlib import Path

import pytest

import masthead.theme

STATIC = Path(masthead.theme.__file__).parent / "static" / "theme"
SCREEN = (STATIC / "masthead.css").read_text()
PRINT = (STATIC / "print.css").read_text()

# Text colour on background colour, each pair a custom property of masthead.css.
TEXT_PAIRS = [
    ("ink", "paper"),
    ("muted", "paper"),
    ("accent", "paper"),
    ("ink", "box"),
    ("muted", "box"),
    ("accent", "box"),
    ("accent-ink", "accent"),
    ("paper", "ink"),  # skip link, current language, header search button
    ("inverse-ink", "inverse"),
    ("inverse-accent", "inverse"),
    ("inverse", "inverse-ink"),  # button in the campaign box
]


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def _palettes() -> dict[str, dict[str, str]]:
    light = _tokens(SCREEN[SCREEN.index(":root") : SCREEN.index("}", SCREEN.index(":root"))])
    dark_start = SCREEN.index("@media (prefers-color-scheme: dark)")
    dark = {**light, **_tokens(SCREEN[dark_start : SCREEN.index("}", dark_start)])}
    return {"light": light, "dark": dark}


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_contrast_is_at_least_aa(scheme, text, background):
    palette = _palettes()[scheme]
    ratio = contrast(palette[text], palette[background])
    assert ratio >= 4.5, f"{scheme}: --{text} on --{background} is {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("background", ["paper", "box"])
def test_focus_ring_stands_out(scheme, background):
    palette = _palettes()[scheme]
    assert contrast(palette["focus"], palette[background]) >= 3


def test_focus_is_always_visible():
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", SCREEN)
    assert "outline: none" not in SCREEN.replace("main:focus {\n  outline: none;", "")


def test_skip_link_appears_on_focus():
    assert re.search(r"\.skip-link\s*\{[^}]*transform:\s*translateY\(-200%\)", SCREEN)
    assert re.search(r"\.skip-link:focus[^{]*\{[^}]*transform:\s*none", SCREEN)


def test_visually_hidden_utility_and_reduced_motion():
    assert re.search(r"\.visually-hidden\s*\{[^}]*clip-path:\s*inset\(50%\)", SCREEN)
    assert "@media (prefers-reduced-motion: reduce)" in SCREEN
    assert "scroll-behavior: smooth" in SCREEN.split("prefers-reduced-motion: no-preference")[1]


def test_sidebar_layout_and_readable_measure():
    assert re.search(r"\.layout\s*\{[^}]*grid-template-columns", SCREEN)
    assert "--measure: 68ch" in SCREEN
    prose = re.search(r"\.prose\s*\{([^}]*)\}", SCREEN).group(1)
    assert "max-width: var(--measure)" in prose and "line-height: 1.7" in prose


@pytest.mark.parametrize("sheet", [SCREEN, PRINT])
def test_no_third_party_assets(sheet):
    assert "@import" not in sheet
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", sheet)
    assert "@font-face" not in sheet


@pytest.mark.parametrize(
    "selector",
    [".sections", ".lang", "form", ".furniture", ".support-boxes", ".layout__aside", "nav"],
)
def test_print_hides_navigation_forms_and_furniture(selector):
    hidden = PRINT[: PRINT.index("display: none !important")]
    rule = hidden[hidden.rindex("}") + 1 :]
    assert selector in [line.strip().rstrip(",{ ") for line in rule.splitlines()]


def test_print_shows_link_addresses_black_on_white():
    assert re.search(r"\.prose a\[href\]::after[^{]*\{[^}]*attr\(href\)", PRINT)
    assert re.search(r"\*::after\s*\{[^}]*color:\s*#000", PRINT)
    assert "background: #fff" in PRINT
