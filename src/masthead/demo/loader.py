"""Loads The Long Table, the demo publication, through ``newsroom.services``.

Idempotent: the English home page with the demo slug marks a loaded demo, so a second run
writes nothing. The whole load is one transaction, so a failed run leaves nothing behind
and the next run starts over.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Site

from masthead.demo import funding, images, newsletters, photos, search_index
from masthead.demo.content import publication as pub
from masthead.demo.content.pieces import PIECES
from masthead.demo.content.types import BodyItem, Heading, Notes, Piece, Quote, Turn, Version
from masthead.lib import fanout
from masthead.newsroom import services, tasks, transcripts
from masthead.newsroom.models import ArticlePage, Contributor, HomePage, SectionPage

# Used only when another publication already owns the default site (see _site_for).
DEMO_HOSTNAME = "demo.localhost"


@dataclass
class LoadResult:
    home: HomePage
    created: bool
    articles: int


def demo_home() -> HomePage | None:
    """The demo's English home page, if the demo has been loaded."""
    return HomePage.objects.filter(slug=pub.HOME_SLUG, locale__language_code="en").first()


def load_publication(*, now: dt.datetime | None = None) -> LoadResult:
    """Create the demo publication unless it exists; say where it is and what it holds.

    Loaded, not news: nothing it publishes is posted to the channels (issue 11).
    """
    with fanout.quiet():
        return _load_publication(now=now)


@transaction.atomic(durable=True)
def _load_publication(*, now: dt.datetime | None) -> LoadResult:
    """Create the demo publication unless it exists.

    Creates the locales, both home pages, the sections, the contributors (with portraits),
    the publication settings and texts, and every piece in ``content.pieces`` with its hero
    image and, where written, its Spanish translation; then the newsletters, with fictional
    readers and past editions (``newsletters``); then reader revenue: a plan, the running
    campaign and a year of ledger rows from those readers (``funding``).
    """
    existing = demo_home()
    if existing is not None:
        count = sum(
            ArticlePage.objects.descendant_of(home).count()
            for home in existing.get_translations(inclusive=True)
        )
        return LoadResult(home=existing, created=False, articles=count)
    now = now or timezone.now()
    locales = services.ensure_locales(["en", "es"])
    en, es = locales["en"], locales["es"]
    home = services.create_home(
        title=pub.NAME, slug=pub.HOME_SLUG, locale=en, intro=pub.HOME_INTRO
    )
    home_es = services.translate_page(
        home, locale=es, title=pub.NAME_ES, slug=pub.HOME_SLUG_ES, intro=pub.HOME_INTRO_ES
    )
    services.configure_publication(
        site=_site_for(home), texts=pub.TEXTS, name=pub.NAME, **pub.LINKS
    )
    sections = _create_sections(home, home_es, es)
    people = _create_people(en, es)
    published = 0
    for piece in PIECES:
        published += _publish_piece(piece, sections=sections, people=people, locale_es=es, now=now)
    newsletters.load_newsletters(now=now)
    funding.load_funding(now=now)
    _index([home, home_es])
    _enqueue_renditions(en)
    return LoadResult(home=home, created=True, articles=published)


def _index(homes: list[HomePage]) -> None:
    """Index the demo's pages and people now (see ``search_index``)."""
    for model in (HomePage, SectionPage, ArticlePage):
        pages = model.objects.none()
        for home in homes:
            pages |= model.objects.descendant_of(home, inclusive=True)
        search_index.add_now(model, list(pages))
    slugs = [person.slug for person in pub.PEOPLE]
    search_index.add_now(Contributor, list(Contributor.objects.filter(slug__in=slugs)))


def _enqueue_renditions(en: Locale) -> None:
    """The photographs' renditions, made by the worker after the load commits: the flagship
    and the home page's lead are what a visitor opens first. Publishing here is quiet, so
    nothing else is enqueued (newsroom/rendition_signals.py); the drawings' renditions are
    made on first view, a fraction of a second each."""
    for article_id in ArticlePage.objects.filter(locale=en, slug__in=_photo_heroes()).values_list(
        "pk", flat=True
    ):
        tasks.make_article_renditions.enqueue(article_id)


def _site_for(home: HomePage) -> Site:
    """The site that serves the demo.

    ``create_home`` makes the first home the default site's root. When another publication
    already holds the default site, the demo gets a host of its own rather than taking over
    that publication's settings.
    """
    site = home.get_site()
    if site is None:
        site = Site.objects.create(
            hostname=DEMO_HOSTNAME, port=80, root_page=home, site_name=pub.NAME
        )
    return site


def _create_sections(
    home: HomePage, home_es: HomePage, es: Locale
) -> dict[str, tuple[SectionPage, SectionPage | None]]:
    # Spanish sections exist only where there is Spanish to put in them.
    with_spanish = {piece.section for piece in PIECES if piece.es is not None}
    sections = {}
    for spec in pub.SECTIONS:
        section = services.create_section(
            home=home, title=spec.title, slug=spec.slug, intro=spec.intro
        )
        section_es = None
        if spec.slug in with_spanish:
            section_es = services.translate_page(
                section, locale=es, title=spec.es_title, slug=spec.es_slug, intro=spec.es_intro
            )
        sections[spec.slug] = (section, section_es)
    return sections


