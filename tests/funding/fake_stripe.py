"""A fake Stripe API: a real HTTP server on 127.0.0.1 that answers like Stripe.

It answers the calls funding/providers/stripe.py makes, in the shapes of the pinned API
version (2026-10-28.endive, stripe-python 16.1): an invoice names its subscription under
``parent.subscription_details``; a subscription's period is on its item; a charge has no
``invoice`` and is tied to one through ``GET /v1/invoice_payments``; a charge's refunds are
listed by ``GET /v1/refunds?charge=``. The official client talks to it over HTTP
(``StripeClient(base_addresses={"api": ...})``); nothing in the process is mocked.

Tests build state with the helpers (``donation``, ``membership``, ``refund``...), post
signed events with ``post_event`` and read ``requests`` to see what the adapter asked.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

SECRET_KEY = "sk_test_masthead_fake"
WEBHOOK_SECRET = "whsec_masthead_test_secret"
CHECKOUT_URL = "https://checkout.stripe.test/c/pay/"
PORTAL_URL = "https://billing.stripe.test/p/session/"
MONTH = 30 * 86400

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def parse_form(text: str) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        parts = [a or b for a, b in _KEY.findall(key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: object) -> object:
    if not isinstance(node, dict):
        return node
    items = {key: _listify(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


class FakeStripe:
    """The fake's state (Stripe's objects by id) and what it was asked."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        self.invoice_payments: list[dict] = []
        self.requests: list[dict] = []
        # (method, path) -> HTTP status to answer instead, for outage tests.
        self.failures: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self.clock = itertools.count(0)
        self.server: ThreadingHTTPServer | None = None

    # Building state ------------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def put(self, obj: dict) -> dict:
        with self.lock:
            self.objects[obj["id"]] = obj
        return obj

    def customer(self, email: str = "") -> dict:
        return self.put({"id": self.new_id("cus"), "object": "customer", "email": email})

    def donation(
        self, checkout: object, *, payment_status: str = "paid", intent_status: str = ""
    ) -> dict:
        """A completed payment-mode session for ``checkout``, with its intent and charge."""
        amount, currency = checkout.amount, checkout.currency.lower()
        intent_id, charge_id = self.new_id("pi"), self.new_id("ch")
        paid = payment_status == "paid"
        self.put(
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount if paid else 0,
                "currency": currency,
                "status": intent_status or ("succeeded" if paid else "processing"),
                "latest_charge": charge_id,
                "metadata": {"checkout": str(checkout.pk)},
            }
        )
        self.put(self._charge(charge_id, intent_id, amount, currency))
        return self.put(
            {
                "id": self.new_id("cs"),
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": payment_status,
                "amount_total": amount,
                "currency": currency,
                "customer": None,
                "customer_email": checkout.email,
                "customer_details": {"email": checkout.email, "name": None},
                "client_reference_id": str(checkout.pk),
                "metadata": {"checkout": str(checkout.pk)},
                "payment_intent": intent_id,
                "subscription": None,
                "invoice": None,
                "url": None,
            }
        )

    def add_paid_session(
        self, session_id: str, *, payment_intent: str, amount: int, currency: str, email: str
    ) -> dict:
        """A paid payment-mode session that no Masthead checkout started (a Payment Link)."""
        charge_id = self.new_id("ch")
        self.put(
            {
                "id": payment_intent,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "status": "succeeded",
                "latest_charge": charge_id,
                "metadata": {},
            }
        )
        self.put(self._charge(charge_id, payment_intent, amount, currency))
        return self.put(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": amount,
                "currency": currency,
                "customer": None,
                "customer_details": {"email": email, "name": None},
                "client_reference_id": None,
                "metadata": {},
                "payment_intent": payment_intent,
                "subscription": None,
                "invoice": None,
                "url": None,
            }
        )

    def settle(self, session: dict, *, succeeded: bool) -> None:
        """A delayed method finishing: the session is paid, or its intent failed."""
        intent = self.objects[session["payment_intent"]]
        if succeeded:
            session["payment_status"] = "paid"
            intent.update(status="succeeded", amount_received=intent["amount"])
        else:
            intent["status"] = "requires_payment_method"

    def _charge(self, charge_id: str, intent_id: str, amount: int, currency: str) -> dict:
        return {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_refunded": 0,
            "currency": currency,
            "payment_intent": intent_id,
            "refunded": False,
            "status": "succeeded",
        }

    def membership(
        self,
        checkout: object,
        *,
        customer: dict | None = None,
        status: str = "active",
        trial: bool = False,
    ) -> tuple[dict, dict, dict]:
        """A completed subscription-mode session: (session, subscription, first invoice).

        With ``trial``, the subscription is trialing and its first invoice is for 0, as
        Stripe makes it; the first charge is the next (subscription_cycle) invoice.
        """
        if trial:
            status = "trialing"
        customer = customer or self.customer(checkout.email)
        now = int(time.time())
        amount, currency = checkout.amount, checkout.currency.lower()
        subscription_id, invoice_id = self.new_id("sub"), self.new_id("in")
        metadata = {"checkout": str(checkout.pk)}
        subscription = self.put(
            {
                "id": subscription_id,
                "object": "subscription",
                "customer": customer["id"],
                "status": status,
                "cancel_at_period_end": False,
                "start_date": now,
                "ended_at": None,
                "canceled_at": None,
                "metadata": metadata,
                "latest_invoice": invoice_id,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("si"),
                            "object": "subscription_item",
                            "current_period_start": now,
                            "current_period_end": now + MONTH,
                            "price": {"id": self.new_id("price"), "object": "price"},
                        }
                    ],
                    "has_more": False,
                },
            }
        )
        invoice = self.invoice(
            subscription, amount=0 if trial else amount, currency=currency, first=True
        )
        session = self.put(
            {
                "id": self.new_id("cs"),
                "object": "checkout.session",
                "mode": "subscription",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": amount,
                "currency": currency,
                "customer": customer["id"],
                "customer_email": None,
                "client_reference_id": str(checkout.pk),
                "metadata": metadata,
                "payment_intent": None,
                "subscription": subscription_id,
                "invoice": invoice["id"],
                "url": None,
            }
        )
        return session, subscription, invoice

    def invoice(
        self,
        subscription: dict,
        *,
        amount: int,
        currency: str = "usd",
        first: bool = False,
        paid: bool = True,
    ) -> dict:
        """An invoice of ``subscription``, paid by a payment intent and a charge."""
        invoice_id = subscription["latest_invoice"] if first else self.new_id("in")
        intent_id, charge_id = self.new_id("pi"), self.new_id("ch")
        self.put(
            {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": currency,
                "status": "succeeded" if paid else "requires_payment_method",
                "latest_charge": charge_id,
                "metadata": {},
            }
        )
        self.put(self._charge(charge_id, intent_id, amount, currency))
        with self.lock:
            self.invoice_payments.append(
                {
                    "id": self.new_id("inpay"),
                    "object": "invoice_payment",
                    "invoice": invoice_id,
                    "amount_paid": amount if paid else None,
                    "amount_requested": amount,
                    "currency": currency,
                    "status": "paid" if paid else "open",
                    "is_default": True,
                    "payment": {"type": "payment_intent", "payment_intent": intent_id},
                }
            )
        return self.put(
            {
                "id": invoice_id,
                "object": "invoice",
                "customer": subscription["customer"],
                "status": "paid" if paid else "open",
                "attempted": True,
                "amount_due": amount,
                "amount_paid": amount if paid else 0,
                "currency": currency,
                "billing_reason": "subscription_create" if first else "subscription_cycle",
                "parent": {
                    "type": "subscription_details",
                    "quote_details": None,
                    "subscription_details": {
                        "subscription": subscription["id"],
                        "metadata": dict(subscription["metadata"]),
                    },
                },
                "status_transitions": {"paid_at": int(time.time()) if paid else None},
                # Strictly increasing, as invoices of one subscription are in time.
                "created": int(time.time()) + next(self.clock),
            }
        )

    def charge_of(self, obj: dict) -> dict:
        """The charge that paid a session's intent or an invoice."""
        if obj["object"] == "invoice":
            intent = next(
                p["payment"]["payment_intent"]
                for p in self.invoice_payments
                if p["invoice"] == obj["id"]
            )
        else:
            intent = obj["payment_intent"]
        return self.objects[self.objects[intent]["latest_charge"]]

    def refund(self, charge: dict, amount: int, *, status: str = "succeeded") -> dict:
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return self.put(
            {
                "id": self.new_id("re"),
                "object": "refund",
                "amount": amount,
                "charge": charge["id"],
                "payment_intent": charge["payment_intent"],
                "currency": charge["currency"],
                "status": status,
                "created": int(time.time()),
            }
        )

    def cancel(self, subscription: dict) -> None:
        now = int(time.time())
        subscription.update(status="canceled", ended_at=now, canceled_at=now)

    def event(self, kind: str, obj: dict, *, created: int | None = None) -> dict:
        return {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": created or int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": kind,
            "data": {"object": json.loads(json.dumps(obj))},
        }

    def asked(self, method: str, path_prefix: str) -> list[dict]:
        return [
            r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)
        ]

    # Answering -----------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")[1:]  # without "v1"
        expand = params.get("expand") or []
        if (method, path) in self.failures:
            return self.failures[(method, path)], _error("api_error", "Fake outage.")
        route = (method, parts[0] if parts else "", len(parts))
        if route == ("POST", "checkout", 2):
            return 200, self._create_session(params)
        if route == ("POST", "coupons", 1):
            if params["id"] in self.objects:
                return 400, _error("invalid_request_error", "Exists", "resource_already_exists")
            return 200, self.put({**params, "object": "coupon"})
        if route == ("POST", "billing_portal", 2):
            session_id = self.new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": params["customer"],
                "return_url": params["return_url"],
                "url": PORTAL_URL + session_id,
            }
        if route == ("GET", "refunds", 1):
            rows = [
                o
                for o in self.objects.values()
                if o["object"] == "refund" and o["charge"] == params.get("charge")
            ]
            return 200, _listing(rows, path)
        if route == ("GET", "invoices", 1):
            wanted = params.get("subscription")
            rows = sorted(
                (
                    o
                    for o in self.objects.values()
                    if o["object"] == "invoice"
                    and o["parent"]["subscription_details"]["subscription"] == wanted
                ),
                key=lambda invoice: invoice["created"],
                reverse=True,  # Stripe lists the newest first
            )
            return 200, _listing(rows, path)
        if route == ("GET", "invoice_payments", 1):
            wanted = (params.get("payment") or {}).get("payment_intent")
            rows = [p for p in self.invoice_payments if p["payment"]["payment_intent"] == wanted]
            return 200, _listing(rows, path)
        object_id = parts[-1] if parts else ""
        obj = self.objects.get(object_id)
        if obj is None or method not in ("GET", "DELETE"):
            return 404, _error(
                "invalid_request_error", f"No such object: '{object_id}'", "resource_missing"
            )
        if method == "DELETE" and obj["object"] == "subscription":
            if obj["status"] in ("canceled", "incomplete_expired"):
                return 400, _error(
                    "invalid_request_error",
                    "A canceled subscription can only update its cancellation_details.",
                )
            self.cancel(obj)
        return 200, self._expanded(obj, expand)

    def _create_session(self, params: dict) -> dict:
        session_id = self.new_id("cs")
        return self.put(
            {
                **params,
                "id": session_id,
                "object": "checkout.session",
                "status": "open",
                "payment_status": "unpaid",
                "url": CHECKOUT_URL + session_id,
            }
        )

    def _expanded(self, obj: dict, expand: list) -> dict:
        result = json.loads(json.dumps(obj))
        for field in expand:
            if isinstance(result.get(field), str) and result[field] in self.objects:
                result[field] = json.loads(json.dumps(self.objects[result[field]]))
        return result

    # Running -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    url = base_url  # the name bench/webhooks.py uses

    def start(self) -> FakeStripe:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        # A short poll: shutdown() waits up to one poll interval, and every test stops a fake.
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @contextlib.contextmanager
    def running(self) -> Iterator[FakeStripe]:
        self.start()
        try:
            yield self
        finally:
            self.stop()


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _handle(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = parse_form(body if method == "POST" else url.query)
            record = {
                "method": method,
                "path": url.path,
                "params": params,
                "stripe_version": self.headers.get("Stripe-Version"),
                "idempotency_key": self.headers.get("Idempotency-Key"),
            }
            with fake.lock:
                fake.requests.append(record)
            # Any test-mode key, as Stripe's sandbox takes (bench/webhooks.py has its own).
            if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                status, payload = 401, _error("invalid_request_error", "Invalid API Key")
            else:
                status, payload = fake.answer(method, url.path, params)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status >= 500:
                self.send_header("Stripe-Should-Retry", "false")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


def _error(kind: str, message: str, code: str | None = None) -> dict:
    return {"error": {"type": kind, "message": message, "code": code}}


def _listing(rows: list[dict], url: str) -> dict:
    return {"object": "list", "data": rows, "has_more": False, "url": url}


# Signing and posting ----------------------------------------------------------------


def sign(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body, secret, timestamp=int(time.time()) if timestamp is None else timestamp
    )


WEBHOOK_PATH = "/webhooks/payments/stripe/"


def post_event(client: object, event: dict, **signing: object) -> object:
    """POST ``event`` to the real endpoint, signed afresh (Stripe re-signs each attempt)."""
    body = json.dumps(event)
    return client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": sign(body, **signing)},
    )


def use(settings: object, fake: FakeStripe) -> None:
    """Switch USD payments to Stripe, pointed at ``fake``."""
    from masthead.funding import providers

    settings.PAYMENT_PROVIDERS = {"USD": ["stripe"]}
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.base_url
    providers.clear_cache()
