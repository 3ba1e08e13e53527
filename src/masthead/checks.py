"""Deploy checks: what production needs, reported by ``manage.py check --deploy``.

Settings keep safe defaults so the demo runs with nothing set; these checks are how an
operator learns what a real deployment still lacks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from masthead.lib.dkim_backend import DKIMSigner


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: object = None, **kwargs: object) -> list:
    problems = []
    if not settings.PRODUCTION:
        problems.append(
            Warning(
                "MASTHEAD_ENV is not 'production': security settings are relaxed.",
                hint="Set MASTHEAD_ENV=production on a public server.",
                id="masthead.W001",
            )
        )
    if not settings.BASE_URL.startswith("https://"):
        problems.append(
            Warning(
                "MASTHEAD_BASE_URL does not start with https://.",
                hint="Links in feeds, sitemaps and emails use it; readers need HTTPS.",
                id="masthead.W002",
            )
        )
    if settings.DEBUG:
        problems.append(Error("MASTHEAD_DEBUG is on.", id="masthead.E001"))
    return problems


@register(Tags.security, deploy=True)
def check_email_webhooks(app_configs: object = None, **kwargs: object) -> list:
    """An ESP backend sends mail whose bounces only its webhooks report: they need a secret."""
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if backend.startswith("anymail.") and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return [
            Warning(
                "Mail goes through an ESP, but MASTHEAD_ANYMAIL_WEBHOOK_SECRET is empty: "
                "its bounce and complaint webhooks are off.",
                hint="Set it and point the ESP at /webhooks/email/<esp>/tracking/ (README).",
                id="masthead.W003",
            )
        ]
    return []


# Backends that deliver nothing: fine for the demo, silent loss of every sign-up
# confirmation and newsletter on a public server.
_UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_email_is_sent(app_configs: object = None, **kwargs: object) -> list:
    """Mail that only reaches a console or a file never reaches a reader."""
    backend = getattr(settings, "EMAIL_BACKEND", "")
    if backend in _UNSENT_EMAIL_BACKENDS:
        return [
            Warning(
                f"Email is not sent: EMAIL_BACKEND is {backend}.",
                hint="Set EMAIL_URL to an SMTP server (smtp+tls://user:password@host:587) "
                "or MASTHEAD_EMAIL_ESP to an ESP.",
                id="masthead.W004",
            )
        ]
    return []


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs: object = None, **kwargs: object) -> list:
    """Several web processes need one cache, or each renders and keeps its own copies.

    (Rate limits are counted in the database or Redis, lib/ratelimit.py, not in a cache.)
    """
    if settings.WEB_WORKERS < 2:
        return []
    uses = {"default": "remembered listings and page fragments", "pages": "cached pages"}
    local = [
        uses.get(alias, f"the {alias} cache")
        for alias, config in settings.CACHES.items()
        if config["BACKEND"].endswith(".LocMemCache")
    ]
    if not local:
        return []
    return [
        Warning(
            f"{settings.WEB_WORKERS} web workers (MASTHEAD_WEB_WORKERS) share no cache for "
            f"{' and '.join(local)}: each worker keeps its own in local memory.",
            hint="Set REDIS_URL, or MASTHEAD_WEB_WORKERS=1.",
            id="masthead.W005",
        )
    ]


@register(Tags.security, deploy=True)
def check_media_served_elsewhere(app_configs: object = None, **kwargs: object) -> list:
    """Django's static file view is not for production: each download holds a worker."""
    if settings.SERVE_MEDIA:
        return [
            Warning(
                "Masthead serves uploaded media itself (MASTHEAD_SERVE_MEDIA): every image "
                "download holds a web worker.",
                hint="Serve /media/ from nginx (docs/deploy/nginx.conf) or keep uploads in "
                "S3 (MASTHEAD_S3_BUCKET), and set MASTHEAD_SERVE_MEDIA=false.",
                id="masthead.W006",
            )
        ]
    return []


@register(Tags.compatibility)
def check_dkim_key(app_configs: object = None, **kwargs: object) -> list:
    """A configured DKIM key must load, or every send would fail at its first message."""
    try:
        DKIMSigner.from_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="masthead.E002")]
    return []


