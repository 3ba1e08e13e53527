"""The suite's pytest-xdist workers keep out of each other's data (settings.py)."""

import os

import pytest
from django.conf import settings

from masthead.settings import _separate_test_worker


def test_a_worker_gets_a_data_folder_and_a_redis_database_of_its_own():
    environ = {
        "PYTEST_XDIST_WORKER": "gw1",
        "MASTHEAD_DATA_DIR": "var/test",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
    }
    _separate_test_worker(environ)
    assert environ == {
        "MASTHEAD_DATA_DIR": "var/test/gw1",
        "REDIS_URL": "redis://127.0.0.1:6379/12",
    }


def test_without_redis_only_the_data_folder_changes():
    environ = {"PYTEST_XDIST_WORKER": "gw0", "MASTHEAD_DATA_DIR": "var/test"}
    _separate_test_worker(environ)
    assert environ == {"MASTHEAD_DATA_DIR": "var/test/gw0"}


def test_this_worker_runs_in_its_own_data_folder(request):
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if worker is None:
        pytest.skip("runs on an xdist worker")
    assert settings.DATA_DIR.name == worker
    assert settings.MEDIA_ROOT.is_relative_to(settings.DATA_DIR)
    # What a test starts (a server, a worker) is not a worker: it keeps this folder.
    assert "PYTEST_XDIST_WORKER" not in os.environ
