"""docs/deploy/nginx.conf, run by a real nginx against a fake Masthead on loopback.

The fake answers by the path's first segment after /en/ the way Masthead answers: a
shareable page (the page cache's headers), a private page, a page that sets a cookie,
a page without caching headers, a slow page, the admin. It counts what reaches it, so a
test can tell a cache hit from a request that went through. Every test uses its own
paths, so one nginx serves them all.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from tests.deploy.harness import nginx_binary, running_nginx

pytestmark = pytest.mark.skipif(
    nginx_binary() is None,
    reason="nginx is not installed (.ci/run installs it: apt-get install nginx)",
)

SHARED = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"
HASHED_CSS = "css/site.0123456789ab.css"


class Origin(BaseHTTPRequestHandler):
    """A stand-in for `masthead serve`; `hits` counts requests per method and path."""

    hits: Counter = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self, *, body: bool = True) -> None:
        path = self.path.split("?")[0]
        with self.lock:
            self.hits[(self.command, path)] += 1
            count = self.hits[(self.command, path)]
        parts = path.strip("/").split("/")
        kind = parts[0] if parts[0] == "admin" else parts[1] if len(parts) > 1 else ""
        headers = {"Content-Type": "text/html; charset=utf-8"}
        content = f"<p>{path} #{count}</p>"
        if kind in ("page", "slow", "admin"):
            headers |= {"Cache-Control": SHARED, "ETag": f'"{path}"', "X-Cache": "MISS"}
        elif kind == "short":
            headers |= {"Cache-Control": "public, max-age=0, s-maxage=1", "ETag": f'"{path}"'}
        elif kind == "private":
            headers["Cache-Control"] = "private"
        elif kind == "no-cache":
            headers["Cache-Control"] = "no-cache"
        elif kind == "browser-only":
            headers |= {"Cache-Control": "public, max-age=0", "ETag": f'"{path}"'}
        elif kind == "cookie":
            headers |= {"Cache-Control": SHARED, "Set-Cookie": "csrftoken=abc; Path=/"}
        elif kind == "encoded":  # a page Masthead compresses: one variant per coding
            headers |= {"Cache-Control": SHARED, "Vary": "Accept-Encoding"}
            if "br" in self.headers.get("Accept-Encoding", ""):
                headers |= {"Content-Encoding": "br", "ETag": f'"{path}-br"'}
            else:
                headers["ETag"] = f'"{path}"'
        elif kind == "echo":
            headers["Cache-Control"] = "private"
            content = json.dumps({k.lower(): v for k, v in self.headers.items()})
        if kind == "slow":
            time.sleep(0.5)
        if "ETag" in headers and self.headers.get("If-None-Match") == headers["ETag"]:
            self.send_response(304)
            for name in ("Cache-Control", "ETag"):
                self.send_header(name, headers[name])
            self.end_headers()
            return
        data = content.encode()
        if headers.get("Content-Encoding") == "br":
            data = brotli.compress(data)
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx")
    static, media = root / "static", root / "media"
    (static / "css").mkdir(parents=True)
    (static / HASHED_CSS).write_text("body { color: black }")
    (static / "css/plain.css").write_text("body { color: black }")
    (media / "images").mkdir(parents=True)
    (media / "images/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (media / "documents").mkdir(parents=True)
    (media / "documents/report.pdf").write_bytes(b"%PDF-1.4")

    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    thread = threading.Thread(target=origin.serve_forever, daemon=True)
    thread.start()
    try:
        with running_nginx(
            root / "prefix",
            upstream=f"127.0.0.1:{origin.server_address[1]}",
            static_root=static,
            media_root=media,
        ) as port:
            yield Site(port)
    finally:
        origin.shutdown()
        origin.server_close()


class Site:
    _unique = itertools.count()

    def __init__(self, port: int) -> None:
        self.port = port

    def path(self, kind: str) -> str:
        """A path of this kind that no other request has used."""
        n = next(self._unique)
        return f"/admin/pages/{n}/" if kind == "admin" else f"/en/{kind}/{n}/"

    def get(self, path: str, *, method: str = "GET", headers: dict | None = None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    @staticmethod
    def hits(path: str, method: str = "GET") -> int:
        with Origin.lock:
            return Origin.hits[(method, path)]


def test_second_anonymous_get_is_served_from_the_cache(site):
    path = site.path("page")
    status, first, body = site.get(path)
    assert (status, first["X-Cache-Status"]) == (200, "MISS")
    status, second, again = site.get(path)
    assert (status, second["X-Cache-Status"]) == (200, "HIT")
    assert again == body
    assert site.hits(path) == 1
    # Masthead's own headers pass through untouched.
    assert second["Cache-Control"] == SHARED
    assert second["ETag"] == f'"{path}"'


def test_head_is_answered_from_the_entry_get_filled(site):
    path = site.path("page")
    site.get(path)
    status, headers, body = site.get(path, method="HEAD")
    assert (status, headers["X-Cache-Status"], body) == (200, "HIT", b"")
    assert site.hits(path) == 1


def test_cached_page_answers_a_browser_revalidation_with_304(site):
    path = site.path("page")
    site.get(path)
    status, headers, _ = site.get(path, headers={"If-None-Match": f'"{path}"'})
    assert (status, headers["X-Cache-Status"]) == (304, "HIT")


def test_unrelated_cookies_do_not_bypass_the_cache(site):
    path = site.path("page")
    site.get(path)
    _, headers, _ = site.get(path, headers={"Cookie": "csrftoken=x; mysessionid=y"})
    assert headers["X-Cache-Status"] == "HIT"
    assert site.hits(path) == 1


@pytest.mark.parametrize(
    "cookie", ["sessionid=abc", "theme=dark; sessionid=abc", "messages=W1tdXQ:1"]
)
def test_signed_in_reader_always_reaches_masthead(site, cookie):
    path = site.path("page")
    site.get(path)  # an anonymous reader fills the cache first
    for _ in range(2):
        status, headers, body = site.get(path, headers={"Cookie": cookie})
        assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    assert body.endswith(b"#3</p>")
    # ...and what they were shown was not stored for anyone else.
    _, headers, body = site.get(path)
    assert (headers["X-Cache-Status"], body) == ("HIT", f"<p>{path} #1</p>".encode())
    assert site.hits(path) == 3


def test_admin_is_never_cached_even_when_marked_public(site):
    path = site.path("admin")
    for _ in range(3):
        status, headers, _ = site.get(path)
        assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    assert site.hits(path) == 3


@pytest.mark.parametrize("kind", ["private", "no-cache", "browser-only", "cookie", "bare"])
def test_private_uncacheable_and_cookie_setting_responses_are_never_stored(site, kind):
    path = site.path(kind)
    for n in range(1, 4):
        status, headers, body = site.get(path)
        assert (status, headers["X-Cache-Status"]) == (200, "MISS")
        assert body.endswith(f"#{n}</p>".encode())
    assert site.hits(path) == 3


@pytest.mark.parametrize("kind", ["private", "cookie", "page"])
def test_nginx_compresses_nothing_masthead_sent_uncompressed(site, kind):
    # Masthead compresses what is safe to (lib/compression.py) and leaves a page that may
    # hold a secret uncompressed (BREACH): nginx must not undo that choice.
    status, headers, body = site.get(site.path(kind), headers={"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert "Content-Encoding" not in headers
    assert body.startswith(b"<p>")


def test_each_coding_of_a_page_is_cached_as_its_own_variant(site):
    path = site.path("encoded")
    for _ in range(2):
        _, br, body = site.get(path, headers={"Accept-Encoding": "gzip, br"})
        assert br["Content-Encoding"] == "br"
        assert brotli.decompress(body) == f"<p>{path} #1</p>".encode()
        _, plain, body = site.get(path)
        assert "Content-Encoding" not in plain
        assert body == f"<p>{path} #2</p>".encode()
    assert (br["X-Cache-Status"], plain["X-Cache-Status"]) == ("HIT", "HIT")
    assert site.hits(path) == 2


def test_post_is_passed_through_and_never_cached(site):
    path = site.path("page")
    for _ in range(2):
        status, _, _ = site.get(path, method="POST", body=b"email=a%40b.org")
        assert status == 200
    assert site.hits(path, "POST") == 2
    # The POSTs filled nothing: the next GET still goes to Masthead.
    _, headers, _ = site.get(path)
    assert headers["X-Cache-Status"] == "MISS"


def test_concurrent_misses_on_one_page_reach_masthead_once(site):
    path = site.path("slow")  # Masthead takes 0.5 s to render it
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: site.get(path), range(10)))
    assert [status for status, _, _ in answers] == [200] * 10
    assert len({body for _, _, body in answers}) == 1
    assert site.hits(path) == 1


def test_s_maxage_bounds_how_long_nginx_keeps_a_page(site):
    path = site.path("short")  # s-maxage=1, max-age=0
    site.get(path)
    assert site.get(path)[1]["X-Cache-Status"] == "HIT"
    # nginx counts whole seconds: a 1 s lifetime ends between 1 and 2 s after the answer.
    time.sleep(2.1)
    # Expired: revalidated in the background with If-None-Match, the stale copy meanwhile.
    _, headers, _ = site.get(path)
    assert headers["X-Cache-Status"] == "STALE"
    deadline = time.monotonic() + 3
    while site.hits(path) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert site.hits(path) == 2


def test_masthead_learns_the_client_scheme_and_host(site):
    path = site.path("echo")
    _, _, body = site.get(path, headers={"Host": "news.example", "X-Forwarded-For": "1.2.3.4"})
    seen = json.loads(body)
    assert seen["host"] == "news.example"
    assert seen["x-forwarded-host"] == "news.example"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-for"] == "1.2.3.4, 127.0.0.1"


def test_hashed_static_files_come_from_disk_with_a_year_of_cache(site):
    status, headers, body = site.get(f"/static/{HASHED_CSS}")
    assert (status, body) == (200, b"body { color: black }")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"].startswith("text/css")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Cache-Status" not in headers
    status, headers, _ = site.get("/static/css/plain.css")
    assert (status, headers["Cache-Control"]) == (200, "public, max-age=60")
    with Origin.lock:
        assert not any(path.startswith("/static/") for _, path in Origin.hits)


def test_media_is_served_from_disk_but_documents_only_through_masthead(site):
    status, headers, body = site.get("/media/images/photo.png")
    assert (status, body) == (200, b"\x89PNG\r\n\x1a\n")
    assert "sandbox" in headers["Content-Security-Policy"]
    assert site.get("/media/documents/report.pdf")[0] == 404
    with Origin.lock:
        assert not any(path.startswith("/media/") for _, path in Origin.hits)


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/../documents/report.pdf",
        "/media//documents/report.pdf",
        "/media/./documents/report.pdf",
        "/media/documents%2Freport.pdf",
        "/media/%64ocuments/report.pdf",
    ],
)
def test_documents_are_refused_however_their_media_path_is_spelled(site, path):
    assert site.get(path)[0] == 404
    with Origin.lock:
        assert not any(hit.startswith("/media/") for _, hit in Origin.hits)
