"""Two real server processes on one data folder share the sign-up limit (issue 8).

Each server is ``masthead serve --workers 1`` on its own loopback port, both on one SQLite
file in one data folder: the default install run twice. The file is a copy of the test
database (with one newsletter added), so no migration runs here. Tasks run immediately
(MASTHEAD_ENV=test), so a confirmation email has reached the loopback SMTP sink before the
server answers 302.
"""

from __future__ import annotations

import http.client
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from masthead.audience.models import Newsletter
from tests.processes import stop_group
from tests.smtp_sink import Sink, free_port

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
# The servers see only these variables from the surrounding run (as tests/e2e does).
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the servers run on a copy of the SQLite test database; tests/lib/test_ratelimit.py "
    "runs processes on PostgreSQL and Redis",
)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory, _publication_ids, django_db_blocker):
    """A data folder whose database is the test database plus one public newsletter.

    Session-scoped so that it runs before the test's transaction opens: SQLite cannot copy
    a database while a transaction holds it.
    """
    data = tmp_path_factory.mktemp("two-servers")
    with django_db_blocker.unblock():
        newsletter = Newsletter.objects.create(
            name="Daily digest", slug="daily-two-servers", language="en", sender_name="Gazette"
        )
        try:
            connection.ensure_connection()
            with sqlite3.connect(data / "masthead.sqlite3") as target:
                connection.connection.backup(target)
        finally:
            newsletter.delete()
    return data


def _request(port: int, method: str, path: str, body: str = "") -> tuple[int, str]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        client.request(method, path, body=body or None, headers=headers)
        response = client.getresponse()
        return response.status, response.read().decode()
    finally:
        client.close()


def _start(data: Path, port: int, sink_port: int) -> subprocess.Popen:
    env = {
        **{name: os.environ[name] for name in _PASSED_ENV if name in os.environ},
        "MASTHEAD_ENV": "test",
        "MASTHEAD_DATA_DIR": str(data),
        "MASTHEAD_BASE_URL": "http://127.0.0.1",
        "EMAIL_URL": f"smtp://127.0.0.1:{sink_port}",
        # Only the per-address limit is under test: every post comes from 127.0.0.1.
        "MASTHEAD_SIGNUP_LIMIT_PER_IP": "1000",
    }
    log = (data / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [MASTHEAD, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one signal stops serve and its gunicorn
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"masthead serve exited: {(data / f'serve-{port}.log').read_text()}")
        try:
            if _request(port, "GET", "/robots.txt")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.25)
    stop_group(server)
    pytest.fail(f"masthead serve on port {port} did not answer within 120 s")


# The mark only makes pytest-django create the test database; the test writes nothing to it.
@pytest.mark.django_db
def test_two_server_processes_share_one_sign_up_limit(data_dir):
    address = "target@example.org"
    with Sink() as sink:
        ports = [free_port(), free_port()]
        servers = []
        try:
            # One after the other: each runs collectstatic into the shared data folder.
            for port in ports:
                servers.append(_start(data_dir, port, sink.port))
            status, form = _request(ports[0], "GET", "/en/newsletter/")
            assert status == 200
            newsletter_id = re.search(r'name="newsletters" value="(\d+)"', form).group(1)
            body = urllib.parse.urlencode(
                {"email": address, "newsletters": newsletter_id, "language": "en"}
            )
            statuses = [
                _request(ports[i % 2], "POST", "/en/newsletter/", body)[0] for i in range(12)
            ]
        finally:
            for server in servers:
                stop_group(server)
        received = sink.handler.to(address)

    assert settings.SIGNUP_LIMIT_PER_ADDRESS == 3  # the servers run on the default
    assert statuses[:3] == [302] * 3
    assert statuses[3:] == [429] * 9
    assert len(received) == 3
    assert len(sink.handler.messages) == 3
