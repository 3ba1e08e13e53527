"""Admin registration: contributors and publication texts are snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsroom.models import Contributor, PublicationText


class ContributorViewSet(SnippetViewSet):
    model = Contributor
    icon = "user"
    menu_label = _("Contributors")
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "role", "kind", "locale"]
    list_filter = ["kind", "locale"]
    search_fields = ["name"]


class PublicationTextViewSet(SnippetViewSet):
    model = PublicationText
    icon = "doc-full"
    menu_label = _("Publication texts")
    list_display = ["__str__", "tagline"]


register_snippet(ContributorViewSet)
register_snippet(PublicationTextViewSet)
