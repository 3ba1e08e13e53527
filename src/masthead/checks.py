"""Deploy checks: what production needs, reported by ``manage.py check --deploy``.

Settings keep safe defaults so the demo runs with nothing set; these checks are how an
operator learns what a real deployment still lacks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: object = None, **kwargs: object) -> list:
    problems = []
    if not settings.PRODUCTION:
        problems.append(
            Warning(
                "MASTHEAD_ENV is not 'production': security settings are relaxed.",
                hint="Set MASTHEAD_ENV=production on a public server.",
                id="masthead.W001",
            )
        )
    if not settings.BASE_URL.startswith("https://"):
        problems.append(
            Warning(
                "MASTHEAD_BASE_URL does not start with https://.",
                hint="Links in feeds, sitemaps and emails use it; readers need HTTPS.",
                id="masthead.W002",
            )
        )
    if settings.DEBUG:
        problems.append(Error("MASTHEAD_DEBUG is on.", id="masthead.E001"))
    return problems
