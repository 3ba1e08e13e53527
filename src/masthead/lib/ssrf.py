"""Outgoing HTTP to addresses someone typed in: no request may reach the inside network.

An editor (or whoever takes over an editor's account) can name any URL as a webhook
endpoint; without a guard, "http://169.254.169.254/" or "http://10.0.0.5:6379/" makes the
server attack its own network (server-side request forgery: Ghost's CVE-2026-53946,
RELIABILITY.md S4). Checking the URL's host is not enough: a name can resolve to 127.0.0.1
("localhost", a DNS record an attacker controls, "2130706433"), resolve differently on the
second lookup (DNS rebinding), or an allowed host can redirect to an internal one.

So the check sits at the lowest place: the connection itself. ``client()`` returns an
``httpx.Client`` whose every TCP connection (the first request's, and every redirect's)
resolves the host once, refuses if any of its addresses is not public, and connects to the
address it checked, never resolving again. TLS still verifies the certificate against the
host name (httpcore gives the name, not the address, to the TLS layer).

Public means ``ipaddress``'s ``is_global``: not loopback, private (RFC 1918, fc00::/7),
link-local (169.254/16, fe80::/10, the cloud metadata address), shared (100.64/10),
unspecified or reserved; IPv4 inside IPv6 (``::ffff:127.0.0.1``) is checked as IPv4.
``allow_private=True`` (development and tests) turns the check off; ``allowed_networks``
lets an operator name a network of their own (a receiver on their LAN) in production.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(httpx.ConnectError):
    """The host resolves to an address that outgoing requests may not reach.

    A ``ConnectError``, so callers that retry connection failures see it as one; the
    message names the host and the address, never what a response said.
    """


class Unresolvable(httpx.ConnectError):
    """The host name does not resolve (now): a connection error, possibly temporary."""


def parse_networks(values: Iterable[str]) -> list[Network]:
    """``["192.168.10.0/24", "10.1.2.3"]`` as networks; ValueError names a bad one."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_host(host: str, port: int, *, allowed_networks: Sequence[Network] = ()) -> str:
    """Resolve ``host`` and return the address to connect to, or raise BlockedAddress.

    Every address the name resolves to must be public (or in ``allowed_networks``): a name
    with one public and one private address is refused, since either may be used.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"Cannot resolve {host}: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not is_public(address) and not any(address in net for net in allowed_networks):
            raise BlockedAddress(
                f"{host} resolves to {address}, which is not a public address: refused"
            )
    if not addresses:
        raise Unresolvable(f"Cannot resolve {host}")
    return str(addresses[0])


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses ``check_host`` accepts."""

    def __init__(self, allowed_networks: Sequence[Network]) -> None:
        self.allowed_networks = tuple(allowed_networks)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        address = check_host(host, port, allowed_networks=self.allowed_networks)
        return super().connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    def connect_unix_socket(self, *args: object, **kwargs: object) -> httpcore.NetworkStream:
        raise BlockedAddress("Unix sockets are not reachable from outgoing requests")


def client(
    *,
    allow_private: bool,
    allowed_networks: Sequence[Network] = (),
    timeout: float = 10.0,
    **kwargs: object,
) -> httpx.Client:
    """An ``httpx.Client`` that can reach only public addresses (unless ``allow_private``).

    ``trust_env=False``: a proxy from the environment would make the proxy, not this
    check, decide where the request goes.
    """
    transport = httpx.HTTPTransport(retries=0)
    if not allow_private:
        # httpx has no public setting for httpcore's network backend; the SSRF tests
        # (tests/lib/test_ssrf.py) fail if a new httpx stops honouring this one.
        transport._pool._network_backend = _GuardedBackend(allowed_networks)
    return httpx.Client(transport=transport, timeout=timeout, trust_env=False, **kwargs)
