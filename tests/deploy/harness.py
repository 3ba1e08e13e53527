"""Run docs/deploy/nginx.conf for real: render its placeholders, wrap it, start nginx.

Shared by tests/deploy/test_nginx.py and bench/pages.py. nginx runs in the foreground
from a private prefix (pid file, logs, temp and cache folders all inside it), so nothing
outside that folder is touched and several copies can run side by side.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"
PLACEHOLDER = re.compile(r"__[A-Z_]+__")
MIME_TYPES = Path("/etc/nginx/mime.types")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render(template: str, values: dict[str, str]) -> str:
    """Replace every ``__NAME__`` placeholder; fail on one left without a value."""
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), template)
    left = sorted(set(PLACEHOLDER.findall(text)))
    if left:
        raise ValueError(f"placeholders without a value: {', '.join(left)}")
    return text


def upstream_value(upstream: str | Sequence[str]) -> str:
    """What replaces ``__UPSTREAM__`` in ``server __UPSTREAM__;``: one address, or several
    joined into more ``server`` lines (``a; server b``), as docs/deploy/scale.md's sed does."""
    addresses = [upstream] if isinstance(upstream, str) else list(upstream)
    if not addresses:
        raise ValueError("at least one upstream is needed")
    return "; server ".join(addresses)


def main_config(prefix: Path, site: Path, *, workers: int = 1) -> str:
    """The nginx.conf a distribution would ship, reduced to what the site file needs."""
    types = (
        f"include {MIME_TYPES};"
        if MIME_TYPES.exists()
        else "types { text/html html; text/css css; application/javascript js; image/png png; }"
    )
    # Workers run as the master's user when that is root: the prefix is private to it.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {types}
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {prefix}/temp/body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {site};
}}
"""


@contextmanager
def running_nginx(
    prefix: Path,
    *,
    upstream: str | Sequence[str],
    static_root: Path,
    media_root: Path,
    port: int | None = None,
    workers: int = 1,
    template: Path = TEMPLATE,
) -> Iterator[int]:
    """Serve the rendered template on 127.0.0.1; yield its port; stop nginx on exit.

    Several upstreams (web machines) become several ``server`` lines of the one upstream
    block, rendered the way docs/deploy/scale.md tells an operator to.
    """
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed")
    port = port or free_port()
    (prefix / "temp").mkdir(parents=True, exist_ok=True)
    site = prefix / "masthead.conf"
    site.write_text(
        render(
            template.read_text(),
            {
                "__UPSTREAM__": upstream_value(upstream),
                "__LISTEN__": f"127.0.0.1:{port}",
                "__SERVER_NAME__": "localhost",
                "__STATIC_ROOT__": str(static_root),
                "__MEDIA_ROOT__": str(media_root),
                "__CACHE_DIR__": str(prefix / "cache"),
            },
        )
    )
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site, workers=workers))
    process = subprocess.Popen(
        [binary, "-p", prefix, "-e", prefix / "error.log", "-c", conf, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, process, prefix / "error.log")
        yield port
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # fast shutdown of master and workers
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = log.read_text() if log.exists() else ""
            stderr = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {stderr}{errors}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on 127.0.0.1:{port} within 10 s")
