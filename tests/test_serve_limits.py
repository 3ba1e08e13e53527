"""`masthead serve` alone, without nginx: what it refuses over real HTTP on loopback (issue 8).

One server process (gunicorn, one worker from MASTHEAD_WEB_WORKERS) in a migrated data
folder of its own serves every test here. Requests are written byte by byte on a socket,
so a test controls exactly what is sent and when.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

# Every process started here runs on a SQLite data folder of its own, whatever DATABASE_URL says.
pytestmark = pytest.mark.own_sqlite

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
SIGN_UP = "/en/newsletter/"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[int, subprocess.Popen]]:
    data = tmp_path_factory.mktemp("serve-limits")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_ENV": "test",
        "MASTHEAD_WEB_WORKERS": "1",
        "MASTHEAD_WEB_THREADS": "3",
    }
    migrate = subprocess.run(
        [MASTHEAD, "manage", "migrate", "--verbosity", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [MASTHEAD, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):  # until gunicorn answers, or the process has died
            assert process.poll() is None, "masthead serve exited"
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def exchange(port: int, head: str, body: bytes = b"", *, send_in_background: bool = False):
    """Send a request, read the whole response; return (status, text)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        if send_in_background:
            # The server may answer while the body is still on its way: read meanwhile.
            def send() -> None:
                with contextlib.suppress(OSError):  # the server stopped reading, as it should
                    sock.sendall(body)

            sender = threading.Thread(target=send, daemon=True)
            sender.start()
        elif body:
            sock.sendall(body)
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    return int(status_line.split()[1]), rest.decode("utf-8", "replace")


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def chunked(data: bytes, size: int = 64 * 1024) -> bytes:
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def post_head(path: str, *headers: str) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines)


def test_a_body_announced_over_the_limit_is_refused_before_it_is_sent(server):
    port, _ = server
    head = post_head(
        SIGN_UP,
        "Content-Type: multipart/form-data; boundary=xyz",
        f"Content-Length: {20 * MB}",
    )
    # Only the first bytes are sent: the answer comes without waiting for the rest.
    status, text = exchange(port, head, b"--xyz\r\n")
    assert status == 413
    assert "The request is too large" in text


def test_a_chunked_body_over_the_limit_is_refused(server):
    port, _ = server
    head = post_head(
        SIGN_UP,
        "Content-Type: application/x-www-form-urlencoded",
        "Transfer-Encoding: chunked",
    )
    body = chunked(b"email=a%40example.org&junk=" + b"x" * (2 * MB))
    status, text = exchange(port, head, body, send_in_background=True)
    assert status == 413
    assert "The request is too large" in text


def test_a_chunked_body_within_the_limit_reaches_the_form(server):
    port, _ = server
    head = post_head(
        SIGN_UP,
        "Content-Type: application/x-www-form-urlencoded",
        "Transfer-Encoding: chunked",
    )
    status, text = exchange(port, head, chunked(b"email=not-an-address"))
    # Django alone would read a chunked body as empty; the form sees what was sent.
    assert status == 400
    assert 'value="not-an-address"' in text


def test_too_many_header_fields_are_refused_by_gunicorn(server):
    port, _ = server
    headers = [f"X-Filler-{n}: {n}" for n in range(60)]
    status, _ = exchange(
        port, "\r\n".join(["GET /robots.txt HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""])
    )
    assert status == 431  # Request Header Fields Too Large: gunicorn's own default is 100


def test_serve_starts_the_web_workers_and_threads_the_environment_says(server):
    _, process = server
    gunicorn = [pid for pid in _children_of(process.pid) if b"gunicorn" in _cmdline(pid)]
    assert len(gunicorn) == 1
    assert len(_children_of(int(gunicorn[0]))) == 1  # `serve` alone would start 2
    # Each with MASTHEAD_WEB_THREADS threads (gunicorn's gthread worker past one).
    assert b"--threads\x003\x00" in _cmdline(gunicorn[0])


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children_of(pid: int) -> list[str]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(entry.name)
    return children


def test_serve_sends_brotli_or_gzip_as_the_client_accepts(server):
    # Issue 14 §2, over real HTTP through gunicorn: the 404 page (HTML, the one page a data
    # folder without a publication has), and HEAD with the same headers.
    port, _ = server

    def fetch(accept: str, method: str = "GET"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, "/en/no-such-page/", headers={"Accept-Encoding": accept})
            response = connection.getresponse()
            assert response.status == 404
            return response.headers, response.read()
        finally:
            connection.close()

    plain_headers, plain = fetch("identity")
    assert plain.startswith(b"<!DOCTYPE html>")
    assert "Accept-Encoding" in plain_headers["Vary"]
    br_headers, br = fetch("gzip, deflate, br")
    assert br_headers["Content-Encoding"] == "br"
    assert brotli.decompress(br) == plain
    gzip_headers, gz = fetch("gzip")
    assert gzip_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz) == plain
    head_headers, head = fetch("gzip, deflate, br", method="HEAD")
    assert head == b""
    assert head_headers["Content-Encoding"] == "br"
    assert head_headers["Content-Length"] == str(len(br))
