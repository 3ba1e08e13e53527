"""Every Wagtail page a reader is served declares what it shows to the page cache."""

from wagtail import hooks

from masthead.discovery import invalidation

hooks.register("before_serve_page", invalidation.declare_page)
