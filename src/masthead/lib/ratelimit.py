"""Fixed-window rate limits shared by every process, and the client address to key them on.

A limit only holds if every process counts on one counter: gunicorn's workers, a second
server, the task worker (issue 8: two workers each kept their own count in local memory and
let twice the limit through). And the count must be atomic across processes, or two
requests at once both read "limit - 1" and pass. Django's cache API gives neither on the
embedded install: local memory is per process, and the file and database caches implement
incr() as get then set. So the counters live in

- Redis when ``REDIS_URL`` is set: INCR and EXPIREAT in one MULTI, so a key can never
  be left without its expiry (Django's incr() checks the key exists, then increments: a
  key that expires in between would come back with no TTL and stay forever);
- otherwise the ``lib_ratelimit`` table in the default database (created by this
  package's migration; lib has no models), counted by one
  ``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits``. That statement is
  atomic on PostgreSQL (a row lock) and SQLite ≥ 3.35 (one writer at a time), needs no
  second service, and reaches every process that reaches the database. The first hit of
  a window deletes the windows that have ended, so the table holds only live ones.

Each window has its own counter (the window number is in its name), so a new window starts
from zero without a reset, and an ended one is just deleted.

Why not django-ratelimit: its keys read raw request fields (``post:email``), while we key
on the *normalised* address a service computes; it reads REMOTE_ADDR only, so we would
supply the trusted-proxy address ourselves anyway; and it counts through Django's cache,
whose incr() is not atomic on the embedded install (above).

A fixed window lets through at most twice the limit across a window boundary; for "a few
emails an hour" that is acceptable and far simpler than a sliding log.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

if TYPE_CHECKING:
    import redis

TABLE = "lib_ratelimit"


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for ``key`` in ``scope``; False once the window's limit is passed.

    Every process sees the same count, and concurrent calls never let more than ``limit``
    through in one window. On the database store the count is written on the default
    connection: inside a transaction it commits (or rolls back) with it.
    """
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no addresses in counter names
    counter = f"{scope}:{window}:{digest}"
    ends_at = (window + 1) * window_seconds
    if settings.RATELIMIT_REDIS_URL:
        count = _count_in_redis(counter, ends_at)
    else:
        count = _count_in_database(counter, ends_at)
    return count <= limit


def _count_in_database(counter: str, ends_at: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (counter, hits, expires) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (counter) DO UPDATE SET hits = {TABLE}.hits + 1 RETURNING hits",
            [counter, ends_at],
        )
        (count,) = cursor.fetchone()
        if count == 1:
            # Once per new window, not per hit: the sweep costs one indexed delete.
            cursor.execute(f"DELETE FROM {TABLE} WHERE expires <= %s", [int(time.time())])  # noqa: S608
    return count


_redis_clients: dict[str, redis.Redis] = {}
_redis_lock = threading.Lock()


def _redis(url: str) -> redis.Redis:
    # One client (one connection pool) per process, made under a lock: a second client
    # made by a racing thread would be dropped, and redis-py closes a dropped client's
    # connections even while a pipeline of that thread is using them.
    with _redis_lock:
        if url not in _redis_clients:
            import redis

            _redis_clients[url] = redis.Redis.from_url(url)
        return _redis_clients[url]


def _count_in_redis(counter: str, ends_at: int) -> int:
    name = f"masthead:ratelimit:{counter}"
    pipeline = _redis(settings.RATELIMIT_REDIS_URL).pipeline(transaction=True)
    # EXPIREAT names the window's end, the same for every hit, so repeating it is harmless.
    pipeline.incr(name)
    pipeline.expireat(name, ends_at + 5)
    count, _ = pipeline.execute()
    return count


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the Nth-from-right X-Forwarded-For entry.

    A client can write any X-Forwarded-For it likes; only the entries our own N proxies
    appended (settings.TRUSTED_PROXY_COUNT) can be believed, so the leftmost entry never is.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            remote = forwarded[-count]
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if address.version == 6:
        # One IPv6 subscriber usually holds a whole /64: key on the network, not the host.
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
