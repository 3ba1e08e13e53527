"""Wagtail's front-end URLs, with its page view replaced by ``views.serve`` (one-query
routing); the password and login helpers are Wagtail's own."""

from django.urls import re_path
from wagtail import urls as wagtail_urls

from masthead.newsroom import views

urlpatterns = [
    *(pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"),
    re_path(wagtail_urls.serve_pattern, views.serve, name="wagtail_serve"),
]
