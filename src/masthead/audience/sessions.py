"""Reader sessions: who is signed in, kept in Django's session, apart from staff accounts.

Readers are not ``django.contrib.auth`` users (those are the newsroom's staff), so this is
the small part of ``django.contrib.auth.login``/``get_user`` that readers need. The session
holds the reader's id and an HMAC of their address: when the address changes or the reader
is erased, every other session fails the check and ends (the way Django binds a session
to the password hash).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from masthead.audience.models import Reader

READER_KEY = "masthead.reader"
HASH_KEY = "masthead.reader_hash"
_SALT = "masthead.audience.sessions"


def _address_hash(reader: Reader) -> str:
    return salted_hmac(
        _SALT, f"{reader.pk}:{reader.email.lower()}", algorithm="sha256"
    ).hexdigest()


def sign_in(request: HttpRequest, reader: Reader) -> None:
    """Sign ``reader`` in on this browser, under a new session key (no session fixation)."""
    session = request.session
    if session.get(READER_KEY) not in (None, reader.pk):
        # Another reader's session: start an empty one rather than inherit their data.
        session.flush()
    else:
        session.cycle_key()
    session[READER_KEY] = reader.pk
    session[HASH_KEY] = _address_hash(reader)
    request.reader = reader


def refresh(request: HttpRequest, reader: Reader) -> None:
    """Keep this session after the reader's own address change (other sessions end)."""
    request.session.cycle_key()
    request.session[HASH_KEY] = _address_hash(reader)
    request.reader = reader


def signed_in_reader(request: HttpRequest) -> Reader | None:
    """The signed-in reader, or None; a session whose address no longer matches is ended."""
    if hasattr(request, "reader"):
        return request.reader
    reader_id = request.session.get(READER_KEY)
    reader = None
    if reader_id is not None:
        reader = Reader.objects.filter(pk=reader_id).first()
        if reader is None or not constant_time_compare(
            request.session.get(HASH_KEY, ""), _address_hash(reader)
        ):
            request.session.flush()
            reader = None
    request.reader = reader
    return reader


def sign_out(request: HttpRequest) -> None:
    """End the session entirely, as Django's logout does."""
    request.session.flush()
    request.reader = None
