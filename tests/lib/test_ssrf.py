"""The SSRF guard: a guarded client reaches public addresses only, checked after DNS
resolution, on every connection (redirects included), with a canary that must see nothing.

The canary is a real HTTP server on 127.0.0.2 (RELIABILITY.md S4): if any request got
through, its log would show it.
"""

from __future__ import annotations

import ipaddress

import httpx
import pytest

from masthead.lib import ssrf
from tests.channels.webhook_receiver import running


@pytest.fixture
def canary():
    with running("127.0.0.2") as canary:
        yield canary


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.0.0.2",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 (the address under test)
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert not ssrf.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are(address):
    assert ssrf.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.2",
        "localhost",  # a name that resolves to loopback
        "2130706434",  # 127.0.0.2 as one decimal number
        "0x7f000002",
        "127.2",  # inet_aton's short form of 127.0.0.2
    ],
)
def test_names_and_encodings_that_resolve_inside_are_refused(canary, host):
    port = canary.url.split(":")[2].split("/")[0]
    with ssrf.client(allow_private=False) as client, pytest.raises(ssrf.BlockedAddress):
        client.post(f"http://{host}:{port}/hooks", content=b"{}")
    assert canary.calls == []


def test_ipv6_loopback_is_refused():
    with ssrf.client(allow_private=False) as client, pytest.raises(ssrf.BlockedAddress):
        client.get("http://[::1]:9/")


def test_a_redirect_to_an_inside_address_is_refused(canary):
    # The first hop is allowed (an operator's own network), the redirect is not.
    allowed = [ipaddress.ip_network("127.0.0.1/32")]
    with running(script=[("redirect", canary.url)]) as first:
        with (
            ssrf.client(
                allow_private=False, allowed_networks=allowed, follow_redirects=True
            ) as client,
            pytest.raises(ssrf.BlockedAddress),
        ):
            client.post(first.url, content=b"{}")
        assert len(first.calls) == 1
    assert canary.calls == []


def test_an_allowed_network_is_reachable():
    allowed = [ipaddress.ip_network("127.0.0.0/30")]
    with running() as receiver:
        with ssrf.client(allow_private=False, allowed_networks=allowed) as client:
            assert client.post(receiver.url, content=b"{}").status_code == 200
        assert len(receiver.calls) == 1


def test_allow_private_turns_the_check_off_for_development(canary):
    with ssrf.client(allow_private=True) as client:
        assert client.post(canary.url, content=b"{}").status_code == 200
    assert len(canary.calls) == 1


def test_an_unresolvable_name_is_a_connection_error_not_a_crash():
    with ssrf.client(allow_private=False) as client, pytest.raises(httpx.ConnectError):
        client.get("http://no-such-host.invalid/")


def test_environment_proxies_are_ignored(monkeypatch, canary):
    # A proxy on loopback would otherwise be connected to instead of the checked host.
    monkeypatch.setenv("HTTP_PROXY", canary.url)
    monkeypatch.setenv("ALL_PROXY", canary.url)
    with ssrf.client(allow_private=False) as client, pytest.raises(ssrf.BlockedAddress):
        client.get("http://10.0.0.1:9/")
    assert canary.calls == []
