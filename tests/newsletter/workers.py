"""Worker processes for the tests that need real ones (a kill -9, two workers at once)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MASTHEAD = str(Path(sys.executable).with_name("masthead"))


def shell(code: str, env: dict) -> subprocess.Popen:
    """Run ``code`` in ``masthead manage shell`` with ``env``, output captured."""
    return subprocess.Popen(
        [MASTHEAD, "manage", "shell", "--no-imports", "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
