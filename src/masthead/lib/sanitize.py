"""Allow-list sanitising of rich text at render time.

Wagtail cleans rich text entered through its editor, but bios and bodies can also arrive
through imports, the API or the shell; nh3 (the Rust ammonia binding) makes the rendered
HTML safe whatever path stored it.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "s",
    "strong",
    "sub",
    "sup",
    "ul",
    "figure",
    "figcaption",
    "img",
    "span",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "class", "loading", "srcset", "sizes"},
    "span": {"class"},
    "p": {"class"},
}


def clean_html(html: str) -> SafeString:
    """``html`` with only allow-listed tags, attributes and URL schemes (no ``javascript:``)."""
    return mark_safe(  # noqa: S308 (the output of nh3's allow-list is safe by construction)
        nh3.clean(
            html,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener",
        )
    )