def _create_people(en: Locale, es: Locale) -> dict[str, dict[str, Contributor]]:
    """Contributors by language, then slug; collectives come after their members."""
    people: dict[str, dict[str, Contributor]] = {"en": {}, "es": {}}
    for person in pub.PEOPLE:
        photo = images.save_image(
            title=f"Portrait: {person.name}",
            filename=f"portrait-{person.slug}.jpg",
            artwork=images.draw(f"portrait:{person.slug}", size=images.PORTRAIT_SIZE),
        )
        kind = Contributor.Kind.COLLECTIVE if person.members else Contributor.Kind.PERSON
        contributor = services.create_contributor(
            name=person.name,
            slug=person.slug,
            locale=en,
            role=person.role,
            bio=person.bio,
            kind=kind,
            photo=photo,
            links=person.links,
            members=[people["en"][slug] for slug in person.members],
        )
        people["en"][person.slug] = contributor
        if person.es_role:
            people["es"][person.slug] = services.create_contributor(
                name=person.es_name or person.name,
                slug=person.slug,
                locale=es,
                role=person.es_role,
                bio=person.es_bio,
                kind=kind,
                photo=photo,
                links=person.links,
                translation_of=contributor,
                members=[people["es"][slug] for slug in person.members],
            )
    return people


def _photo_heroes() -> set[str]:
    """The pieces whose hero is a photograph-sized image (``photos``): the flagship and the
    three newest, so the home page's lead and the flagship show real weight (issue 14)."""
    newest = sorted(PIECES, key=lambda piece: piece.days_ago)[:3]
    return {PIECES[0].en.slug, *(piece.en.slug for piece in newest)}


def _publish_piece(
    piece: Piece, *, sections: dict, people: dict, locale_es: Locale, now: dt.datetime
) -> int:
    section, section_es = sections[piece.section]
    make = photos.photo if piece.en.slug in _photo_heroes() else images.draw
    artwork = make(f"hero:{piece.en.slug}")
    hero = images.save_image(
        title=piece.en.title, filename=f"{piece.en.slug}.jpg", artwork=artwork
    )
    published_at = now - dt.timedelta(days=piece.days_ago)
    updated_at = (
        now - dt.timedelta(days=piece.updated_days_ago)
        if piece.updated_days_ago is not None
        else None
    )
    article = services.create_article(
        section=section,
        draft=_draft(
            piece,
            piece.en,
            people["en"],
            hero=hero,
            alt=artwork.alt_en,
            credit=pub.NAME,
            caption=piece.caption,
            published_at=published_at,
            updated_at=updated_at,
        ),
    )
    if piece.es is None:
        return 1
    if section_es is None:
        raise ValueError(f"Section {piece.section!r} has no Spanish translation")
    services.translate_article(
        article,
        locale=locale_es,
        # A translation goes out a few hours after the original, as it would in a newsroom.
        draft=_draft(
            piece,
            piece.es,
            people["es"],
            hero=hero,
            alt=artwork.alt_es,
            credit=pub.NAME_ES,
            caption=piece.es_caption,
            published_at=published_at + dt.timedelta(hours=6),
            updated_at=updated_at,
        ),
    )
    return 2


def _draft(
    piece: Piece,
    version: Version,
    people: dict[str, Contributor],
    *,
    hero: object,
    alt: str,
    credit: str,
    caption: str,
    published_at: dt.datetime,
    updated_at: dt.datetime | None,
) -> services.ArticleDraft:
    syndication_name, syndication_url = piece.syndication or ("", "")
    return services.ArticleDraft(
        title=version.title,
        slug=version.slug,
        standfirst=version.standfirst,
        kind=piece.kind,
        body=stream_data(version.body, people),
        bylines=[people[slug] for slug in piece.authors],
        subjects=[people[slug] for slug in piece.subjects],
        topics=list(version.topics),
        hero_image=hero,
        hero_alt=alt,
        hero_credit=credit,
        hero_caption=caption,
        first_published_at=published_at,
        updated_at=updated_at,
        syndication_name=syndication_name,
        syndication_url=syndication_url,
        search_description=version.standfirst[:250],
    )


def stream_data(items: Iterable[BodyItem], people: dict[str, Contributor]) -> list[dict]:
    """Turn content items into StreamField data; consecutive turns share one exchange, as
    question/answer pairs."""
    blocks: list[dict] = []
    turns: list[dict] = []
    for item in items:
        if isinstance(item, Turn):
            if not turns:
                blocks.append(_block("exchange", {"pairs": []}))
            turns.append(_turn(item, people))
            blocks[-1]["value"]["pairs"] = transcripts.pairs_from_turns(turns)
            continue
        turns = []
        if isinstance(item, str):
            blocks.append(_block("paragraph", f"<p>{item}</p>"))
        elif isinstance(item, Heading):
            blocks.append(_block("heading", {"text": item.text, "level": "h2"}))
        elif isinstance(item, Quote):
            blocks.append(
                _block("pull_quote", {"quote": item.text, "attribution": item.attribution})
            )
        elif isinstance(item, Notes):
            blocks.append(_block("footnotes", {"notes": list(item.notes)}))
        else:
            raise TypeError(f"Unknown body item: {item!r}")
    return blocks


def _block(kind: str, value: object) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _turn(turn: Turn, people: dict[str, Contributor]) -> dict:
    # A speaker who is a contributor links to their page; anyone else is named in text.
    speaker = people.get(turn.speaker)
    return {
        "kind": turn.kind,
        "speaker": speaker.pk if speaker else None,
        "speaker_name": "" if speaker else turn.speaker,
        "text": f"<p>{turn.text}</p>",
    }
