"""A real Masthead server and a real browser, shared by every end-to-end test.

The server is the demo publication (``masthead demo``) in a temporary data folder, always on
SQLite and local caches whatever the surrounding run uses, served by ``masthead serve`` as a
reader would meet it. The browser is Debian's Chromium driven by Playwright: Playwright's own
browser downloads cannot reach this network (issue 3).

Both are package-scoped, not session-scoped: Playwright's sync API keeps an event loop
running, and Django refuses database work from a thread with a running loop
(SynchronousOnlyOperation), so the browser must be gone before the rest of the suite runs.
No test here asks for ``db``: the tests only talk to the server over HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.processes import stop_group

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MASTHEAD_E2E_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# machine's closed network refuses (see the machine notes); --no-sandbox because CI is root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
# The demo's admin signs in with this (``masthead demo`` reads MASTHEAD_ADMIN_PASSWORD).
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "e2e-admin-password"  # a throwaway demo, on loopback

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}

# The server sees only these variables from the surrounding run: never its DATABASE_URL,
# REDIS_URL, SEARCH_URL or MASTHEAD_* settings, so the CI run on PostgreSQL still serves
# the browser from a throwaway SQLite file.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """MASTHEAD_SKIP_E2E=1 skips the browser tests (.ci/run sets it for its second run)."""
    if os.environ.get("MASTHEAD_SKIP_E2E", "") not in {"", "0"}:
        skip = pytest.mark.skip(reason="MASTHEAD_SKIP_E2E is set")
        for item in items:
            if item.get_closest_marker("e2e"):
                item.add_marker(skip)


def missing_tool(message: str) -> None:
    """Fail in CI, where .ci/run installs the tool; skip on a developer's machine without it."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"masthead serve exited with {server.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our server)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"masthead serve did not answer {url} within 120 s:\n{_tail(log)}")


@dataclass(frozen=True)
class ServedSite:
    url: str
    env: dict[str, str]  # the server's environment: its data folder, settings, port


_PENDING_TASKS = (
    "from django_tasks_db.models import DBTaskResult; "
    "print(DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count())"
)


def _wait_for_the_worker(masthead: str, env: dict, log: Path) -> None:
    """Until the worker has run what the load enqueued: the photographs' renditions (issue
    14), which a reader arriving first would otherwise wait for while the page is made."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        out = subprocess.run(
            [masthead, "manage", "shell", "-c", _PENDING_TASKS],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        ).stdout.strip()
        if out.splitlines()[-1:] == ["0"]:
            return
        time.sleep(2)
    pytest.fail(f"the task worker did not finish the demo's tasks within 300 s:\n{_tail(log)}")


@pytest.fixture(scope="package")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """A running demo publication, and the environment it runs in."""
    data_dir = tmp_path_factory.mktemp("e2e-site")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    env.update(
        # development, not test: hashed and compressed static files and the shared file
        # page cache, as a reader of a single-machine install gets them.
        MASTHEAD_ENV="development",
        MASTHEAD_DATA_DIR=str(data_dir),
        MASTHEAD_BASE_URL=base_url,
        PORT=str(port),
        PYTHONUNBUFFERED="1",
        MASTHEAD_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    masthead = str(Path(sys.executable).with_name("masthead"))
    demo = subprocess.run(
        [masthead, "demo"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if demo.returncode != 0:
        pytest.fail(f"masthead demo exited with {demo.returncode}:\n{demo.stderr[-4000:]}")
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            # With the task worker, as `make demo` runs it: readers' emails leave from it.
            [masthead, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--with-worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(f"{base_url}/en/", server, log)
        _wait_for_the_worker(masthead, env, log)
        yield ServedSite(url=base_url, env=env)
    finally:
        stop_group(server)


@pytest.fixture(scope="package")
def site(served_site: ServedSite) -> str:
    """The base URL of a running demo publication."""
    return served_site.url


@pytest.fixture(scope="package")
def manage(served_site: ServedSite) -> Callable[..., str]:
    """Run a management command against the served publication's data (``masthead
    manage``), for what a test needs that no page offers, such as an editor's account."""
    masthead = str(Path(sys.executable).with_name("masthead"))

    def run(*args: str) -> str:
        done = subprocess.run(
            [masthead, "manage", *args],
            env=served_site.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"masthead manage {args[0]} exited with {done.returncode}:\n{done.stderr}")
        return done.stdout

    return run


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        missing_tool(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        missing_tool(f"{AXE_SCRIPT.relative_to(REPO)} is missing: run npm ci")
    return AXE_SCRIPT.read_text()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Every test that asks for a page runs once on a desktop and once on a phone."""
    return request.param


class ConsoleLog:
    """What the browser said went wrong: console errors (CSP violations and failed loads
    are reported there), uncaught page errors and HTTP errors from the server."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.url}")
            ),
        )

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            self.problems.append(f"console {message.type}: {message.text} ({message.location})")


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def context(
    browser: Browser, site: str, viewport: str, console: ConsoleLog
) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=site, locale="en-GB", reduced_motion="reduce", **VIEWPORTS[viewport]
    )
    context.set_default_timeout(10_000)
    context.on("page", console.watch)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, console: ConsoleLog) -> Iterator[Page]:
    """A fresh tab; the test fails if the browser reports any error while it is open."""
    page = context.new_page()
    yield page
    assert not console.problems, "the browser reported problems:\n" + "\n".join(console.problems)


def sign_in_as_admin(page: Page, then: str) -> None:
    """Sign in to the demo's admin and land on ``then`` (straight there: the dashboard is
    another part of the admin)."""
    page.goto(f"/admin/login/?next={quote(then)}")
    page.fill("#id_username", ADMIN_USERNAME)
    page.fill("#id_password", ADMIN_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
