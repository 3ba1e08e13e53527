"""An axe-core scan of the reader pages: desktop and phone, light and dark colour schemes.

axe-core (pinned in package.json) is injected as an inline script, which the site's
Content-Security-Policy rightly refuses, so these contexts bypass CSP; the reading tests
check the policy itself. Serious and critical violations fail; moderate and minor ones are
for review, not for the build.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import VIEWPORTS
from tests.e2e.pages import FLAGSHIP, FLAGSHIP_ES, SEARCH_WORD, SECTION

pytestmark = pytest.mark.e2e

PAGES = {
    "home": "/en/",
    "article": FLAGSHIP,
    "article-es": FLAGSHIP_ES,
    "section": SECTION,
    "contributor": "/en/contributors/julian-ccori/",
    "collective": "/en/contributors/editorial-board/",
    "search": f"/en/search/?q={SEARCH_WORD}",
    "newsletter-sign-up": "/en/newsletter/",
    "newsletter-sign-up-es": "/es/newsletter/",
    "sign-in": "/en/account/sign-in/",
    "support": "/en/support/",
    "membership": "/en/support/membership/",
    "campaign": "/en/campaign/",
}
FAILING_IMPACTS = {"serious", "critical"}
# The dark palette is the same on every width, so it is scanned once, on the desktop.
LOOKS = [("desktop", "light"), ("mobile", "light"), ("desktop", "dark")]


def _describe(violation: dict) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
    lines.append(f"  {violation['helpUrl']}")
    for node in violation["nodes"][:8]:
        lines.append(f"  - {' '.join(node['target'])}")
        lines.extend(f"      {line}" for line in node["failureSummary"].splitlines()[1:3])
    if len(violation["nodes"]) > 8:
        lines.append(f"  ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize(("viewport", "scheme"), LOOKS, ids=["-".join(look) for look in LOOKS])
@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_page_has_no_serious_accessibility_violations(
    browser: Browser, site: str, axe_source: str, viewport: str, scheme: str, path: str
) -> None:
    context = browser.new_context(
        base_url=site, bypass_csp=True, color_scheme=scheme, **VIEWPORTS[viewport]
    )
    try:
        page = context.new_page()
        page.goto(path)
        page.add_script_tag(content=axe_source)
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()

    failing = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core {results['testEngine']['version']} on {path}:\n" + "\n".join(
        _describe(v) for v in failing
    )
