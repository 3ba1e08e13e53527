"""Admin registration: the Channels menu, and "Channel posts" on every article."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import Page

from masthead.channels import admin_views
from masthead.channels.viewsets import ChannelsGroup
from masthead.channels.whatsapp import admin as whatsapp_admin
from masthead.newsroom.models import ArticlePage

_urls = [
    path("article/<int:page_id>/", admin_views.ArticlePostsView.as_view(), name="article"),
    path("article/<int:page_id>/post/", admin_views.PostNowView.as_view(), name="post_now"),
    path(
        "article/<int:page_id>/resend/<int:pk>/",
        admin_views.ResendView.as_view(),
        name="resend",
    ),
    path(
        "article/<int:page_id>/whatsapp/resend/",
        admin_views.WhatsAppResendView.as_view(),
        name="whatsapp_resend",
    ),
    path(
        "article/<int:page_id>/mark-sent/<int:pk>/",
        admin_views.MarkSentView.as_view(),
        name="mark_sent",
    ),
]


@hooks.register("register_admin_urls")
def register_urls() -> list:
    return [path("channels/", include((_urls, "channels_admin"), namespace="channels_admin"))]


@hooks.register("register_admin_viewset")
def register_channels() -> ChannelsGroup:
    return ChannelsGroup()


class ChannelPostsItem(PageMenuItem):
    label = _("Channel posts")
    icon_name = "globe"

    def is_shown(self, user: AbstractBaseUser) -> bool:
        return issubclass(self.page.specific_class or Page, ArticlePage)

    @property
    def url(self) -> str:
        return admin_views.article_posts_url(self.page.pk)


@hooks.register("register_page_header_buttons")
def channel_posts_header_button(
    page: Page, user: AbstractBaseUser, view_name: str, next_url: str | None = None
) -> Iterator[PageMenuItem]:
    yield ChannelPostsItem(page=page, priority=45)


@hooks.register("register_page_listing_more_buttons")
def channel_posts_listing_button(
    page: Page, user: AbstractBaseUser, next_url: str | None = None
) -> Iterator[PageMenuItem]:
    yield ChannelPostsItem(page=page, priority=50)


@hooks.register("construct_homepage_panels")
def whatsapp_summary_panel(request: object, panels: list) -> None:
    panel = whatsapp_admin.summary_panel()
    if panel is not None:
        panels.append(panel)
