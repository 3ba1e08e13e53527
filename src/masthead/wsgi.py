"""WSGI entry point used by ``masthead serve`` (gunicorn)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")

application = get_wsgi_application()

# The URLconf imports every view module: load it now rather than on the first request, so
# that what it builds is frozen below with the rest of what lives as long as the worker.
_ = get_resolver().url_patterns
# Python's full collections walk every object the process holds: Django, Wagtail and
# their modules made each one 150-200 ms, paid by whichever reader's request triggered it
# (issue 10: the outliers of the first render after a publish). Objects alive now live as
# long as the worker; frozen, the collector no longer walks them (gc.freeze's documented
# use), and a full collection walks only what requests and caches made since.
gc.collect()
gc.freeze()
