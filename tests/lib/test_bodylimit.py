"""Request body limits without nginx in front (issue 8): an oversized body is refused with
413 and a reason before it is read, and nothing is written; the admin keeps its uploads."""

from __future__ import annotations

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from masthead.audience.models import Reader

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SIGN_UP = "/en/newsletter/"


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.org", "pass-123-x")
    client.force_login(user)
    return user


def noise_png(size: int) -> bytes:
    """A PNG of random pixels: it does not compress, so it is about ``size`` bytes."""
    side = int((size / 3) ** 0.5) + 1
    buffer = io.BytesIO()
    PillowImage.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        buffer, format="PNG"
    )
    return buffer.getvalue()


def test_a_20_mb_multipart_post_to_the_sign_up_form_is_refused_and_writes_nothing(client):
    response = client.post(
        SIGN_UP,
        {
            "email": "big@example.org",
            "attachment": SimpleUploadedFile("big.bin", b"x" * (20 * MB)),
        },
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert "1.0\xa0MB" in response.content.decode()
    assert not Reader.objects.exists()


def test_a_sign_up_of_ordinary_size_still_reaches_the_form(client):
    response = client.post(SIGN_UP, {"email": "not-an-address"})
    assert response.status_code == 400
    assert b"not-an-address" in response.content


def test_a_content_length_that_is_not_a_number_is_refused(client):
    response = client.generic("POST", SIGN_UP, b"email=a%40example.org", CONTENT_LENGTH="twelve")
    assert response.status_code == 400
    assert "Content-Length" in response.content.decode()


def test_an_admin_image_upload_above_the_reader_limit_and_below_the_admin_limit_works(
    client, editor, settings
):
    png = noise_png(int(1.5 * MB))
    assert settings.MAX_BODY_BYTES < len(png) < settings.ADMIN_MAX_BODY_BYTES
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Front page", "file": SimpleUploadedFile("front.png", png, "image/png")},
    )
    assert response.status_code == 302, response.content[:500]
    assert get_image_model().objects.get().title == "Front page"


def test_an_admin_upload_over_the_admin_limit_is_refused(client, editor, settings):
    settings.ADMIN_MAX_BODY_BYTES = 100_000
    png = noise_png(200_000)
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Too big", "file": SimpleUploadedFile("big.png", png, "image/png")},
    )
    assert response.status_code == 413
    assert "97.7\xa0KB" in response.content.decode()
    assert not get_image_model().objects.exists()
