from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    label = "newsroom"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead import checks  # noqa: F401 (registers the deploy checks)
        from masthead.newsroom import rendition_signals

        rendition_signals.connect()
