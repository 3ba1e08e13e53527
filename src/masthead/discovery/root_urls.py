"""Discovery URLs that are the same in every language, mounted at the site root."""

from django.urls import path

from masthead.discovery import sitemaps, views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
]
