"""Uploads served by Masthead itself: images are public; documents go only through
Wagtail's /documents/ view, which checks the collection's view restrictions (issue 8)."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.utils._os import safe_join
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

pytestmark = pytest.mark.django_db

Document = get_document_model()


class RemoteStorage(InMemoryStorage):
    """Stands in for S3: a file has a URL but no path on this machine."""

    def path(self, name: str) -> str:
        raise NotImplementedError("remote storage")

    def _relative_path(self, name: str) -> str:
        return os.path.relpath(safe_join(self.location, name), self.location)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_collection():
    collection = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return collection


def upload(name: str, content: bytes, collection: Collection | None = None):
    return Document.objects.create(
        title=name,
        file=ContentFile(content, name=name),
        collection=collection or Collection.get_first_root_node(),
    )


class TestPrivateDocuments:
    @pytest.mark.parametrize(
        "path",
        [
            "/media/{name}",
            "/media/images/../{name}",
            "/media//{name}",
            "/media/./{name}",
        ],
    )
    def test_a_private_document_is_not_served_from_its_media_path(
        self, client, media_root, private_collection, path
    ):
        document = upload("minutes.pdf", b"%PDF-1.4 board minutes", private_collection)
        assert document.file.name.startswith("documents/")
        assert (media_root / document.file.name).exists()
        response = client.get(path.format(name=document.file.name))
        assert response.status_code == 404
        assert b"board minutes" not in b"".join(getattr(response, "streaming_content", []))

    def test_the_document_view_asks_for_login(self, client, media_root, private_collection):
        document = upload("minutes.pdf", b"%PDF-1.4 board minutes", private_collection)
        response = client.get(document.url)
        assert document.url == f"/documents/{document.pk}/minutes.pdf"
        assert response.status_code == 302
        assert "login" in response["Location"]
        assert f"next=/documents/{document.pk}/minutes.pdf" in response["Location"]

    def test_a_public_document_downloads_through_the_document_view(self, client, media_root):
        document = upload("annual-report.pdf", b"%PDF-1.4 annual report")
        response = client.get(f"/documents/{document.pk}/annual-report.pdf")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 annual report"
        assert client.get(f"/media/{document.file.name}").status_code == 404

    def test_a_document_on_remote_storage_is_streamed_not_redirected_to_the_bucket(
        self, client, settings, media_root
    ):
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": f"{__name__}.RemoteStorage"},
        }
        document = upload("annual-report.pdf", b"%PDF-1.4 annual report")
        response = client.get(f"/documents/{document.pk}/annual-report.pdf")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 annual report"


def test_images_are_still_served_from_the_media_folder(client, media_root):
    (media_root / "images").mkdir(parents=True)
    (media_root / "images" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    response = client.get("/media/images/photo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\n"
