"""Stopping the real processes that tests start (``masthead serve`` and its children)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_group(server: subprocess.Popen) -> None:
    """SIGTERM the process group ``server`` leads, then SIGKILL it if it lingers.

    ``masthead serve`` runs gunicorn (and maybe a worker) as children; started in its own
    session, one signal to its group reaches them all.
    """
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
