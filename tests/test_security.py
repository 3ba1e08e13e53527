"""Hardening: security headers on reader pages, rate-limited admin sign-in."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "e@example.org", "right-pass-123")


def _fail_login(client, username, ip="10.0.0.1"):
    return client.post(
        "/admin/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


class TestReaderPageHeaders:
    def test_csp_allows_no_inline_or_third_party_script(self, client, publication):
        response = client.get(publication.flagship.url)
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"

    def test_other_protective_headers(self, client, publication):
        response = client.get("/en/")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def _directives(policy):
    return dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())


class TestPreviewHeaders:
    """The editor's preview panel frames the page; nothing else may frame a reader page."""

    def test_draft_preview_may_be_framed_by_the_admin_only(self, client, publication, editor):
        client.force_login(editor)
        response = client.get(f"/admin/pages/{publication.flagship.pk}/view_draft/")
        assert response.status_code == 200
        assert publication.flagship.title in response.content.decode()
        assert _directives(response["Content-Security-Policy"])["frame-ancestors"] == "'self'"
        assert response["X-Frame-Options"] == "SAMEORIGIN"

    def test_preview_in_the_panel_carries_wagtails_checks(
        self, client, rf, settings, publication, editor
    ):
        client.force_login(editor)
        # The panel's request, as Wagtail's PreviewOnEdit makes it: the whole middleware
        # chain, with the page's own path (outside /admin/) and the editor's session.
        request = rf.get(
            f"/admin/pages/{publication.flagship.pk}/edit/preview/",
            HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}",
        )
        request.user = editor
        page = publication.flagship.specific
        response = page.make_preview_request(
            request, page.default_preview_mode, {"in_preview_panel": True}
        )
        assert response.status_code == 200
        assert _directives(response["Content-Security-Policy"])["frame-ancestors"] == "'self'"
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        # The userbar is what reports words, reading time and readability to the panel.
        assert "wagtail-userbar-template" in response.content.decode()

    def test_reader_page_still_refuses_every_frame_after_a_preview(
        self, client, publication, editor
    ):
        client.force_login(editor)
        client.get(f"/admin/pages/{publication.flagship.pk}/view_draft/")
        client.logout()
        response = client.get(publication.flagship.url)
        assert _directives(response["Content-Security-Policy"])["frame-ancestors"] == "'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert "wagtail-userbar" not in response.content.decode()


class TestAdminSignInRateLimit:
    def test_right_password_signs_in(self, client, editor):
        response = client.post(
            "/admin/login/", {"username": "editor", "password": "right-pass-123"}
        )
        assert response.status_code == 302

    def test_five_failures_for_one_account_lock_it_with_a_clear_message(self, client, editor):
        for attempt in range(5):
            # Failures from five different addresses: the account itself is protected.
            _fail_login(client, "editor", ip=f"10.0.0.{attempt + 1}")
        response = client.post(
            "/admin/login/",
            {"username": "editor", "password": "right-pass-123"},
            REMOTE_ADDR="10.0.0.99",
        )
        assert response.status_code == 429
        assert "Too many sign-in attempts" in response.content.decode()

    def test_five_failures_from_one_address_lock_that_address(self, client, editor):
        for attempt in range(5):
            _fail_login(client, f"guess-{attempt}", ip="192.0.2.7")
        locked = client.post(
            "/admin/login/",
            {"username": "editor", "password": "right-pass-123"},
            REMOTE_ADDR="192.0.2.7",
        )
        assert locked.status_code == 429
        # ... while the editor can still sign in from elsewhere.
        elsewhere = client.post(
            "/admin/login/",
            {"username": "editor", "password": "right-pass-123"},
            REMOTE_ADDR="198.51.100.3",
        )
        assert elsewhere.status_code == 302

    def test_forged_forwarded_for_does_not_dodge_the_limit(self, client, editor):
        for attempt in range(5):
            client.post(
                "/admin/login/",
                {"username": f"guess-{attempt}", "password": "wrong"},
                REMOTE_ADDR="192.0.2.8",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
            )
        response = _fail_login(client, "guess-x", ip="192.0.2.8")
        assert response.status_code == 429

    def test_four_failures_do_not_lock(self, client, editor):
        for _ in range(4):
            _fail_login(client, "editor")
        response = client.post(
            "/admin/login/",
            {"username": "editor", "password": "right-pass-123"},
            REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 302


PRODUCTION_PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client()
secure = client.get("/robots.txt", secure=True, HTTP_HOST="magazine.example.org")
plain = client.get("/robots.txt", HTTP_HOST="magazine.example.org")
print(json.dumps({
    "headers": dict(secure.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""


def test_production_settings_send_hsts_redirect_to_https_and_secure_cookies(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_ENV": "production",
        "MASTHEAD_SECRET_KEY": "x" * 60,
        "MASTHEAD_ALLOWED_HOSTS": "magazine.example.org",
        "MASTHEAD_BASE_URL": "https://magazine.example.org",
        "MASTHEAD_DATA_DIR": str(tmp_path),
    }
    masthead = str(Path(sys.executable).with_name("masthead"))
    result = subprocess.run(
        [masthead, "manage", "shell", "-c", PRODUCTION_PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Permissions-Policy" in headers
    assert probe["plain_status"] == 301
    assert probe["plain_location"].startswith("https://magazine.example.org/")
    assert probe["cookies_secure"] == [True, True]
