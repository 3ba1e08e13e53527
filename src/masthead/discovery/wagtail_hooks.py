"""Admin registration: editors' related-post choices."""

from wagtail import hooks

from masthead.discovery.viewsets import related_choice_viewset


@hooks.register("register_admin_viewset")
def register_related_choices() -> object:
    return related_choice_viewset
