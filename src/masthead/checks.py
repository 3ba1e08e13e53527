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


@register(Tags.compatibility)
def check_dkim_key(app_configs: object = None, **kwargs: object) -> list:
    """A configured DKIM key must load, or every send would fail at its first message."""
    try:
        DKIMSigner.from_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="masthead.E002")]
    return []
