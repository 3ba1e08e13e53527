"""Users and data for the readers' admin tests."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from masthead.audience.models import ConsentEvent, Newsletter, Reader, Subscription


def newsletter(slug: str = "daily", language: str = "en", name: str = "") -> Newsletter:
    return Newsletter.objects.create(
        name=name or slug.title(), slug=slug, language=language, sender_name="The Gazette"
    )


def subscribe(
    reader: Reader,
    newsletter: Newsletter,
    status: str = Subscription.Status.CONFIRMED,
    *,
    at: dt.datetime,
    unsubscribed_at: dt.datetime | None = None,
    source: str = Subscription.Source.FORM,
) -> Subscription:
    """A subscription as the services would have left it, with its consent log."""
    sub = Subscription.objects.create(
        reader=reader,
        newsletter=newsletter,
        status=status,
        source=source,
        consented_at=at,
        confirmed_at=at if status != Subscription.Status.PENDING else None,
        unsubscribed_at=unsubscribed_at,
    )
    log = [(ConsentEvent.Kind.SUBSCRIBE, at)]
    if sub.confirmed_at:
        log.append((ConsentEvent.Kind.CONFIRM, sub.confirmed_at))
    if unsubscribed_at:
        log.append((ConsentEvent.Kind.UNSUBSCRIBE, unsubscribed_at))
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            reader=reader,
            newsletter=newsletter,
            kind=kind,
            at=moment,
            source=source,
            was_confirmed=kind == ConsentEvent.Kind.UNSUBSCRIBE and sub.confirmed_at is not None,
        )
        for kind, moment in log
    )
    return sub


def superuser():
    return get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")


def editor(*codenames: str, app_label: str = "audience"):
    """An admin user who may use the Wagtail admin, plus the named permissions of an app."""
    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw")
    group = Group.objects.create(name="Reader tools test editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user.groups.add(group)
    return user


def reader_without_admin_access():
    return get_user_model().objects.create_user("reader", "someone@example.org", "pw")
