from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemeConfig(AppConfig):
    name = "masthead.theme"
    label = "theme"
    verbose_name = _("Theme")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead.theme import admin_refusal, fragments

        admin_refusal.install()
        # Latest news and related posts: page-cache holes, so a publish re-renders neither
        # the article pages around them nor, for related posts, more than the boxes it changes.
        fragments.register()
