"""The sign-up endpoint is the only CSRF-exempt view here; the box keeps pages cacheable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from masthead.audience import views

pytestmark = pytest.mark.django_db


def _callbacks(patterns: list, out: list) -> list:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _callbacks(entry.url_patterns, out)
        elif isinstance(entry, URLPattern):
            out.append(entry.callback)
    return out


def test_csrf_exempt_views_are_exactly_the_allow_list():
    exempt = {
        f"{cb.__module__}.{cb.__qualname__}"
        for cb in _callbacks(get_resolver().url_patterns, [])
        if getattr(cb, "csrf_exempt", False) and cb.__module__.startswith("masthead.audience")
    }
    assert exempt == views.CSRF_EXEMPT_VIEWS


def test_the_confirm_post_needs_a_csrf_token(post_signup, newsletters, smtp_sink):
    from .conftest import confirm_path

    post_signup("csrf@example.org", [newsletters["daily"]])
    path = confirm_path(smtp_sink.messages[0])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(path).status_code == 403
    page = strict.get(path)
    token = page.cookies["csrftoken"].value
    assert strict.post(path, {"csrfmiddlewaretoken": token}).status_code == 200


def test_the_box_on_a_cached_article_has_no_csrf_token_and_posts_to_sign_up(
    client, publication, newsletters
):
    url = publication.flagship.url
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert 'action="/en/newsletter/"' in html
    assert 'name="website"' in html
    assert first["X-Cache"] == "MISS"
    assert "csrftoken" not in first.cookies
    second = Client().get(url)
    assert second["X-Cache"] == "HIT"


@pytest.mark.parametrize(
    ("prefix", "newsletter", "subject"),
    [
        ("en", "Daily digest", "Please confirm your newsletter subscription"),
        ("es", "Boletín diario", "Confirma tu suscripción al boletín"),
    ],
)
def test_the_box_signs_up_for_the_page_language_newsletters(
    client, newsletters, smtp_sink, django_capture_on_commit_callbacks, prefix, newsletter, subject
):
    # Exactly what the box's form sends: the email, the empty honeypot and the button.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{prefix}/newsletter/", {"email": "box@example.org", "website": "", "box": "1"}
        )
    assert response.status_code == 302
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["Subject"] == subject
    assert newsletter in message.get_body(("plain",)).get_content()


def test_the_sign_up_page_itself_is_cacheable(client, newsletters):
    assert client.get("/en/newsletter/")["X-Cache"] == "MISS"
    assert Client().get("/en/newsletter/")["X-Cache"] == "HIT"
