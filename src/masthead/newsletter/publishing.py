"""Sending an article by email with its publish: the newsletter's part of the publish
dialog (newsroom/publishing.py), and what happens when the article goes live.

The editor's choice is checked with the article's form, before anything is written. When
Wagtail publishes (now, or later when scheduled), ``before_publish`` makes the edition,
waiting for its article; Wagtail's ``page_published``, from the editor's publish or from
scheduled publishing, sends it through the ledger (services.went_live). Nothing else sends.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.newsletter import forms, services
from masthead.newsroom import publishing
from masthead.newsroom.models import ArticlePage

OPTION_TEMPLATE = "newsletter/admin/publish_option.html"


def email_form(
    data: object, article: object, language: str, user: AbstractBaseUser | None
) -> forms.EmailOnPublishForm | None:
    """The dialog's "Also send by email", for editors who may make editions."""
    if user is None or not user.has_perm("newsletter.add_edition"):
        return None
    return forms.EmailOnPublishForm(data, article=article, language=language)


OPTION = publishing.Option(form=email_form, template_name=OPTION_TEMPLATE)


def before_publish(request: HttpRequest, page: object) -> None:
    """Wagtail's ``before_publish_page``: the edition asked for, waiting for its article.

    The article's form has checked the choice already (publishing.ArticlePageForm), so a
    form invalid here means the option was not part of this publish.
    """
    if not isinstance(page, ArticlePage) or not publishing.is_publishing(request.POST):
        return
    form = email_form(request.POST, page, page.locale.language_code, request.user)
    if form is None or not form.is_valid() or not form.cleaned_data["send"]:
        return
    data = form.cleaned_data
    edition = services.send_with_publish(
        article=page,
        newsletter=data["newsletter"],
        subject=data["subject"] or page.title,
        full_piece=data.get("content") == forms.FULL,
        intro=data["intro"],
    )
    if page.go_live_at and page.go_live_at > timezone.now():
        messages.info(
            request,
            _("It will be sent by email to %(newsletter)s when it goes live.")
            % {"newsletter": edition.newsletter.name},
        )
    else:
        messages.info(
            request,
            _("Sending it by email to %(newsletter)s.") % {"newsletter": edition.newsletter.name},
        )


def after_edit(request: HttpRequest, page: object) -> None:
    """Wagtail's ``after_edit_page``: a draft saved with "Also send" ticked sends nothing,
    and the editor is told so rather than left to believe it will go out."""
    if not isinstance(page, ArticlePage) or publishing.is_publishing(request.POST):
        return
    if not request.accepts("text/html"):
        return  # an autosave: its JSON answer shows no message
    if request.POST.get(f"{forms.EmailOnPublishForm.prefix}-send"):
        messages.warning(
            request,
            _("Nothing was sent: “Also send by email” takes effect when you publish."),
        )


def on_published(sender: type, instance: object, **kwargs: object) -> None:
    """Wagtail's ``page_published``, whoever published: send what waited for the article."""
    if isinstance(instance, ArticlePage) and instance.live:
        services.went_live(article=instance)
