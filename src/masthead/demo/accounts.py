"""The demo's admin account: created once, and its login shown on every run.

The password comes from ``MASTHEAD_ADMIN_PASSWORD`` when set (and is then kept in step with
it); otherwise it is generated once and kept in the data folder, readable only by its owner.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

USERNAME = "admin"
PASSWORD_FILE = "admin_password"  # noqa: S105 (a file name, not a password)
ENV_PASSWORD = "MASTHEAD_ADMIN_PASSWORD"  # noqa: S105 (a variable name)


@dataclass(frozen=True)
class AdminLogin:
    url: str
    username: str
    password: str | None  # None: a password this command did not set and cannot show
    created: bool


def admin_url() -> str:
    if os.environ.get("MASTHEAD_BASE_URL"):
        return f"{settings.BASE_URL}/admin/"
    return f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/"


@transaction.atomic(durable=True)
def ensure_admin(*, data_dir: Path | None = None) -> AdminLogin:
    """Create the ``admin`` superuser if no superuser exists; say how to log in."""
    user_model = get_user_model()
    password_file = Path(data_dir or settings.DATA_DIR) / PASSWORD_FILE
    from_env = os.environ.get(ENV_PASSWORD) or None
    admin = user_model.objects.filter(username=USERNAME).first()

    if not user_model.objects.filter(is_superuser=True).exists():
        password = from_env or _stored_or_new_password(password_file)
        if admin is None:
            user_model.objects.create_superuser(USERNAME, "admin@example.org", password)
        else:
            # A plain user called "admin" exists (made by hand): promote it.
            admin.is_staff = admin.is_superuser = True
            admin.set_password(password)
            admin.save(update_fields=["is_staff", "is_superuser", "password"])
        return AdminLogin(admin_url(), USERNAME, password, created=True)

    if admin is None or not admin.is_superuser:
        other = user_model.objects.filter(is_superuser=True).order_by("pk").first()
        return AdminLogin(admin_url(), other.get_username(), None, created=False)
    if from_env:
        if not admin.check_password(from_env):
            admin.set_password(from_env)
            admin.save(update_fields=["password"])
        return AdminLogin(admin_url(), USERNAME, from_env, created=False)
    if password_file.exists():
        stored = password_file.read_text().strip()
        if admin.check_password(stored):
            return AdminLogin(admin_url(), USERNAME, stored, created=False)
    return AdminLogin(admin_url(), USERNAME, None, created=False)


def _stored_or_new_password(path: Path) -> str:
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    # Created with 0600 from the start, so the secret is never readable by others.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    path.chmod(0o600)
    return password
