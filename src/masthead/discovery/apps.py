from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiscoveryConfig(AppConfig):
    name = "masthead.discovery"
    label = "discovery"
    verbose_name = _("Discovery")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead.discovery import invalidation, queries, related_signals, search_signals
        from masthead.newsroom import queries as newsroom_queries

        invalidation.connect()
        related_signals.connect()
        search_signals.connect()
        # The article page (newsroom, a lower floor) reads the stored related lists
        # through this hook, as it may not import discovery (DESIGN.md: Layers).
        newsroom_queries.read_related_ids_from(queries.stored_related_ids)
