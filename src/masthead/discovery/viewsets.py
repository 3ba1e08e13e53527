"""Admin: editors pin or exclude related posts per article."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminPageChooser

from masthead.discovery.models import RelatedChoice
from masthead.newsroom.models import ArticlePage


class ArticleChooser(AdminPageChooser):
    """The page chooser, limited to articles, that survives a bad value in a sent form.

    Wagtail's chooser looks the re-rendered value up as an id; "x" would raise there and
    turn a form error into a 500.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(target_models=[ArticlePage], **kwargs)

    def get_instance(self, value: object) -> ArticlePage | None:
        try:
            return super().get_instance(value)
        except (ValueError, TypeError):
            return None


class RelatedChoiceForm(WagtailAdminModelForm):
    class Meta:
        model = RelatedChoice
        fields = ["article", "other", "action", "position"]
        # A chooser, not a select of every article in the archive.
        widgets = {
            "article": ArticleChooser(),
            "other": ArticleChooser(),
        }

    def save(self, commit: bool = True) -> RelatedChoice:
        from masthead.discovery import tasks

        choice = super().save(commit=commit)
        # The article's stored list is rewritten in the worker, with ids only.
        transaction.on_commit(lambda: tasks.apply_related_choices.enqueue(choice.article_id))
        return choice


class RelatedChoiceViewSet(ModelViewSet):
    model = RelatedChoice
    icon = "link"
    menu_label = _("Related posts")
    menu_order = 210
    add_to_admin_menu = True
    form_fields = ["article", "other", "action", "position"]
    list_display = ["article", "other", "action", "position"]
    list_filter = ["action"]
    search_fields = ["article__title", "other__title"]

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return RelatedChoiceForm


related_choice_viewset = RelatedChoiceViewSet("related_choices")
