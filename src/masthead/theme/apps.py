from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemeConfig(AppConfig):
    name = "masthead.theme"
    label = "theme"
    verbose_name = _("Theme")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead.theme import admin_refusal

        admin_refusal.install()
