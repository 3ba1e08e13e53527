"""The file cache (no Redis): bounded by an occasional cull that lists the folder once."""

from __future__ import annotations

import pytest

from masthead.lib import filecache


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setattr(filecache, "CULL_EVERY", 1)  # every write may cull
    return filecache.SampledCullFileBasedCache(
        str(tmp_path / "pages"), {"OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3}}
    )


def test_the_listing_names_every_entry_and_nothing_else(files, tmp_path):
    for number in range(12):
        files.set(f"key-{number}", number)
    (tmp_path / "pages" / "notes.txt").write_text("not an entry")
    listed = files._list_cache_files()
    assert len(listed) == 12
    assert all(path.endswith(".djcache") for path in listed)
    assert files.get("key-7") == 7


def test_a_full_cache_is_culled_by_a_third_and_keeps_working(files):
    for number in range(30):
        files.set(f"key-{number}", number)
    files.set("one-more", "x")  # at 30 entries: a third go before this one is written
    assert len(files._list_cache_files()) == 30 - 10 + 1
    assert files.get("one-more") == "x"


def test_a_missing_folder_lists_nothing(tmp_path):
    files = filecache.SampledCullFileBasedCache(str(tmp_path / "never-made"), {})
    assert files._list_cache_files() == []
    files.clear()
