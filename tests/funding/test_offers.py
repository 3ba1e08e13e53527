"""Offer codes (funding/offers.py): which may be used, and what they take off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.funding import offers
from masthead.funding.models import Checkout, Offer

pytestmark = pytest.mark.django_db


def make(**fields) -> Offer:
    values = {
        "code": "spring",
        "kind": Offer.Kind.PERCENT,
        "percent_off": 25,
        "duration": Offer.Duration.ONCE,
    }
    values.update(fields)
    return Offer.objects.create(**values)


def fixed(amount_off: int, currency: str = "USD", **fields) -> Offer:
    return make(
        kind=Offer.Kind.FIXED, percent_off=None, amount_off=amount_off, currency=currency, **fields
    )


class TestFind:
    def test_a_code_is_found_whatever_its_case_and_spaces(self):
        spring = make()
        assert offers.find(" Spring ", currency="USD") == spring

    def test_a_percent_code_works_in_every_currency(self):
        make()
        assert offers.find("spring", currency="PEN").percent_off == 25

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"code": "other"}, "There is no offer with this code."),
            ({"active": False}, "This offer is no longer available."),
            ({"expires_at": dt.timedelta(seconds=-1)}, "This offer has expired."),
        ],
    )
    def test_an_unusable_code_says_why(self, fields, message):
        if "expires_at" in fields:
            fields["expires_at"] = timezone.now() + fields["expires_at"]
        make(**fields)
        with pytest.raises(offers.OfferError, match=message):
            offers.find("spring", currency="USD")

    def test_a_code_that_has_not_expired_yet_is_fine(self):
        make(expires_at=timezone.now() + dt.timedelta(hours=1))
        assert offers.find("spring", currency="USD")

    def test_a_fixed_code_is_for_its_own_currency_only(self):
        fixed(100, "PEN")
        with pytest.raises(offers.OfferError, match="for payments in PEN; you chose USD"):
            offers.find("spring", currency="USD")
        assert offers.find("spring", currency="PEN")

    def test_only_completed_checkouts_use_a_code_up(self):
        spring = make(max_redemptions=2)
        for status in (Checkout.Status.OPEN, Checkout.Status.FAILED, Checkout.Status.COMPLETE):
            Checkout.objects.create(
                kind="membership",
                provider="local",
                amount=1,
                currency="USD",
                offer=spring,
                status=status,
            )
        assert offers.times_used(spring) == 1
        assert offers.find("spring", currency="USD") == spring
        Checkout.objects.create(
            kind="membership",
            provider="local",
            amount=1,
            currency="USD",
            offer=spring,
            status=Checkout.Status.COMPLETE,
        )
        with pytest.raises(offers.OfferError, match="used up"):
            offers.find("spring", currency="USD")


class TestFirstAmount:
    def test_no_offer_changes_nothing(self):
        assert offers.first_amount(None, 500) == 500

    def test_a_percent_discount_is_rounded_in_the_readers_favour(self):
        assert offers.first_amount(make(percent_off=25), 500) == 375
        assert (
            offers.first_amount(make(code="third", percent_off=33), 999) == 669
        )  # 329.67 off → 330

    def test_a_full_discount_is_free(self):
        assert offers.first_amount(make(percent_off=100), 500) == 0

    def test_a_fixed_discount_never_goes_below_zero(self):
        assert offers.first_amount(fixed(100), 500) == 400
        assert offers.first_amount(fixed(900, code="big"), 500) == 0


class TestDescribe:
    def test_it_says_what_and_for_how_long(self):
        assert offers.describe(make()) == "25% off the first payment"
        repeating = make(code="r", duration=Offer.Duration.REPEATING, duration_months=3)
        assert offers.describe(repeating) == "25% off every payment for 3 months"
        assert offers.describe(fixed(100, code="f", duration=Offer.Duration.FOREVER)) == (
            "US$1.00 off every payment"
        )
