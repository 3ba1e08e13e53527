"""A fake Mercado Pago API: a real HTTP server on 127.0.0.1 that answers the calls Masthead makes.

The official SDK is pointed at it (settings.MERCADOPAGO_API_BASE), so tests exercise the
SDK's own requests, headers and JSON, never a mock object. It records every request it
gets (method, path, query, raw body), holds the objects a test puts in it (payments,
preapprovals, authorized payments) and answers like Mercado Pago for them; ``fail`` makes
it answer an error to the next calls on a path.

``sign`` and ``notify`` build notifications the way Mercado Pago signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.test import Client

TOKEN = "TEST-0000000000000000-000000-fake"
SECRET = "mp-webhook-test-secret"
WEBHOOK = "/webhooks/payments/mercadopago/"


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: str  # the raw JSON text, so tests see the exact numbers the SDK wrote
    authorization: str

    @property
    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


@dataclass
class State:
    payments: dict[str, dict] = field(default_factory=dict)
    preapprovals: dict[str, dict] = field(default_factory=dict)
    authorized: dict[str, dict] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: dict[tuple[str, str], int] = field(default_factory=dict)  # (method, path) → status
    ids: itertools.count = field(default_factory=lambda: itertools.count(1000))


class _Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, *args: object) -> None:  # quiet test output
        pass

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        call = Call(
            self.command,
            url.path,
            {k: v[0] for k, v in parse_qs(url.query).items()},
            body,
            self.headers.get("Authorization", ""),
        )
        self.state.calls.append(call)
        if call.authorization != f"Bearer {TOKEN}":
            return self._answer(401, {"message": "invalid access token", "status": 401})
        failure = self.state.failures.get((call.method, call.path))
        if failure:
            return self._answer(failure, {"message": "fake failure", "status": failure})
        status, answer = self._route(call)
        self._answer(status, answer)

    do_GET = do_POST = do_PUT = _handle  # noqa: N815 (http.server's names)

    def _route(self, call: Call) -> tuple[int, dict]:
        state, parts = self.state, call.path.strip("/").split("/")
        if call.method == "POST" and call.path == "/checkout/preferences":
            pref_id = f"pref-{next(state.ids)}"
            link = f"https://www.mercadopago.com.pe/checkout/v1/redirect?pref_id={pref_id}"
            return 201, {**call.json, "id": pref_id, "init_point": link}
        if call.method == "POST" and call.path == "/preapproval":
            pre_id = f"2c9380847{next(state.ids)}"
            link = f"https://www.mercadopago.com.pe/subscriptions/checkout?preapproval_id={pre_id}"
            created = {**call.json, "id": pre_id, "init_point": link, "status": "pending"}
            state.preapprovals[pre_id] = created
            return 201, created
        if call.path == "/authorized_payments/search":
            rows = [
                row
                for row in state.authorized.values()
                if row["preapproval_id"] == call.query.get("preapproval_id")
            ]
            return 200, {"paging": {"total": len(rows)}, "results": rows}
        found = {
            ("v1", "payments"): state.payments,
            ("preapproval",): state.preapprovals,
            ("authorized_payments",): state.authorized,
        }.get(tuple(parts[:-1]))
        if found is None or parts[-1] not in found:
            return 404, {"message": "resource not found", "status": 404}
        row = found[parts[-1]]
        if call.method == "PUT" and parts[0] == "preapproval":
            if row["status"] == "cancelled":  # as Mercado Pago: a cancelled one stays put
                return 400, {"message": "You can not modify a cancelled preapproval"}
            row.update(call.json)
        return 200, row


class FakeMercadoPago:
    """``with FakeMercadoPago() as api:`` a running fake; ``api.url`` is its base."""

    def __init__(self) -> None:
        self.state = State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> FakeMercadoPago:
        # A short poll: shutdown() waits up to one poll interval, and every test stops a fake.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what tests put in it -----------------------------------------------------------

    def payment(self, payment_id: str, **fields: object) -> dict:
        row = {
            "id": int(payment_id),
            "status": "approved",
            "status_detail": "accredited",
            "currency_id": "PEN",
            "transaction_amount": 18.5,
            "date_approved": "2026-03-02T10:00:00.000-05:00",
            "payer": {"id": 7001, "email": "payer@example.org"},
            "refunds": [],
            **fields,
        }
        self.state.payments[payment_id] = row
        return row

    def preapproval(self, preapproval_id: str, **fields: object) -> dict:
        row = self.state.preapprovals.setdefault(preapproval_id, {"id": preapproval_id})
        row.update(fields)
        return row

    def authorized_payment(self, authorized_id: str, **fields: object) -> dict:
        row = {"id": int(authorized_id), "type": "scheduled", "status": "processed", **fields}
        self.state.authorized[authorized_id] = row
        return row

    def fail(self, method: str, path: str, status: int = 500) -> None:
        self.state.failures[(method, path)] = status

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.state.calls if (c.method, c.path) == (method, path)]


def configure(settings: object, api: FakeMercadoPago) -> None:
    """Point Masthead at ``api``: PEN through Mercado Pago, the test token and secret."""
    settings.PAYMENT_PROVIDERS = {"PEN": ["mercadopago"]}
    settings.MERCADOPAGO_API_BASE = api.url
    settings.MERCADOPAGO_ACCESS_TOKEN = TOKEN
    settings.MERCADOPAGO_WEBHOOK_SECRET = SECRET


def sign(*, data_id: str | None, request_id: str | None, ts: int, secret: str = SECRET) -> str:
    """The ``x-signature`` header Mercado Pago sends: ts and the HMAC of the manifest."""
    manifest = ""
    if data_id:
        manifest += f"id:{data_id.lower() if data_id.isalnum() else data_id};"
    if request_id:
        manifest += f"request-id:{request_id};"
    manifest += f"ts:{ts};"
    digest = hmac.new(secret.encode(), manifest.encode(), hashlib.sha256).hexdigest()
    return f"ts={ts},v1={digest}"


def notify(
    client: Client,
    kind: str,
    data_id: str,
    *,
    action: str = "",
    notification_id: int | None = None,
    ts: int | None = None,
    secret: str = SECRET,
    request_id: str | None = "",
    signed_id: str | None = None,
    signature: str | None = None,
) -> object:
    """POST a signed notification about ``kind`` ``data_id`` to the real webhook endpoint."""
    request_id = str(uuid.uuid4()) if request_id == "" else request_id
    ts = int(time.time()) if ts is None else ts
    body = {
        "id": notification_id if notification_id is not None else int(uuid.uuid4().int % 10**10),
        "type": kind,
        "action": action or f"{kind}.updated",
        "data": {"id": data_id},
        "live_mode": False,
    }
    headers = {
        "HTTP_X_SIGNATURE": signature
        if signature is not None
        else sign(data_id=signed_id or data_id, request_id=request_id, ts=ts, secret=secret)
    }
    if request_id:
        headers["HTTP_X_REQUEST_ID"] = request_id
    if signature == "":
        del headers["HTTP_X_SIGNATURE"]
    return client.post(
        f"{WEBHOOK}?data.id={data_id}&type={kind}",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def start(*, kind: str = "donation", amount: int = 1850, price: object = None, **extra: object):
    """A reader's checkout begun through funding.checkout, as the support page would."""
    from masthead.funding import checkout
    from masthead.funding.providers.base import ReturnUrls

    return checkout.begin(
        kind=kind,
        amount=amount,
        currency="PEN",
        email=extra.pop("email", "lucia@example.org"),
        reader=extra.pop("reader", None),
        language="es",
        urls=ReturnUrls(
            success="https://news.example.org/es/support/thanks/",
            cancel="https://news.example.org/es/support/",
            notification="https://news.example.org/webhooks/payments/mercadopago/",
        ),
        price=price,
        **extra,
    )
