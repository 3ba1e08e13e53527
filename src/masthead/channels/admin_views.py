"""An article's channel posts in the admin: their states, Telegram's words, and re-send.

Seeing them takes the right to edit the article; acting on them, the right to publish it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.channels import queries, services, telegram
from masthead.channels.models import Delivery
from masthead.channels.whatsapp import graph as whatsapp_graph
from masthead.channels.whatsapp import queries as whatsapp
from masthead.channels.whatsapp import sending as whatsapp_sending
from masthead.newsroom.models import ArticlePage


def article_posts_url(article_id: int) -> str:
    return reverse("channels_admin:article", args=[article_id])


class _ArticleMixin:
    request: HttpRequest
    kwargs: dict

    @cached_property
    def article(self) -> ArticlePage:
        article = ArticlePage.objects.filter(pk=self.kwargs["page_id"]).first()
        if article is None:
            raise Http404
        permissions = article.permissions_for_user(self.request.user)
        if not permissions.can_edit():
            raise PermissionDenied
        return article

    def can_act(self) -> bool:
        return self.article.permissions_for_user(self.request.user).can_publish()


class ArticlePostsView(_ArticleMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "channels/admin/article_posts.html"
    page_title = gettext_lazy("Channel posts")

    def get_page_subtitle(self) -> str:
        return self.article.title

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        deliveries = list(queries.article_deliveries(self.article))
        whatsapp_counts = whatsapp.article_counts(self.article.pk)
        posted_to = {d.channel_id for d in deliveries}
        context.update(
            article=self.article,
            deliveries=deliveries,
            unposted=[c for c in queries.matching_channels(self.article) if c.pk not in posted_to],
            can_act=self.can_act(),
            resendable=services.RESENDABLE,
            uncertain=Delivery.State.UNCERTAIN,
            configured=telegram.is_configured(),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.article.pk]),
            whatsapp_counts=whatsapp_counts,
            whatsapp_on=whatsapp_graph.is_configured(),
            whatsapp_resendable=any(
                state in whatsapp_sending.RESENDABLE for state, _label, _count in whatsapp_counts
            ),
        )
        return context


class _ActionView(_ArticleMixin, View):
    """POST only (a GET is 405): act, say what happened, go back to the article's posts."""

    def post(self, request: HttpRequest, page_id: int, pk: int | None = None) -> HttpResponse:
        if not self.can_act():
            raise PermissionDenied
        self.act(request, pk)
        return HttpResponseRedirect(article_posts_url(self.article.pk))

    def delivery(self, pk: int | None) -> Delivery:
        return get_object_or_404(Delivery, pk=pk, article_id=self.article.pk)

    def act(self, request: HttpRequest, pk: int | None) -> None:
        raise NotImplementedError


class ResendView(_ActionView):
    def act(self, request: HttpRequest, pk: int | None) -> None:
        delivery = self.delivery(pk)
        if services.resend(delivery=delivery):
            messages.success(
                request,
                _("The post to %(channel)s is queued again.") % {"channel": delivery.channel},
            )
        else:
            messages.error(
                request,
                _("Only a failed, skipped or uncertain post can be sent again."),
            )


class MarkSentView(_ActionView):
    def act(self, request: HttpRequest, pk: int | None) -> None:
        delivery = self.delivery(pk)
        if services.mark_sent(delivery=delivery):
            messages.success(request, _("The post is recorded as sent."))
        else:
            messages.error(request, _("Only an uncertain post can be marked as sent."))


class WhatsAppResendView(_ActionView):
    def act(self, request: HttpRequest, pk: int | None) -> None:
        count = whatsapp_sending.resend(article_id=self.article.pk)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)s WhatsApp message is queued again.",
                    "%(count)s WhatsApp messages are queued again.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.error(
                request, _("No WhatsApp message of this article is uncertain or held back.")
            )


class PostNowView(_ActionView):
    def act(self, request: HttpRequest, pk: int | None) -> None:
        if not self.article.live:
            messages.error(request, _("Publish the article before posting it."))
            return
        queued = services.post_article(article=self.article)
        if queued:
            messages.success(
                request,
                _("Posting to %(channels)s.")
                % {"channels": ", ".join(str(d.channel) for d in queued)},
            )
        else:
            messages.error(request, _("There is no channel left to post this article to."))
