"""The editors' side of newsletters in the Wagtail admin: thin views over services/queries.

An edition's page (the snippet's inspect view) shows what it is and what happened to it,
and carries the actions: preview, a test to oneself, send now, schedule, cancel. Every
action is a POST with Django's CSRF check; every view needs the right to change editions
(or to add one, for the views that make one).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.views.snippets import InspectView

from masthead.lib import ratelimit
from masthead.newsletter import forms, queries, services
from masthead.newsletter.models import Edition
from masthead.newsroom.models import ArticlePage

# A test goes out synchronously from the request: enough for proof-reading, too few to
# turn the admin into a way of mailing an address over and over.
TEST_SENDS_PER_WINDOW = 10
TEST_SEND_WINDOW_SECONDS = 600

# The email's own HTML runs no script and loads nothing but images, even in the admin.
_PREVIEW_CSP = "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; sandbox"


def can_add_editions(user: AbstractBaseUser) -> bool:
    return user.has_perm("newsletter.add_edition")


class _EditionMixin(PermissionCheckedMixin):
    """Loads the edition named in the URL; the viewset passes the URL names."""

    model = Edition
    permission_required = "change"
    inspect_url_name: str | None = None
    index_url_name: str | None = None

    @cached_property
    def edition(self) -> Edition:
        return get_object_or_404(
            Edition.objects.select_related("newsletter"), pk=self.kwargs["pk"]
        )

    def edition_url(self) -> str:
        return reverse(self.inspect_url_name, args=[self.edition.pk])


class EditionInspectView(InspectView):
    """The edition's page: newsletter, subject, kind, status, the delivery report, actions."""

    template_name = "newsletter/admin/edition.html"
    page_title = _("Edition")
    url_names: dict[str, str] = {}  # set by the viewset: action name → URL name

    def get_object(self, queryset: object = None) -> Edition:
        return get_object_or_404(Edition.objects.select_related("newsletter"), pk=self.pk)

    def get_fields(self) -> list[str]:
        return []  # the template lays the edition out itself

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        return [
            HeaderButton(
                _("Preview"), url=self.action_url("preview"), icon_name="view", priority=10
            )
        ]

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """The page again with a refused schedule form, its errors at the field.

        Only ``ScheduleView`` calls this, passing the bound form; a POST from anywhere else
        is not allowed.
        """
        if not isinstance(self.kwargs.get("schedule_form"), forms.ScheduleForm):
            return self.http_method_not_allowed(request, *args, **kwargs)
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response

    def action_url(self, name: str) -> str:
        return reverse(self.url_names[name], args=[self.object.pk])

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        edition = self.object
        can_change = self.user_has_permission("change")
        context.update(
            edition=edition,
            kind=queries.KIND_LABELS[queries.edition_kind(edition)],
            digest=queries.digest_list(edition) if edition.article_id is None else [],
            counts=queries.delivery_counts(edition),
            can_change=can_change,
            can_send=can_change and edition.status in services.SENDABLE,
            can_schedule=can_change and edition.status in services.SCHEDULABLE,
            can_cancel=can_change and edition.status in services.CANCELLABLE,
            schedule_form=self.kwargs.get("schedule_form")
            or forms.ScheduleForm(
                initial={"at": edition.scheduled_at} if edition.scheduled_at else None
            ),
            urls={name: self.action_url(name) for name in self.url_names},
        )
        return context


class PreviewView(_EditionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Both parts as a subscriber gets them: the HTML in a sandboxed frame, the text below."""

    template_name = "newsletter/admin/preview.html"
    page_title = _("Preview")
    html_url_name: str | None = None

    def get_page_subtitle(self) -> str:
        return self.edition.subject

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Editions")},
            {"url": self.edition_url(), "label": self.edition.subject},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        message = services.preview_message(
            edition=self.edition, email=self.request.user.email or "editor@example.invalid"
        )
        context.update(
            edition=self.edition,
            edition_url=self.edition_url(),
            html_url=reverse(self.html_url_name, args=[self.edition.pk]),
            subject=message.subject,
            text=message.body,
        )
        return context


@method_decorator(xframe_options_sameorigin, name="dispatch")
class PreviewHtmlView(_EditionMixin, View):
    """The HTML part alone, for the preview's frame (the admin itself is never framed)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = services.preview_message(
            edition=self.edition, email=request.user.email or "editor@example.invalid"
        )
        html = next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            "",
        )
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = _PREVIEW_CSP
        return response


