"""A threaded HTTP server on 127.0.0.1 for the fake outside APIs (Bot API, Graph API)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from tests.smtp_sink import free_port


class LoopbackServer:
    """Serves ``handler`` (a request handler class reading ``self.state``) with ``state``."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self, state: object) -> None:
        self.state = state
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        handler = type("Handler", (self.handler,), {"state": self.state})
        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
