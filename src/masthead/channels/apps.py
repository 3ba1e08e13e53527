from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "masthead.channels"
    label = "channels"
    verbose_name = _("Channels")
    default_auto_field = "django.db.models.BigAutoField"