class _ActionView(_EditionMixin, View):
    """A POST that calls one service and goes back to the edition's page with a message."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            self.act(request)
        except services.EditionRefused as refused:
            messages.error(request, refused.message)
        return HttpResponseRedirect(self.edition_url())

    def act(self, request: HttpRequest) -> None:
        raise NotImplementedError


class SendTestView(_ActionView):
    def act(self, request: HttpRequest) -> None:
        email = request.user.email
        if not email:
            messages.error(
                request, _("Your account has no email address: add one to your profile first.")
            )
            return
        if not ratelimit.hit(
            "newsletter-test-send",
            str(request.user.pk),
            limit=TEST_SENDS_PER_WINDOW,
            window_seconds=TEST_SEND_WINDOW_SECONDS,
        ):
            messages.error(
                request, _("You have sent many tests in the last few minutes; wait a little.")
            )
            return
        try:
            services.send_test_message(edition=self.edition, email=email)
        except (smtplib.SMTPException, OSError) as exc:
            messages.error(
                request,
                _("The test could not be sent: %(error)s") % {"error": exc.__class__.__name__},
            )
            return
        messages.success(request, _("A test was sent to %(email)s.") % {"email": email})


class SendNowView(_EditionMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation (with the audience's size); POST enqueues the send."""

    template_name = "newsletter/admin/confirm_send.html"
    page_title = _("Send now")

    def get_page_subtitle(self) -> str:
        return self.edition.subject

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        subscribers = (
            queries.newsletters_with_counts().get(pk=self.edition.newsletter_id).subscribers_count
        )
        context.update(
            edition=self.edition, edition_url=self.edition_url(), subscribers=subscribers
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.send_now(edition=self.edition)
        except services.EditionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Sending started: the report below fills in as the messages go out."),
            )
        return HttpResponseRedirect(self.edition_url())


class ScheduleView(_ActionView):
    """A refused time shows the edition's page again, the error under "Send at"."""

    inspect_view: Callable[..., HttpResponse] | None = None  # set by the viewset

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms.ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("The edition was not scheduled: see “Send at”."))
            return self.inspect_view(request, pk=pk, schedule_form=form)
        self.form = form
        return super().post(request, pk)

    def act(self, request: HttpRequest) -> None:
        edition = services.schedule_edition(edition=self.edition, at=self.form.cleaned_data["at"])
        messages.success(
            request,
            _("Scheduled for %(at)s.")
            % {"at": date_format(timezone.localtime(edition.scheduled_at), "DATETIME_FORMAT")},
        )


class CancelView(_ActionView):
    def act(self, request: HttpRequest) -> None:
        services.cancel_edition(edition=self.edition)
        messages.success(request, _("The scheduled send was cancelled; nothing was sent."))


class _CreateView(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    model = Edition
    permission_required = "add"
    template_name = "newsletter/admin/create.html"
    inspect_url_name: str | None = None
    index_url_name: str | None = None

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Editions")},
            {"url": "", "label": self.get_page_title()},
        ]

    def created(self, edition: Edition) -> HttpResponse:
        messages.success(
            self.request,
            _("Edition “%(subject)s” created as a draft.") % {"subject": edition.subject},
        )
        return HttpResponseRedirect(reverse(self.inspect_url_name, args=[edition.pk]))


class ArticleEditionView(_CreateView):
    """“Send this by email”: a draft edition of one live article."""

    page_title = _("Send this by email")
    form_class = forms.ArticleEditionForm

    @cached_property
    def article(self) -> ArticlePage:
        return get_object_or_404(ArticlePage.objects.live(), pk=self.kwargs["page_id"])

    def get_page_subtitle(self) -> str:
        return self.article.title

    def get_initial(self) -> dict:
        return {
            "newsletter": queries.default_newsletter(self.article.locale.language_code),
            "subject": self.article.title,
        }

    def get_context_data(self, **kwargs: object) -> dict:
        return super().get_context_data(article=self.article, **kwargs)

    def form_valid(self, form: forms.ArticleEditionForm) -> HttpResponse:
        edition = services.create_edition(
            newsletter=form.cleaned_data["newsletter"],
            subject=form.cleaned_data["subject"],
            article=self.article,
        )
        return self.created(edition)


class DigestView(_CreateView):
    """A draft edition listing what was published since the newsletter's last one."""

    page_title = _("New digest")
    form_class = forms.DigestForm

    def form_valid(self, form: forms.DigestForm) -> HttpResponse:
        newsletter = form.cleaned_data["newsletter"]
        try:
            edition = services.create_digest_edition(
                newsletter, subject=form.cleaned_data["subject"] or None
            )
        except services.EmptyDigest as empty:
            form.add_error(
                None,
                gettext(
                    "Nothing to send: no article in %(language)s was published since "
                    "%(since)s. No edition was made."
                )
                % {
                    "language": newsletter.get_language_display(),
                    "since": date_format(timezone.localtime(empty.since), "DATETIME_FORMAT"),
                },
            )
            return self.form_invalid(form)
        return self.created(edition)
