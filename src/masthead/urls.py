"""URLs: admin and language-neutral files at the root; every reader page under /en/ or /es/."""

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.discovery.api import api_router
from masthead.lib.media import serve_public_media

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The read-only content API (docs/api.md): the same in every language (?locale=es).
    path("api/v2/", api_router.urls),
    # robots.txt and sitemap.xml describe the whole host, so no language prefix.
    path("", include("masthead.discovery.root_urls")),
    # Language-neutral: the link lives in emails; the page speaks the newsletter's language.
    path("newsletter/", include("masthead.newsletter.urls")),
    # ESPs post bounces and complaints here (README, "Bounces and complaints").
    path("webhooks/email/", include("masthead.newsletter.webhook_urls")),
    # Stripe and Mercado Pago post payment notifications here (stable for outside callers).
    path("webhooks/payments/", include("masthead.funding.webhook_urls")),
    # Meta's WhatsApp Cloud API posts statuses and replies here (docs/channels.md).
    path("webhooks/whatsapp/", include("masthead.channels.whatsapp.webhook_urls")),
]

if settings.SERVE_MEDIA:
    # One-machine installs serve uploads themselves, documents excepted (lib/media.py);
    # with S3 or nginx in front this is off.
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            serve_public_media,
        )
    ]

urlpatterns += i18n_patterns(
    path("", include("masthead.discovery.urls")),
    path("", include("masthead.audience.urls")),
    path("", include("masthead.funding.urls")),
    path("", include("masthead.channels.whatsapp.urls")),
    # Wagtail's page URLs, served through the newsroom's one-query routing.
    path("", include("masthead.newsroom.urls")),
    prefix_default_language=True,
)
