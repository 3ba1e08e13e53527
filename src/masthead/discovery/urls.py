"""Discovery URLs, mounted under each language prefix (/en/, /es/)."""

from django.urls import path

from masthead.discovery import feeds, views

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("contributors/<slug:slug>/", views.contributor, name="contributor"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed_atom"),
    path("feeds/sections/<slug:slug>/rss/", feeds.SectionFeed(), name="feed_section_rss"),
    path("feeds/sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="feed_section_atom"),
    path("feeds/topics/<slug:slug>/rss/", feeds.TopicFeed(), name="feed_topic_rss"),
    path("feeds/topics/<slug:slug>/atom/", feeds.TopicAtomFeed(), name="feed_topic_atom"),
    path(
        "feeds/contributors/<slug:slug>/rss/",
        feeds.ContributorFeed(),
        name="feed_contributor_rss",
    ),
    path(
        "feeds/contributors/<slug:slug>/atom/",
        feeds.ContributorAtomFeed(),
        name="feed_contributor_atom",
    ),
]
