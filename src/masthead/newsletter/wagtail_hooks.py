"""Admin registration: newsletters and editions are snippets, grouped in one menu."""

from wagtail.snippets.models import register_snippet

from masthead.newsletter.viewsets import NewsletterGroup

register_snippet(NewsletterGroup)
