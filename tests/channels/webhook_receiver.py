"""A webhook receiver on loopback: a real HTTP server that records what it is sent.

It answers each request with the next entry of ``script`` (a status code, ``"slow"`` to
answer only after the client has given up, or ``("redirect", url)`` for a 307), then 200
once the script is used up. Also serves as the SSRF canary: bound to 127.0.0.2, a test
asserts it saw no request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str
    script: list = field(default_factory=list)
    calls: list[Received] = field(default_factory=list)
    slow_seconds: float = 2.0


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.receiver.calls.append(Received(self.path, headers, body))
        step = self.receiver.script.pop(0) if self.receiver.script else 200
        if step == "slow":
            time.sleep(self.receiver.slow_seconds)
            step = 200
        if isinstance(step, tuple):
            self.send_response(307)
            self.send_header("Location", step[1])
        else:
            self.send_response(step)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST  # noqa: N815 (http.server's naming)


@contextmanager
def running(host: str = "127.0.0.1", script: list | None = None) -> Iterator[Receiver]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer((host, 0), handler)
    server.daemon_threads = True
    port = server.server_address[1]
    receiver = Receiver(url=f"http://{host}:{port}/hooks", script=list(script or []))
    handler.receiver = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
