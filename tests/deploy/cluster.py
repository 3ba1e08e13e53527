"""The scale path as real processes: two machines' worth of Masthead behind one nginx.

Used by tests/deploy/test_scale_path.py. Each "machine" has its own data folder (static
files, secret-free: the key is shared through the environment, as /etc/masthead/env does)
and runs the commands of docs/deploy/systemd/: a web process, an RQ worker, a scheduler.
Both share one PostgreSQL database, one Redis database (page cache, rate limits, RQ) and
one S3 bucket (moto's server on loopback). Every process logs to a file in the cluster's
folder; ``Cluster.logs()`` gives their tails when a test fails.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.deploy.harness import free_port, running_nginx
from tests.processes import stop_group

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
MOTO_SERVER = str(Path(sys.executable).with_name("moto_server"))
UNITS = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "systemd"
BUCKET = "masthead-media"
EDITOR = ("editor", "a long editor password 42")
# The AWS SDK's own variables, for django-storages (boto3) in the cluster and for the
# test's own client; moto takes any.
AWS = {
    "AWS_ACCESS_KEY_ID": "masthead-test",
    "AWS_SECRET_ACCESS_KEY": "masthead-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def s3_client(endpoint: str) -> object:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=AWS["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS["AWS_SECRET_ACCESS_KEY"],
    )


# For migrate and the test's own set-up only (libpq reads PGOPTIONS): hundreds of small
# commits that need not wait for the disk. The processes under test run as deployed.
QUICK_COMMITS = {"PGOPTIONS": "-c synchronous_commit=off"}


def unit_command(unit: str) -> list[str]:
    """The ExecStart line of a shipped unit file, as arguments after the executable."""
    text = (UNITS / unit).read_text()
    match = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    if match is None:
        raise ValueError(f"{unit} has no ExecStart line")
    argv = shlex.split(match.group(1))
    if Path(argv[0]).name != "masthead":
        raise ValueError(f"{unit} does not start masthead: {argv[0]}")
    return argv[1:]


def scale_services() -> tuple[str, str] | None:
    """(PostgreSQL server URL, Redis URL) when both are configured, else None."""
    database = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("MASTHEAD_SCALE_REDIS_URL") or os.environ.get("REDIS_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not redis:
        return None
    parts = urlsplit(database)
    return f"{parts.scheme}://{parts.netloc}", redis


@dataclass
class Cluster:
    root: Path
    env: dict[str, str]
    redis_url: str
    s3_endpoint: str
    nginx_port: int = 0
    web_ports: list[int] = field(default_factory=list)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # what the test seeded

    # -- processes -------------------------------------------------------------------------

    def machine_env(self, machine: int) -> dict[str, str]:
        return {**self.env, "MASTHEAD_DATA_DIR": str(self.root / f"machine{machine}")}

    def start(self, name: str, args: list[str], *, machine: int) -> subprocess.Popen:
        """Start ``masthead ARGS`` in its own session (so its group can be signalled)."""
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [MASTHEAD, *args],
            env=self.machine_env(machine),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            stop_group(process)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def logs(self, lines: int = 30) -> str:
        out = []
        for log in sorted(self.root.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name} ---\n" + "\n".join(tail))
        return "\n".join(out)

    def manage(self, code: str, *, machine: int = 1, timeout: float = 300, **env: str) -> str:
        """Run Python in ``masthead manage shell`` on ``machine``; return its last line."""
        result = subprocess.run(
            [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
            env={**self.machine_env(machine), **QUICK_COMMITS, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        lines = result.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Rows of one SQL query on the cluster's database (cheaper than a Django shell)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            return connection.execute(sql, params).fetchall()

    # -- HTTP ------------------------------------------------------------------------------

    def web(self, machine: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[machine - 1]}"

    @property
    def front(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    def client(self, base: str) -> httpx.Client:
        return httpx.Client(base_url=base, timeout=30, follow_redirects=False)

    def editor(self, base: str) -> httpx.Client:
        """A client signed in to the admin through ``base`` (real login form, CSRF)."""
        client = self.client(base)
        page = client.get("/admin/login/")
        assert page.status_code == 200, page.text[:500]
        response = client.post(
            "/admin/login/",
            data={
                "username": EDITOR[0],
                "password": EDITOR[1],
                "csrfmiddlewaretoken": csrf_token(page.text),
                "next": "/admin/",
            },
        )
        assert response.status_code == 302, response.text[:500]
        assert "sessionid" in client.cookies
        return client

    # -- RQ --------------------------------------------------------------------------------

    def finished_tasks(self) -> set[str]:
        """The task paths RQ's workers finished (its registry keeps them ~8 minutes)."""
        import redis
        from rq import Queue
        from rq.registry import FinishedJobRegistry

        with redis.Redis.from_url(self.redis_url) as connection:
            registry = FinishedJobRegistry(queue=Queue("default", connection=connection))
            return {
                job.func_name
                for job_id in registry.get_job_ids()
                if (job := registry.job_class.fetch(job_id, connection=connection)) is not None
            }

    # -- S3 --------------------------------------------------------------------------------

    def bucket_keys(self) -> list[str]:
        s3 = s3_client(self.s3_endpoint)
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def wait_for(check: object, *, timeout: float, what: str, every: float = 0.2) -> object:
    """Call ``check`` until it returns something true; fail naming ``what`` after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()  # type: ignore[operator]
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def _wait_http(url: str, process: subprocess.Popen, *, timeout: float = 180) -> None:
    def up() -> bool:
        assert process.poll() is None, f"process for {url} exited with {process.returncode}"
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
        except OSError:
            return False
        return True

    wait_for(up, timeout=timeout, what=url, every=0.3)


@contextmanager
def _postgres_database(server: str) -> Iterator[str]:
    import psycopg

    name = f"scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _flush_redis(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as connection:
        connection.flushdb()


@contextmanager
def _moto(root: Path) -> Iterator[str]:
    """moto's S3 on loopback, with Masthead's bucket created in it."""
    port = free_port()
    log = open(root / "moto.log", "ab")  # noqa: SIM115 - closed right after the start
    server = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{endpoint}/moto-api/", server, timeout=60)
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        stop_group(server)


@contextmanager
def running_cluster(root: Path, *, smtp_port: int, **extra_env: str) -> Iterator[Cluster]:
    """Migrate a new database, then start nginx, two web processes and two RQ workers.

    The schedulers are started by the tests that need them (``start_schedulers``): their
    first run sends whatever edition is due at that moment.
    """
    services = scale_services()
    assert services is not None, "needs DATABASE_URL=postgres://... and REDIS_URL"
    pg_server, redis_url = services
    with ExitStack() as stack:
        database = stack.enter_context(_postgres_database(pg_server))
        _flush_redis(redis_url)
        stack.callback(_flush_redis, redis_url)
        s3 = stack.enter_context(_moto(root))
        nginx_port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_")},
            **AWS,
            "MASTHEAD_ENV": "development",
            "MASTHEAD_SECRET_KEY": uuid.uuid4().hex * 2,
            "DATABASE_URL": database,
            "REDIS_URL": redis_url,
            "MASTHEAD_TASK_BACKEND": "rq",
            "MASTHEAD_S3_BUCKET": BUCKET,
            "MASTHEAD_S3_ENDPOINT_URL": s3,
            "MASTHEAD_SERVE_MEDIA": "false",
            "MASTHEAD_TRUSTED_PROXY_COUNT": "1",
            "MASTHEAD_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MASTHEAD_BASE_URL": f"http://localhost:{nginx_port}",
            "MASTHEAD_WEB_WORKERS": "2",
            "MASTHEAD_WEB_THREADS": "4",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "MASTHEAD_FROM_EMAIL": "The Scale Gazette <newsroom@example.org>",
            **extra_env,
        }
        cluster = Cluster(root=root, env=env, redis_url=redis_url, s3_endpoint=s3)
        stack.callback(cluster.stop_all)
        migrate = subprocess.run(
            [MASTHEAD, "manage", "migrate", "--noinput", "-v0"],
            env={**cluster.machine_env(1), **QUICK_COMMITS},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]

        web = unit_command("masthead-web.service")
        bind = web.index("--bind") + 1
        for machine in (1, 2):
            port = free_port()
            cluster.web_ports.append(port)
            args = [*web[:bind], f"127.0.0.1:{port}", *web[bind + 1 :]]
            cluster.start(f"web{machine}", args, machine=machine)
        for machine, port in enumerate(cluster.web_ports, start=1):
            _wait_http(f"http://127.0.0.1:{port}/robots.txt", cluster.processes[f"web{machine}"])
        for machine in (1, 2):
            cluster.start(
                f"worker{machine}", unit_command("masthead-worker@.service"), machine=machine
            )
        cluster.nginx_port = stack.enter_context(
            running_nginx(
                root / "nginx",
                upstream=[f"127.0.0.1:{port}" for port in cluster.web_ports],
                static_root=root / "machine1" / "static",
                media_root=root / "machine1" / "media",
                port=nginx_port,
            )
        )
        try:
            yield cluster
        except BaseException:
            print(cluster.logs())  # noqa: T201 - shown by pytest on failure
            raise


def start_schedulers(cluster: Cluster) -> None:
    for machine in (1, 2):
        cluster.start(
            f"scheduler{machine}", unit_command("masthead-scheduler.service"), machine=machine
        )


def kill_worker(cluster: Cluster, name: str) -> list[int]:
    """SIGKILL an RQ worker and the work horse it forked for the job in hand: what a lost
    machine or the OOM killer does. No handler of RQ's or ours runs. Returns the pids."""
    process = cluster.processes.pop(name)
    pids = [process.pid, *_children(process.pid)]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    process.wait()
    return pids


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces): state, ppid, ...
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found
