from django.apps import AppConfig


class LibConfig(AppConfig):
    # An app only so that lib's one table (the rate-limit counters) has a migration; lib
    # itself keeps no models (STYLE.md).
    name = "masthead.lib"
    label = "lib"
