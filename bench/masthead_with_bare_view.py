"""Masthead's settings, with bench/bare_webhook.py's view added to its URLs at BARE_PATH.

bench/webhooks.py runs ``masthead serve`` with this settings module, so the bare view is
served by the very processes, settings and middleware that serve Masthead's webhook.
For the benchmark only.
"""

from masthead.settings import *  # noqa: F403

ROOT_URLCONF = "bench.masthead_with_bare_urls"
