"""Admin registration: newsletters and editions are snippets, grouped in one menu; a live
article gets "Send by email" in its header menu and in page listings."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page
from wagtail.snippets.models import register_snippet

from masthead.newsletter import panels as newsletter_panels
from masthead.newsletter import publishing
from masthead.newsletter.admin_views import can_add_editions
from masthead.newsletter.viewsets import NewsletterGroup
from masthead.newsroom.models import ArticlePage

register_snippet(NewsletterGroup)


class SendByEmailItem(PageMenuItem):
    label = _("Send by email")
    icon_name = "mail"

    def is_shown(self, user: AbstractBaseUser) -> bool:
        # Only what readers can already open: a draft has no link to send.
        return (
            self.page.live
            and issubclass(self.page.specific_class or Page, ArticlePage)
            and can_add_editions(user)
        )

    @property
    def url(self) -> str:
        return reverse("wagtailsnippets_newsletter_edition:from_article", args=[self.page.pk])


@hooks.register("register_page_header_buttons")
def send_by_email_header_button(
    page: Page, user: AbstractBaseUser, view_name: str, next_url: str | None = None
) -> Iterator[PageMenuItem]:
    yield SendByEmailItem(page=page, priority=40)


@hooks.register("register_page_listing_more_buttons")
def send_by_email_listing_button(
    page: Page, user: AbstractBaseUser, next_url: str | None = None
) -> Iterator[PageMenuItem]:
    yield SendByEmailItem(page=page, priority=45)


@hooks.register("construct_homepage_panels")
def last_edition_panel(request: object, panels: list) -> None:
    panels.extend(newsletter_panels.panels_for(request))


# The edition asked for in the publish dialog (publishing.py).
hooks.register("before_publish_page", publishing.before_publish)
hooks.register("after_edit_page", publishing.after_edit)
