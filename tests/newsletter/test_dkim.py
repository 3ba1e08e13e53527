"""DKIM signing (lib/dkim_backend.py), verified by dkimpy on the bytes the sink received.

The key is made per test run with openssl; DNS is a stub that answers for the selector.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess

import dkim
import pytest
from django.core import mail

import masthead.settings
from masthead.checks import check_dkim_key
from masthead.newsletter import sending, services
from tests.newsletter import factories

OPENSSL = shutil.which("openssl")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not OPENSSL, reason="needs openssl to make a key"),
]

SELECTOR = "s1"
DOMAIN = "example.org"
DKIM_BACKEND = "masthead.lib.dkim_backend.DKIMEmailBackend"
SETTINGS_FILE = masthead.settings.__file__


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    """(path to a PEM private key, its DNS TXT record)."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "dkim.pem"
    subprocess.run(
        [OPENSSL, "genrsa", "-out", str(private), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        [OPENSSL, "rsa", "-in", str(private), "-pubout"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    body = "".join(line for line in public.splitlines() if not line.startswith("-----"))
    return private, f"v=DKIM1; k=rsa; p={body}".encode()


@pytest.fixture
def dns(key_pair):
    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return key_pair[1] if name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode() else None

    return lookup


@pytest.fixture
def signing(settings, sink, key_pair):
    settings.EMAIL_BACKEND = DKIM_BACKEND  # the sink fixture pointed Django's SMTP backend at it
    settings.DKIM_PRIVATE_KEY_FILE = str(key_pair[0])
    settings.DKIM_SELECTOR = SELECTOR
    settings.DKIM_DOMAIN = ""
    settings.DEFAULT_FROM_EMAIL = f"The Gazette <news@{DOMAIN}>"
    return sink


def send_edition(count: int = 2) -> None:
    daily = factories.newsletter(name="Boletín Año", sender_name="La Gaceta Señorial")
    for i in range(count):
        factories.subscriber(daily, f"reader{i}@example.net")
    sending.send_edition(edition=services.create_edition(newsletter=daily, subject="Año nuevo"))


def signature_tags(raw: bytes) -> dict[str, str]:
    header = raw.split(b"\r\n\r\n", 1)[0].decode()
    match = re.search(r"^DKIM-Signature:(.*?)(?=^\S)", header + "\r\nX:", re.M | re.S)
    assert match, "no DKIM-Signature header"
    value = re.sub(r"\s+", "", match.group(1))
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)


def replace_header(raw: bytes, name: bytes, value: bytes) -> bytes:
    head, body = raw.split(b"\r\n\r\n", 1)
    # Unfold first, so the whole (possibly folded) header is replaced.
    lines = re.sub(rb"\r\n[ \t]", b" ", head).split(b"\r\n")
    out = [
        name + b": " + value if line.lower().startswith(name.lower() + b":") else line
        for line in lines
    ]
    assert out != lines, f"{name!r} not found"
    return b"\r\n".join(out) + b"\r\n\r\n" + body


def test_every_newsletter_message_verifies_and_signs_the_list_headers(signing, dns):
    send_edition()
    received = signing.received
    assert len(received) == 2
    for copy in received:
        assert dkim.verify(copy.raw, dnsfunc=dns)
        tags = signature_tags(copy.raw)
        assert tags["d"] == DOMAIN and tags["s"] == SELECTOR
        signed = set(tags["h"].lower().split(":"))
        assert {
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "list-id",
            "list-unsubscribe",
            "list-unsubscribe-post",
        } <= signed


def test_a_newsletter_name_as_long_as_the_field_allows_is_signed_and_verifies(signing, dns):
    # 120 accented characters: a List-Id folded over several lines (issue 8).
    name = ("Boletín de la Asociación Española de Periodismo Único " + "ñáéíóú" * 20)[:120]
    daily = factories.newsletter(name=name, slug="largo", sender_name=name)
    factories.subscriber(daily, "reader@example.net")
    sending.send_edition(edition=services.create_edition(newsletter=daily, subject="Año"))
    [copy] = signing.received
    assert dkim.verify(copy.raw, dnsfunc=dns)
    assert str(copy.parsed()["List-Id"]) == f"{name} <largo.{DOMAIN}>"
    assert "list-id" in signature_tags(copy.raw)["h"].lower().split(":")


def test_a_changed_list_unsubscribe_header_fails_verification(signing, dns):
    send_edition(count=1)
    raw = signing.received[0].raw
    assert dkim.verify(raw, dnsfunc=dns)
    forged = replace_header(raw, b"List-Unsubscribe", b"<https://evil.example/u>")
    assert not dkim.verify(forged, dnsfunc=dns)
    no_one_click = replace_header(raw, b"List-Unsubscribe-Post", b"List-Unsubscribe=Nope")
    assert not dkim.verify(no_one_click, dnsfunc=dns)


def test_a_changed_body_fails_verification(signing, dns):
    send_edition(count=1)
    raw = signing.received[0].raw
    assert not dkim.verify(raw.replace(b"unsubscribe", b"unsubscr1be", 1), dnsfunc=dns)


def test_other_mail_is_signed_too_and_list_headers_cannot_be_added(signing, dns):
    mail.send_mail("Confirm", "Click the link.", None, ["new@example.net"])
    raw = signing.received[0].raw
    assert dkim.verify(raw, dnsfunc=dns)
    # Signed as absent: a relay adding a List-Unsubscribe breaks the signature.
    added = raw.replace(b"\r\n\r\n", b"\r\nList-Unsubscribe: <https://evil.example/u>\r\n\r\n", 1)
    assert not dkim.verify(added, dnsfunc=dns)


def test_a_configured_signing_domain_is_used(signing, settings, key_pair):
    settings.DKIM_DOMAIN = "mail.example.org"
    mail.send_mail("Hi", "Body.", None, ["x@example.net"])
    raw = signing.received[0].raw
    assert signature_tags(raw)["d"] == "mail.example.org"

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        return key_pair[1] if name == b"s1._domainkey.mail.example.org." else None

    assert dkim.verify(raw, dnsfunc=lookup)


@pytest.mark.parametrize("backend", ["django.core.mail.backends.smtp.EmailBackend", DKIM_BACKEND])
def test_without_a_key_messages_are_unsigned(settings, sink, backend):
    settings.EMAIL_BACKEND = backend
    settings.DKIM_PRIVATE_KEY_FILE = ""
    send_edition(count=1)
    assert b"DKIM-Signature" not in sink.received[0].raw
    assert check_dkim_key() == []


class TestKeyCheck:
    def test_a_good_key_passes(self, settings, key_pair):
        settings.DKIM_PRIVATE_KEY_FILE = str(key_pair[0])
        settings.DKIM_SELECTOR = SELECTOR
        assert check_dkim_key() == []

    def test_a_missing_key_file_is_an_error_naming_it(self, settings, tmp_path):
        settings.DKIM_PRIVATE_KEY_FILE = str(tmp_path / "nope.pem")
        settings.DKIM_SELECTOR = SELECTOR
        [error] = check_dkim_key()
        assert error.id == "masthead.E002"
        assert "nope.pem does not exist" in error.msg

    def test_a_file_that_is_not_a_key_is_an_error(self, settings, tmp_path):
        bogus = tmp_path / "bogus.pem"
        bogus.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
        settings.DKIM_PRIVATE_KEY_FILE = str(bogus)
        settings.DKIM_SELECTOR = SELECTOR
        [error] = check_dkim_key()
        assert "not a PEM RSA private key" in error.msg

    def test_a_directory_is_an_error(self, settings, tmp_path):
        settings.DKIM_PRIVATE_KEY_FILE = str(tmp_path)
        settings.DKIM_SELECTOR = SELECTOR
        [error] = check_dkim_key()
        assert "is a directory" in error.msg

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
    def test_an_unreadable_key_is_an_error(self, settings, tmp_path, key_pair):
        locked = tmp_path / "locked.pem"
        locked.write_bytes(key_pair[0].read_bytes())
        locked.chmod(0)
        settings.DKIM_PRIVATE_KEY_FILE = str(locked)
        settings.DKIM_SELECTOR = SELECTOR
        [error] = check_dkim_key()
        assert "cannot be read" in error.msg

    def test_a_key_without_a_selector_is_an_error(self, settings, key_pair):
        settings.DKIM_PRIVATE_KEY_FILE = str(key_pair[0])
        settings.DKIM_SELECTOR = ""
        [error] = check_dkim_key()
        assert "MASTHEAD_DKIM_SELECTOR" in error.msg


def _email_backend(monkeypatch, tmp_path, **env: str) -> str:
    """EMAIL_BACKEND as settings.py computes it from ``env`` (run afresh, in-process)."""
    monkeypatch.setenv("MASTHEAD_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))["EMAIL_BACKEND"]


def test_a_key_switches_the_smtp_backend_to_the_signing_one(monkeypatch, tmp_path, key_pair):
    smtp = {"EMAIL_URL": "smtp://127.0.0.1:2525"}
    assert _email_backend(monkeypatch, tmp_path, **smtp).endswith("smtp.EmailBackend")
    keyed = {**smtp, "MASTHEAD_DKIM_PRIVATE_KEY_FILE": str(key_pair[0])}
    assert _email_backend(monkeypatch, tmp_path, **keyed) == DKIM_BACKEND
    # Another backend (console, an ESP's API) is left alone: it is not ours to sign for.
    console = {"EMAIL_URL": "consolemail://"}
    assert _email_backend(monkeypatch, tmp_path, **console).endswith("console.EmailBackend")
