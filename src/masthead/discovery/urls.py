"""Discovery URLs, mounted under each language prefix (/en/, /es/)."""

from django.urls import path, register_converter

from masthead.discovery import feeds, views


class TopicSlugConverter:
    """Topic slugs keep their accents ("minería"): taggit slugifies with allow_unicode.

    Django's ``slug`` converter is ASCII-only, so reversing a Spanish topic's URL failed
    and the Spanish article page that lists it was a 500.
    """

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TopicSlugConverter, "topic")

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("share/mastodon/", views.share_mastodon, name="share_mastodon"),
    path("contributors/<slug:slug>/", views.contributor, name="contributor"),
    path("topics/<topic:slug>/", views.topic, name="topic"),
    path("feeds/rss/", feeds.ArticleFeed(), name="feed_rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed_atom"),
    path("feeds/sections/<slug:slug>/rss/", feeds.SectionFeed(), name="feed_section_rss"),
    path("feeds/sections/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="feed_section_atom"),
    path("feeds/topics/<topic:slug>/rss/", feeds.TopicFeed(), name="feed_topic_rss"),
    path("feeds/topics/<topic:slug>/atom/", feeds.TopicAtomFeed(), name="feed_topic_atom"),
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
