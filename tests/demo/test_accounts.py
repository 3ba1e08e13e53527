"""The demo admin: created once, its password kept private and shown on every run."""

from __future__ import annotations

import os
import stat
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from masthead.demo import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_env_password():
    with mock.patch.dict(os.environ):
        os.environ.pop(accounts.ENV_PASSWORD, None)
        yield


def test_creates_admin_with_a_generated_password_readable_only_by_its_owner(
    tmp_path, no_env_password
):
    login = accounts.ensure_admin(data_dir=tmp_path)
    stored = tmp_path / accounts.PASSWORD_FILE
    assert login.created and login.username == "admin"
    assert stored.read_text().strip() == login.password
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert get_user_model().objects.get(username="admin").check_password(login.password)


def test_a_second_run_shows_the_same_password_and_creates_nobody(tmp_path, no_env_password):
    first = accounts.ensure_admin(data_dir=tmp_path)
    second = accounts.ensure_admin(data_dir=tmp_path)
    assert not second.created
    assert second.password == first.password
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_the_environment_password_wins_and_is_not_written_down(tmp_path):
    with mock.patch.dict(os.environ, {accounts.ENV_PASSWORD: "from-the-env"}):
        login = accounts.ensure_admin(data_dir=tmp_path)
    assert login.password == "from-the-env"
    assert not (tmp_path / accounts.PASSWORD_FILE).exists()
    assert get_user_model().objects.get(username="admin").check_password("from-the-env")


def test_an_existing_superuser_is_left_alone(tmp_path, no_env_password):
    get_user_model().objects.create_superuser("editor", "editor@example.org", "theirs")
    login = accounts.ensure_admin(data_dir=tmp_path)
    assert (login.username, login.password, login.created) == ("editor", None, False)
    assert not get_user_model().objects.filter(username="admin").exists()
