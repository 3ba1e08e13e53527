"""Every image a reader sees, by the role it plays on the page, and the renditions it needs.

One list (``ROLES``) serves both sides: the ``responsive_image`` template tag (theme) asks it
which renditions to put in a ``<picture>``, and the background task (``tasks``) makes those
same renditions when an article is published or an image, a contributor or the publication's
logo changes, so that a reader's request finds them made. A rendition the task has not made
yet (a page rendered between a publish and its task) is made by Wagtail on that first
request, and kept: no reader waits for it a second time.

Each role lists widths from a 320-pixel phone to twice the widest column it fills, and the
``sizes`` that say how wide it is drawn (theme/static/theme/masthead.css: ``--wrap`` 74rem,
the 19rem aside from 64rem, cards of ``.grid`` at least 14rem). Every width is made as AVIF
and WebP, with a JPEG (PNG for originals that may be transparent) for browsers that know
neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.utils.safestring import SafeString, mark_safe
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage, Picture
from wagtail.images.shortcuts import get_renditions_or_not_found

from masthead.lib import pagecache
from masthead.newsroom.models import ArticlePage, Contributor, PublicationSettings

# Newest first: the browser takes the first <source> whose type it decodes.
SOURCE_FORMATS = ("avif", "webp")
# What Open Graph cards, channel posts and schema.org data link to: one JPEG the networks
# all read, 1,200 pixels wide as they recommend.
SOCIAL_SPEC = "width-1200|format-jpeg"
# The logo in schema.org data (discovery/structured_data.py).
LOGO_DATA_SPEC = "max-600x600"
_TRANSPARENT_EXTENSIONS = (".png", ".gif")

HIGH, EAGER, LAZY = "high", "eager", "lazy"


@dataclass(frozen=True)
class Role:
    """How one kind of image is cut, at which widths, and how wide the page draws it."""

    widths: tuple[int, ...]
    sizes: str  # the ``sizes`` attribute; "" when it follows from the image (the logo)
    ratio: tuple[int, int] | None = None  # cropped to this shape (``fill``), else scaled
    by_height: bool = False  # the logo: a fixed height, whatever its width
    # HIGH: the page's main image (fetchpriority="high", never lazy); EAGER: above the
    # fold but not the main one; LAZY: loaded when the reader scrolls near it.
    loading: str = LAZY


_MAIN_COLUMN = (
    "(min-width: 74rem) 48rem, (min-width: 64rem) calc(100vw - 26rem), calc(100vw - 2rem)"
)

ROLES: dict[str, Role] = {
    # An article's hero: the main column's width.
    "hero": Role(widths=(320, 480, 640, 800, 1200, 1600), sizes=_MAIN_COLUMN, loading=HIGH),
    # An image in an article's body: the prose measure (68ch), at most the main column.
    "figure": Role(widths=(320, 480, 640, 800, 1200, 1600), sizes=_MAIN_COLUMN),
    # The home page's lead story: three fifths of the wrap from 48rem, full width below.
    "card_lead": Role(
        widths=(320, 480, 640, 960, 1280),
        sizes="(min-width: 74rem) 41rem, (min-width: 48rem) 57vw, calc(100vw - 2rem)",
        ratio=(16, 9),
        loading=HIGH,
    ),
    # A card in a grid (related posts): a third of the main column on a desktop.
    "card": Role(
        widths=(320, 480, 640),
        sizes=(
            "(min-width: 74rem) 16rem, (min-width: 64rem) calc((100vw - 26rem) / 3), "
            "(min-width: 34rem) calc(50vw - 2rem), calc(100vw - 2rem)"
        ),
        ratio=(16, 9),
    ),
    # The interviewee's photo in the bio box under an article (6rem).
    "bio": Role(widths=(96, 192, 288), sizes="6rem", ratio=(1, 1)),
    # A contributor's photo at the top of their page (8rem).
    "profile": Role(widths=(128, 256, 384), sizes="8rem", ratio=(1, 1), loading=EAGER),
    # The publication's logo in the header, 3rem high (widths here are heights).
    "logo": Role(widths=(48, 96, 144), sizes="", by_height=True, loading=EAGER),
}

ARTICLE_HERO_ROLES = ("hero", "card_lead", "card")
PORTRAIT_ROLES = ("bio", "profile")


def fallback_format(image: AbstractImage) -> str:
    """JPEG for photographs; PNG for originals that may be transparent."""
    name = (image.file.name or "").lower()
    return "png" if name.endswith(_TRANSPARENT_EXTENSIONS) else "jpeg"


def _operations(image: AbstractImage, role: Role) -> list[str]:
    # Never wider than the original (Wagtail does not enlarge): the largest width the
    # original allows stands in for every width above it, so no two share a size.
    width, height = image.width or 1, image.height or 1
    if role.by_height:
        return [f"height-{h}" for h in _capped(role.widths, height)]
    if role.ratio is None:
        return [f"width-{w}" for w in _capped(role.widths, width)]
    rw, rh = role.ratio
    widest = min(width, height * rw // rh)
    return [f"fill-{w}x{w * rh // rw}" for w in _capped(role.widths, widest)]


def _capped(sizes: tuple[int, ...], limit: int) -> list[int]:
    kept = [size for size in sizes if size < limit]
    if len(kept) < len(sizes):
        kept.append(limit)
    return kept


def specs(image: AbstractImage, role: str) -> list[str]:
    """The rendition specs ``role`` needs of ``image``: every width in every format, the
    fallback format last (Wagtail's ``Picture`` takes the last format for the ``<img>``)."""
    formats = (*SOURCE_FORMATS, fallback_format(image))
    return [f"{op}|format-{fmt}" for fmt in formats for op in _operations(image, ROLES[role])]


# The HTML is kept until an image changes (SHARED); this only bounds the cache's size.
PICTURE_SECONDS = 3600


def picture(image: AbstractImage, role: str, **attrs: object) -> SafeString:
    """``<picture>`` with AVIF and WebP sources and an ``<img>`` with width and height.

    Kept as HTML: looking up its fifteen renditions (in Wagtail's rendition cache or the
    database) and parsing their specs was a fifth of an uncached article's render. The key
    holds what the renditions follow (the file, the focal point) and the tag is the one an
    image's edit moves, so a replaced file or a moved focal point shows at once; a missing
    source file's placeholder is kept too, until the image is saved again.
    """
    focal = (image.focal_point_x, image.focal_point_y)
    focal += (image.focal_point_width, image.focal_point_height)
    shape = hashlib.sha1(  # noqa: S324 (a cache key, not a secret)
        repr((image.file.name, focal, sorted(attrs.items()))).encode()
    ).hexdigest()
    key = f"picture:{image.pk}:{role}:{shape}"
    render = partial(_picture, image, role, attrs)
    return mark_safe(pagecache.remembered(key, render, PICTURE_SECONDS, tags=(pagecache.SHARED,)))  # noqa: S308 (Wagtail's Picture escapes)


def _picture(image: AbstractImage, role: str, attrs: dict[str, object]) -> str:
    kind = ROLES[role]
    renditions = get_renditions_or_not_found(image, specs(image, role))
    attrs["sizes"] = kind.sizes or _logo_sizes(image)
    if kind.loading == HIGH:
        attrs.setdefault("fetchpriority", "high")
    elif kind.loading == LAZY:
        attrs.setdefault("loading", "lazy")
    attrs.setdefault("decoding", "async")
    return str(Picture(renditions, attrs).__html__())


def _logo_sizes(image: AbstractImage) -> str:
    # Drawn 3rem high: its width follows from its shape.
    return f"{round(48 * (image.width or 1) / (image.height or 1))}px"


# --- making them: what the background task calls ---------------------------------------


def make(image: AbstractImage, roles: Iterable[str]) -> int:
    """Make every rendition ``roles`` need of ``image`` that does not exist yet; returns how
    many specs were asked for. A missing source file is skipped, not an error: the page
    shows Wagtail's not-found placeholder, as it would without the task."""
    roles = list(roles)
    wanted = [spec for role in roles for spec in specs(image, role)]
    if "hero" in roles:
        wanted.append(SOCIAL_SPEC)
    if "logo" in roles:
        wanted.append(LOGO_DATA_SPEC)
    get_renditions_or_not_found(image, wanted)
    return len(wanted)


def make_for_article(article: ArticlePage) -> int:
    """Renditions for everything the live article shows: its hero (as a hero, in cards and
    as the social card), the images in its body and its interviewees' photos."""
    made = 0
    if article.hero_image is not None:
        made += make(article.hero_image, ARTICLE_HERO_ROLES)
    for image in _body_images(article):
        made += make(image, ("figure",))
    people = Contributor.objects.filter(
        pk__in=article.subjects.values("contributor_id"), photo__isnull=False
    ).select_related("photo")
    for person in people:
        made += make(person.photo, PORTRAIT_ROLES)
    return made


def _body_images(article: ArticlePage) -> list[AbstractImage]:
    ids = [
        block.value["image"].pk
        for block in article.body
        if block.block_type == "image" and block.value["image"] is not None
    ]
    return list(get_image_model().objects.filter(pk__in=ids))


def make_for_image(image: AbstractImage) -> int:
    """Renditions for every place ``image`` is shown (after it is replaced or its focal
    point moves, the cropped ones change)."""
    roles: list[str] = []
    if ArticlePage.objects.filter(hero_image=image).exists():
        roles += ARTICLE_HERO_ROLES
    if Contributor.objects.filter(photo=image).exists():
        roles += PORTRAIT_ROLES
    if PublicationSettings.objects.filter(logo=image).exists():
        roles.append("logo")
    return make(image, roles) if roles else 0
