"""Share links for an article: plain links to each network's own share address.

No network's script or button is loaded (they track readers and the CSP allows only our
own scripts): each link opens the network's share page with the headline and address
filled in. Mastodon has no single server, so its link goes to our own small page that asks
for the reader's server and sends them to its share page (``views.share_mastodon``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.urls import reverse

# A host name as a reader types it: letters, digits, hyphens and dots, no port or path.
_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class ShareLink:
    network: str  # the key: the CSS class and the tests use it
    name: str  # the network's name, as its users write it (never translated)
    href: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    """The links, in the order readers see them; ``url`` must be absolute."""
    text = f"{title} {url}"
    return [
        ShareLink("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ShareLink(
            "telegram",
            "Telegram",
            "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        ),
        ShareLink(
            "mastodon",
            "Mastodon",
            reverse("discovery:share_mastodon") + "?" + urlencode({"url": url, "title": title}),
        ),
        ShareLink(
            "bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": text})
        ),
        # mailto: wants %20 for spaces, not the "+" of a form (RFC 6068).
        ShareLink(
            "email",
            "Email",
            f"mailto:?subject={quote(title, safe='')}&body={quote(url, safe='')}",
        ),
    ]


def mastodon_server(value: str) -> str | None:
    """``mastodon.social`` from what a reader typed ("https://Mastodon.social/", "@me@host"
    gives "host"), or None when it is not a host name."""
    value = (value or "").strip().lower()
    value = re.sub(r"^https?://", "", value).rstrip("/")
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    return value if _HOST.match(value) else None


def mastodon_share_url(*, server: str, text: str) -> str:
    """The share page of a Mastodon server (``/share?text=``, Mastodon's own)."""
    return f"https://{server}/share?" + urlencode({"text": text})
