"""Fixed-window rate limits on Django's cache, and the client address to key them on.

Why not django-ratelimit: its keys read raw request fields (``post:email``), while we key
on the *normalised* address a service computes; it reads REMOTE_ADDR only, so we would
supply the trusted-proxy address ourselves anyway; and it refuses non-shared caches such as
the demo's local-memory cache in its system checks. What is left is ~40 lines.

A fixed window lets through at most twice the limit across a window boundary; for "a few
emails an hour" that is acceptable and far simpler than a sliding log.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for ``key`` in ``scope``; False once the window's limit is passed."""
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no addresses in cache keys
    cache_key = f"ratelimit:{scope}:{window}:{digest}"
    # add() then incr() is atomic on Redis and locmem, so concurrent requests cannot both
    # read "limit - 1" and pass.
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add() and incr(): start the window again
        cache.add(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count <= limit


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
