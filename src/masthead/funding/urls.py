"""Reader pages of the funding app, under /<lang>/ (support, campaign, membership)."""

from django.urls import path

from masthead.funding import campaign_views

app_name = "funding"
urlpatterns: list = [
    # Stable for outside callers (issue 9, §5): the current campaign.
    path("campaign/", campaign_views.current, name="campaign"),
    path("campaign/<slug:slug>/", campaign_views.detail, name="campaign_detail"),
]
