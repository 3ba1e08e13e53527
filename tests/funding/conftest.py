"""Funding fixtures: a plan with monthly and annual prices, a current campaign, a reader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.audience.models import Reader
from masthead.funding import providers
from masthead.funding.models import Campaign, CampaignText, Interval, Plan, PlanPrice, PlanText
from tests.conftest import use_smtp_server
from tests.smtp_sink import Sink


@pytest.fixture(autouse=True)
def _fresh_providers():
    """Adapters are built once per process from settings; tests change the settings."""
    providers.clear_cache()
    yield
    providers.clear_cache()


@pytest.fixture
def smtp_sink(settings):
    with Sink() as running:
        use_smtp_server(settings, running.port)
        yield running.handler


@pytest.fixture
def plan(db):
    plan = Plan.objects.create(slug="member", trial_days=0)
    PlanText.objects.create(
        plan=plan, language="en", name="Member", benefits="Every interview\nThe archive"
    )
    PlanText.objects.create(
        plan=plan, language="es", name="Socio", benefits="Todas las entrevistas\nEl archivo"
    )
    PlanPrice.objects.create(plan=plan, interval=Interval.MONTH, currency="USD", amount=500)
    PlanPrice.objects.create(plan=plan, interval=Interval.YEAR, currency="USD", amount=5000)
    PlanPrice.objects.create(plan=plan, interval=Interval.MONTH, currency="PEN", amount=1800)
    PlanPrice.objects.create(plan=plan, interval=Interval.YEAR, currency="PEN", amount=18000)
    return plan


@pytest.fixture
def campaign(db):
    now = timezone.now()
    campaign = Campaign.objects.create(
        slug="drive-2026",
        goal=5_000_000,
        currency="USD",
        starts_at=now - dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=20, hours=1),
    )
    CampaignText.objects.create(
        campaign=campaign,
        language="en",
        title="Keep the long interviews coming",
        story="Fifty thousand dollars keeps five editors writing for a year.",
    )
    CampaignText.objects.create(
        campaign=campaign,
        language="es",
        title="Que sigan las entrevistas largas",
        story="Cincuenta mil dólares sostienen a cinco editores durante un año.",
    )
    return campaign


@pytest.fixture
def reader(db):
    return Reader.objects.create(
        email="ana@example.org", language="en", email_confirmed_at=timezone.now()
    )
