"""Masthead's URLs plus the bare signature-checking view (see masthead_with_bare_view)."""

from bench.bare_webhook import IN_MASTHEAD_PATH, webhook
from django.urls import path

from masthead.urls import urlpatterns as masthead_urlpatterns

urlpatterns = [*masthead_urlpatterns, path(IN_MASTHEAD_PATH.lstrip("/"), webhook)]
