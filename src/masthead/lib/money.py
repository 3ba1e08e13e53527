"""Money as integer minor units plus an ISO 4217 code (DESIGN.md: never floats).

The table of minor-unit exponents is written here rather than taken from Babel, which
Masthead does not otherwise need: these are the currencies a reader-funded publication in
the Americas and Europe takes, and a code outside the table is refused, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

EXPONENTS = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "PEN": 2,
    "MXN": 2,
    "BRL": 2,
    "ARS": 2,
    "COP": 2,
    "UYU": 2,
    "CLP": 0,
}
SYMBOLS = {"USD": "US$", "EUR": "€", "GBP": "£", "PEN": "S/", "MXN": "MX$", "BRL": "R$"}


class MoneyError(ValueError):
    """An amount or currency that cannot be money: the message says what is wrong."""


@dataclass(frozen=True)
class Money:
    amount: int  # minor units
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:
            raise MoneyError("Amounts are whole minor units.")
        exponent(self.currency)

    @property
    def major(self) -> Decimal:
        return to_major(self.amount, self.currency)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"Unknown currency: {currency!r}.") from None


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-exponent(currency))


def to_minor(value: str | Decimal | int, currency: str) -> int:
    """``value`` in major units ("25", "25.50", "25,50") as minor units.

    Refuses more decimals than the currency has (no silent rounding of what a reader typed).
    """
    places = exponent(currency)
    text = str(value).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MoneyError("Enter an amount such as 25 or 25.50.") from None
    if not number.is_finite():
        raise MoneyError("Enter an amount such as 25 or 25.50.")
    scaled = number.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{currency} amounts have at most {places} decimal places.")
    return int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


def format_money(amount: int, currency: str, *, use_l10n: bool = True) -> str:
    """``amount`` for people: "US$25.00", "S/50.00", "€10,00" (in the active language)."""
    places = exponent(currency)
    number = number_format(
        to_major(amount, currency), places, use_l10n=use_l10n, force_grouping=True
    )
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency}"
