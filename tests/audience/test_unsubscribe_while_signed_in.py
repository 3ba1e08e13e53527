"""A signed-in reader can never be unsubscribed through someone else's link (issue 4).

The unsubscribe view (newsletter/views.py) takes its authority from the token alone; these
tests pin that down for a browser that carries a reader session.
"""

from __future__ import annotations

import pytest

from masthead.audience.models import Subscription
from masthead.newsletter.emails import unsubscribe_token

from .accounts import reader, signed_in, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada_and_bob(newsletters):
    ada, bob = reader("ada@example.org"), reader("bob@example.org")
    for who in (ada, bob):
        subscribe(who, newsletters["daily"])
        subscribe(who, newsletters["diario"])
    return ada, bob


def active(who) -> set[str]:
    return set(
        Subscription.objects.filter(reader=who, status="confirmed").values_list(
            "newsletter__slug", flat=True
        )
    )


def test_bobs_link_opened_in_adas_browser_shows_bobs_address(client, ada_and_bob, newsletters):
    ada, bob = ada_and_bob
    signed_in(ada, client)
    path = f"/newsletter/unsubscribe/{unsubscribe_token(reader_id=bob.pk, newsletter_id=newsletters['daily'].pk)}/"
    page = client.get(path).content.decode()
    assert "bob@example.org" in page
    assert "ada@example.org" not in page
    assert active(ada) == active(bob) == {"daily", "diario"}  # the GET changed nothing


def test_bobs_link_posted_from_adas_browser_unsubscribes_bob_only(
    client, ada_and_bob, newsletters
):
    ada, bob = ada_and_bob
    signed_in(ada, client)
    token = unsubscribe_token(reader_id=bob.pk, newsletter_id=newsletters["daily"].pk)
    response = client.post(f"/newsletter/unsubscribe/{token}/")
    assert response.status_code == 200
    assert active(bob) == {"diario"}  # the token's reader, the token's newsletter
    assert active(ada) == {"daily", "diario"}  # the session's reader is untouched
    assert b"Signed in as ada@example.org." in client.get("/en/account/").content
