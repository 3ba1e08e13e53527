import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Feeds cache rendered items by page id and revision; ids come back after a rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Test images and their renditions go to a folder pytest removes, not the data dir.
    settings.MEDIA_ROOT = tmp_path / "media"
