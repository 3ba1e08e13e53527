"""Payment providers: one interface (base.Provider), one adapter module per outside API.

Which providers are on, and which takes each currency, are settings
(``MASTHEAD_PAYMENT_PROVIDERS``: "PEN:mercadopago,USD:stripe,EUR:stripe"; a currency may
list several, "USD:stripe|mercadopago", and the reader then chooses). Adapters are
imported on first use, so an install without Stripe keys never builds a Stripe client.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from django.conf import settings

from masthead.funding.providers.base import Provider

_ADAPTERS = {
    "local": "masthead.funding.providers.local.LocalProvider",
    "stripe": "masthead.funding.providers.stripe.StripeProvider",
    "mercadopago": "masthead.funding.providers.mercadopago.MercadoPagoProvider",
}


class UnknownProvider(LookupError):  # noqa: N818 (reads better at call sites)
    """No provider of that name is switched on."""


def enabled_names() -> list[str]:
    names: list[str] = []
    for choices in settings.PAYMENT_PROVIDERS.values():
        names += [name for name in choices if name not in names]
    return names


@cache
def _build(name: str) -> Provider:
    module_name, _, class_name = _ADAPTERS[name].rpartition(".")
    return getattr(import_module(module_name), class_name)()


def get(name: str) -> Provider:
    """The adapter for ``name``; UnknownProvider if it is not switched on."""
    if name not in _ADAPTERS or name not in enabled_names():
        raise UnknownProvider(name)
    return _build(name)


def currencies() -> list[str]:
    """The publication's currencies, in the order the settings give them."""
    return list(settings.PAYMENT_PROVIDERS)


def for_currency(currency: str) -> list[Provider]:
    return [get(name) for name in settings.PAYMENT_PROVIDERS.get(currency, [])]


def clear_cache() -> None:
    """Forget built adapters (tests change settings)."""
    _build.cache_clear()
