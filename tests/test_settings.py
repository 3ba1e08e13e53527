"""Settings: every variable is documented, and production passes Django's deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MASTHEAD = str(Path(sys.executable).with_name("masthead"))


def test_every_environment_variable_is_in_the_readme():
    source = (ROOT / "src/masthead/settings.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    assert names, "found no variables: the pattern is wrong"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_ENV": "production",
        "MASTHEAD_SECRET_KEY": "a" * 20 + "-not-a-real-key-" + "b" * 30,
        "MASTHEAD_ALLOWED_HOSTS": "magazine.example.org",
        "MASTHEAD_BASE_URL": "https://magazine.example.org",
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "EMAIL_URL": "smtp+tls://newsroom@mail.example.org:587",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MASTHEAD_SERVE_MEDIA": "false",
    }
    result = subprocess.run(
        [MASTHEAD, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_are_reported_by_the_deploy_checks(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [MASTHEAD, "manage", "check", "--deploy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    for check in ("W001", "W002", "W004", "W005", "W006"):
        assert f"masthead.{check}" in output


def _settings_in_a_subprocess(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        **variables,
    }
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.ANYMAIL)"
    return subprocess.run(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_an_esp_and_its_own_settings_are_chosen_by_environment(tmp_path):
    result = _settings_in_a_subprocess(
        tmp_path,
        MASTHEAD_EMAIL_ESP="postmark",
        MASTHEAD_ANYMAIL_POSTMARK_SERVER_TOKEN="token-from-env",
    )
    assert result.returncode == 0, result.stderr
    assert "anymail.backends.postmark.EmailBackend" in result.stdout
    assert "'POSTMARK_SERVER_TOKEN': 'token-from-env'" in result.stdout


def test_an_unknown_esp_stops_start_up_with_one_line(tmp_path):
    result = _settings_in_a_subprocess(tmp_path, MASTHEAD_EMAIL_ESP="../../etc")
    assert result.returncode != 0
    assert "MASTHEAD_EMAIL_ESP" in result.stderr
    assert "Traceback" not in result.stderr


def _payment_settings(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "MASTHEAD_SECRET_KEY": "a" * 50,
        **variables,
    }
    code = "from django.conf import settings; print(settings.PAYMENT_PROVIDERS)"
    return subprocess.run(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_test_payment_provider_unless_allowed(tmp_path):
    refused = _payment_settings(
        tmp_path, MASTHEAD_ENV="production", MASTHEAD_PAYMENT_PROVIDERS="USD:local"
    )
    assert refused.returncode != 0
    assert "MASTHEAD_PAYMENTS_ALLOW_TEST_MODE" in refused.stderr
    allowed = _payment_settings(
        tmp_path,
        MASTHEAD_ENV="production",
        MASTHEAD_PAYMENT_PROVIDERS="USD:local",
        MASTHEAD_PAYMENTS_ALLOW_TEST_MODE="true",
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "{'USD': ['local']}" in allowed.stdout


def test_production_takes_no_payments_until_a_provider_is_named(tmp_path):
    result = _payment_settings(tmp_path, MASTHEAD_ENV="production")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{}"


def test_payment_providers_by_currency_are_read_and_bad_values_named(tmp_path):
    chosen = _payment_settings(
        tmp_path, MASTHEAD_PAYMENT_PROVIDERS="pen:mercadopago, USD:stripe|mercadopago"
    )
    assert "{'PEN': ['mercadopago'], 'USD': ['stripe', 'mercadopago']}" in chosen.stdout
    for bad, named in [
        ("XYZ:stripe", "'XYZ'"),
        ("USD:paypal", "'USD:paypal'"),
        ("USD:", "'USD:'"),
    ]:
        result = _payment_settings(tmp_path, MASTHEAD_PAYMENT_PROVIDERS=bad)
        assert result.returncode != 0
        assert "MASTHEAD_PAYMENT_PROVIDERS" in result.stderr and named in result.stderr


def _csp_images(tmp_path, **variables: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        **variables,
    }
    code = (
        "from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    result = subprocess.run(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_pages_may_show_images_from_the_media_bucket_and_nowhere_else(tmp_path):
    assert _csp_images(tmp_path) == "'self' data:"
    assert _csp_images(
        tmp_path, MASTHEAD_S3_BUCKET="media", MASTHEAD_S3_ENDPOINT_URL="https://s3.example.net/x"
    ) == ("'self' data: https://s3.example.net")
    assert _csp_images(
        tmp_path,
        MASTHEAD_S3_BUCKET="media",
        MASTHEAD_S3_ENDPOINT_URL="https://s3.example.net",
        MASTHEAD_S3_CUSTOM_DOMAIN="img.example.org",
    ) == ("'self' data: https://img.example.org")
    assert _csp_images(tmp_path, MASTHEAD_S3_BUCKET="media") == (
        "'self' data: https://media.s3.amazonaws.com"
    )


@pytest.mark.parametrize(
    ("database", "threads"),
    [("sqlite:///{tmp}/db.sqlite3", "1"), ("postgres://masthead@127.0.0.1:5432/masthead", "4")],
)
def test_web_threads_default_to_four_on_postgresql_and_one_on_sqlite(tmp_path, database, threads):
    """A request on PostgreSQL waits for the database; on SQLite threads would only share the
    GIL (docs/deploy/scale.md has the figures). Reading settings connects to nothing."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database.format(tmp=tmp_path),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
    }
    env.pop("MASTHEAD_WEB_THREADS", None)
    code = "from django.conf import settings; print(settings.WEB_THREADS)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == threads


@pytest.mark.parametrize(
    ("redis", "expected"),
    [("", "5000"), ("redis://127.0.0.1:6379/9", "None")],
)
def test_the_memory_cache_without_redis_keeps_more_than_a_minute_of_searches(
    tmp_path, redis, expected
):
    """Django's 300 entries were filled by a minute of searches (ten result frames each),
    evicting the site and navigation every page reads. Redis sets its own limits."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "MASTHEAD_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
    }
    if redis:
        env["REDIS_URL"] = redis
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default'].get('OPTIONS', {}).get('MAX_ENTRIES'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
