"""The WSGI entry point gunicorn loads in every web worker (masthead/wsgi.py)."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import gc, sys
import masthead.wsgi
frozen = gc.get_freeze_count()
print(frozen, "masthead.urls" in sys.modules, "masthead.discovery.views" in sys.modules)
"""


def test_a_worker_loads_its_urls_and_freezes_them_out_of_the_collector_s_walks(tmp_path):
    env = os.environ | {"MASTHEAD_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    frozen, urls, views = result.stdout.split()
    # Django, Wagtail and the URLconf's view modules: hundreds of thousands of objects.
    assert int(frozen) > 100_000
    assert urls == views == "True"
