"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that answers like api.telegram.org.

Masthead's adapter is pointed at it (settings.TELEGRAM_API_BASE), so tests exercise the real
requests, JSON and timeouts. It keeps what each channel would show (``posted``), answers
``sendMessage`` and ``sendPhoto`` as Telegram does (401 for a bad token, 400 "chat not
found", 403 for a channel where the bot is not an admin), and ``script`` makes it answer
the next calls differently:

- ``("status", 429, retry_after)`` or ``("status", 500)``: an error answer, nothing posted;
- ``("posted_then", 502)``: posted, then a 5xx answer (a gateway that lost the reply);
- ``("slow",)``: posted, but answered after the client's timeout;
- ``("drop",)``: posted, then the connection is closed without an answer.

``stop()`` and ``start()`` take it down and bring it back on the same port (connection
refused in between), as when Telegram is unreachable.
"""

from __future__ import annotations

import html
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.channels.loopback import LoopbackServer

TOKEN = "123456:TEST-fake-bot-token"
# Telegram's HTML parse mode, as far as Masthead uses it: <b> and <a href="...">, the named
# entities &lt; &gt; &amp; &quot; and numeric ones. Anything else is "can't parse entities".
_TOKEN = re.compile(
    r'<b>|</b>|<a href="(?P<href>[^"<>]*)">|</a>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);'
    r"|(?P<bad>[<>&])"
)


def parse_html(text: str) -> tuple[str, list[str]]:
    """The visible text of Telegram HTML and its links; ValueError where Telegram refuses."""
    visible, hrefs, open_tags = [], [], []
    position = 0
    for match in _TOKEN.finditer(text):
        visible.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if match.group("bad"):
            raise ValueError(f"Bad Request: can't parse entities: unexpected {token!r}")
        if token.startswith("&"):
            visible.append(html.unescape(token))
        elif token.startswith("</"):
            if not open_tags or open_tags.pop() != token[2]:
                raise ValueError("Bad Request: can't parse entities: unmatched end tag")
        else:
            open_tags.append(token[1])
            if match.group("href") is not None:
                hrefs.append(html.unescape(match.group("href")))
    visible.append(text[position:])
    if open_tags:
        raise ValueError("Bad Request: can't parse entities: unclosed tag")
    return "".join(visible), hrefs


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Call:
    method: str
    token: str
    params: dict
    at: float  # time.monotonic() when it arrived


@dataclass
class State:
    chats: set[str] = field(default_factory=lambda: {"@gazette", "@gaceta", "@third"})
    not_admin: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    posted: list[Call] = field(default_factory=list)
    script: list[tuple] = field(default_factory=list)
    slow_seconds: float = 1.5
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 100

    def posts_to(self, chat: str) -> list[Call]:
        return [c for c in self.posted if c.params.get("chat_id") == chat]

    def links(self, chat: str) -> list[str]:
        """The article link of every post in ``chat`` (the href in the text or caption)."""
        out = []
        for call in self.posts_to(chat):
            _, hrefs = parse_html(call.params.get("text") or call.params.get("caption") or "")
            out.append(hrefs[-1])
        return out


class _Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        _, _, rest = self.path.partition("/bot")
        token, _, method = rest.partition("/")
        try:
            params = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(400, {"ok": False, "error_code": 400, "description": "Bad JSON"})
        state = self.state
        call = Call(method, token, params, time.monotonic())
        with state.lock:
            state.calls.append(call)
            step = state.script.pop(0) if state.script else ("ok",)
        if token != TOKEN:
            return self._answer(
                401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
        if method not in {"sendMessage", "sendPhoto", "getMe"}:
            return self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if step[0] == "status":
            code = step[1]
            body = {"ok": False, "error_code": code, "description": f"fake error {code}"}
            if code == 429:
                body["description"] = f"Too Many Requests: retry after {step[2]}"
                body["parameters"] = {"retry_after": step[2]}
            return self._answer(code, body)
        chat = str(params.get("chat_id"))
        if chat not in state.chats:
            return self._answer(
                400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
            )
        if chat in state.not_admin:
            return self._answer(
                403,
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot is not a member of the channel chat",
                },
            )
        text = params.get("text") or params.get("caption") or ""
        limit = 1024 if method == "sendPhoto" else 4096
        try:
            visible, _ = parse_html(text) if params.get("parse_mode") == "HTML" else (text, [])
            if not visible.strip():
                raise ValueError("Bad Request: message text is empty")
            if utf16_length(visible) > limit:
                raise ValueError(f"Bad Request: message is too long ({method})")
        except ValueError as exc:
            return self._answer(400, {"ok": False, "error_code": 400, "description": str(exc)})
        with state.lock:
            state.next_id += 1
            message_id = state.next_id
            state.posted.append(call)
        if step[0] == "posted_then":
            return self._answer(
                step[1], {"ok": False, "error_code": step[1], "description": "Bad Gateway"}
            )
        if step[0] == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if step[0] == "slow":
            time.sleep(state.slow_seconds)
        return self._answer(
            200, {"ok": True, "result": {"message_id": message_id, "chat": {"username": chat}}}
        )


class FakeTelegram(LoopbackServer):
    handler = _Handler

    def __init__(self) -> None:
        super().__init__(State())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"
