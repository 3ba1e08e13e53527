"""Wagtail hooks: pages declare what they show to the page cache; editors' related choices."""

from wagtail import hooks

from masthead.discovery import invalidation
from masthead.discovery.viewsets import related_choice_viewset

hooks.register("before_serve_page", invalidation.declare_page)


@hooks.register("register_admin_viewset")
def register_related_choices() -> object:
    return related_choice_viewset
