"""Discovery URLs, mounted under each language prefix (/en/, /es/)."""

from django.urls import path

from masthead.discovery import views

app_name = "discovery"

urlpatterns = [
    path("contributors/<slug:slug>/", views.contributor, name="contributor"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
]