@register(Tags.security, deploy=True)
def check_stripe_keys(app_configs: object = None, **kwargs: object) -> list:
    """Stripe needs both keys: one to take payments, the other to learn that they were paid.

    A secret key without the webhook secret takes readers' money while every notification
    is refused (no ledger row, no membership); a webhook secret alone takes nothing.
    """
    key, hook = settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET
    uses_stripe = any("stripe" in names for names in settings.PAYMENT_PROVIDERS.values())
    problems = []
    if key and not hook:
        problems.append(
            Warning(
                "MASTHEAD_STRIPE_SECRET_KEY is set but MASTHEAD_STRIPE_WEBHOOK_SECRET is "
                "empty: every Stripe notification will be refused, so payments never reach "
                "the ledger.",
                hint="Add an endpoint for /webhooks/payments/stripe/ in Stripe's Dashboard "
                "and set its signing secret (whsec_...).",
                id="masthead.W030",
            )
        )
    if hook and not key:
        problems.append(
            Warning(
                "MASTHEAD_STRIPE_WEBHOOK_SECRET is set but MASTHEAD_STRIPE_SECRET_KEY is "
                "empty: Stripe notifications cannot be applied (each fetches its object).",
                hint="Set MASTHEAD_STRIPE_SECRET_KEY (sk_live_... or a restricted key).",
                id="masthead.W031",
            )
        )
    if uses_stripe and not (key and hook):
        problems.append(
            Error(
                "MASTHEAD_PAYMENT_PROVIDERS names stripe, but its keys are not both set.",
                hint="Set MASTHEAD_STRIPE_SECRET_KEY and MASTHEAD_STRIPE_WEBHOOK_SECRET.",
                id="masthead.E030",
            )
        )
    if settings.STRIPE_API_BASE:
        problems.append(
            Warning(
                f"MASTHEAD_STRIPE_API_BASE sends Stripe calls to {settings.STRIPE_API_BASE}, "
                "not to Stripe.",
                hint="It is for local stand-ins of Stripe's API (tests); unset it.",
                id="masthead.W032",
            )
        )
    return problems


# --- Mercado Pago (funding, issue 9) ------------------------------------------------------


@register(Tags.security, deploy=True)
def check_mercadopago(app_configs: object = None, **kwargs: object) -> list:
    """Mercado Pago's notifications are refused unless their signature can be checked.

    With an access token but no webhook secret, checkouts start and readers pay, but every
    notification is refused, so no payment reaches the ledger and no membership starts.
    """
    problems = []
    named = any("mercadopago" in names for names in settings.PAYMENT_PROVIDERS.values())
    if settings.MERCADOPAGO_ACCESS_TOKEN and not settings.MERCADOPAGO_WEBHOOK_SECRET:
        problems.append(
            Warning(
                "MASTHEAD_MERCADOPAGO_ACCESS_TOKEN is set but MASTHEAD_MERCADOPAGO_WEBHOOK_SECRET "
                "is empty: every Mercado Pago notification will be refused, and no payment "
                "will reach the ledger.",
                hint="Copy the secret signature from Mercado Pago's panel (Your integrations "
                "→ Webhooks) and point its Webhooks at /webhooks/payments/mercadopago/.",
                id="masthead.W033",
            )
        )
    if named and not settings.MERCADOPAGO_ACCESS_TOKEN:
        problems.append(
            Warning(
                "MASTHEAD_PAYMENT_PROVIDERS names mercadopago but "
                "MASTHEAD_MERCADOPAGO_ACCESS_TOKEN is empty: its checkouts will fail.",
                hint="Set the production access token from Mercado Pago's panel.",
                id="masthead.W034",
            )
        )
    return problems


_WHATSAPP_SENDING = (
    ("MASTHEAD_WHATSAPP_TOKEN", "WHATSAPP_TOKEN"),
    ("MASTHEAD_WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_PHONE_NUMBER_ID"),
    ("MASTHEAD_WHATSAPP_APP_SECRET", "WHATSAPP_APP_SECRET"),
)


@register(Tags.security, deploy=True)
def check_whatsapp(app_configs: object = None, **kwargs: object) -> list:
    """WhatsApp updates switch on only with all three sending settings; half of them is a
    silent "off", and without the verify token Meta cannot subscribe the webhook, so STOP
    replies and delivery statuses never arrive."""
    given = [name for name, setting in _WHATSAPP_SENDING if getattr(settings, setting)]
    problems = []
    if given and len(given) < len(_WHATSAPP_SENDING):
        missing = [name for name, _setting in _WHATSAPP_SENDING if name not in given]
        problems.append(
            Warning(
                f"WhatsApp updates are off: {', '.join(missing)} is empty.",
                hint="Set the token, the phone number id and the app secret (docs/channels.md).",
                id="masthead.W050",
            )
        )
    if len(given) == len(_WHATSAPP_SENDING) and not settings.WHATSAPP_VERIFY_TOKEN:
        problems.append(
            Warning(
                "MASTHEAD_WHATSAPP_VERIFY_TOKEN is empty: Meta cannot subscribe "
                "/webhooks/whatsapp/, so STOP replies and delivery statuses are never received.",
                hint="Set any long random string, and type the same one into Meta's webhook "
                "set-up (docs/channels.md).",
                id="masthead.W051",
            )
        )
    return problems
