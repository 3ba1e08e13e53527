"""A fake WhatsApp Cloud API: a real HTTP server on 127.0.0.1 answering like Meta's Graph
API ``POST /<phone number id>/messages`` for template messages.

Masthead's adapter is pointed at it (settings.WHATSAPP_API_BASE). It keeps every message it
accepted (``sent``), checks the bearer token and the template body, answers 400 with code
131026 for a number that is not on WhatsApp (``not_users``) and 100 for a malformed one,
and ``script`` makes it answer the next calls differently:

- ``("status", 429)``, ``("status", 500)``: an error answer, nothing sent;
- ``("throttle",)``: 400 with code 130429 (throughput limit), nothing sent;
- ``("sent_then", 502)``: sent, then a 5xx answer (a gateway that lost the reply);
- ``("slow",)``: sent, but answered after the client's timeout;
- ``("drop",)``: sent, then the connection closed without an answer.

``signed(body)`` gives the X-Hub-Signature-256 Meta would put on a webhook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.channels.loopback import LoopbackServer

TOKEN = "EAAG-fake-whatsapp-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "fake-app-secret"
VERIFY_TOKEN = "fake-verify-token"
_E164 = re.compile(r"\+?[1-9]\d{7,14}")


def signed(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Message:
    to: str
    template: str
    language: str
    parameters: list[str]
    wamid: str


@dataclass
class State:
    not_users: set[str] = field(default_factory=set)
    calls: list[dict] = field(default_factory=list)
    sent: list[Message] = field(default_factory=list)
    script: list[tuple] = field(default_factory=list)
    slow_seconds: float = 1.5
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 1000

    def sent_to(self, phone: str) -> list[Message]:
        return [m for m in self.sent if m.to == phone]


def _error(code: int, message: str, details: str = "") -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Afake"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


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
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        state = self.state
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(400, _error(100, "Invalid JSON"))
        with state.lock:
            state.calls.append(body)
            step = state.script.pop(0) if state.script else ("ok",)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(
                401, _error(190, "Error validating access token: Session has expired")
            )
        if self.path.rstrip("/") != f"/v21.0/{PHONE_NUMBER_ID}/messages":
            return self._answer(400, _error(100, "Unsupported post request"))
        if step[0] == "status":
            return self._answer(step[1], _error(step[1], f"fake error {step[1]}"))
        if step[0] == "throttle":
            return self._answer(400, _error(130429, "Rate limit hit", "Too many messages"))
        template = body.get("template") or {}
        to = str(body.get("to") or "")
        if body.get("messaging_product") != "whatsapp" or body.get("type") != "template":
            return self._answer(400, _error(100, "Invalid parameter"))
        if not template.get("name") or not (template.get("language") or {}).get("code"):
            return self._answer(400, _error(132000, "Number of parameters does not match"))
        if not _E164.fullmatch(to):
            return self._answer(400, _error(100, "Invalid parameter", "Invalid phone number"))
        if to in state.not_users:
            return self._answer(
                400,
                _error(131026, "Message undeliverable", "Recipient is not a WhatsApp user"),
            )
        parameters = [
            p.get("text", "")
            for component in template.get("components") or []
            for p in component.get("parameters") or []
        ]
        with state.lock:
            state.next_id += 1
            wamid = f"wamid.FAKE{state.next_id}"
            state.sent.append(
                Message(to, template["name"], template["language"]["code"], parameters, wamid)
            )
        if step[0] == "sent_then":
            return self._answer(step[1], _error(2, "Service temporarily unavailable"))
        if step[0] == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if step[0] == "slow":
            time.sleep(state.slow_seconds)
        return self._answer(
            200,
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            },
        )


class FakeGraph(LoopbackServer):
    handler = _Handler

    def __init__(self) -> None:
        super().__init__(State())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v21.0"
