"""Shared fixtures: a small two-language publication, built once per test session.

Every test runs inside a transaction that is rolled back, so tests may change what they
are given without affecting the next one.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from wagtail.models import Site

from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, Contributor
from masthead.newsroom.transcripts import pairs_from_turns


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _keep_shared_fixtures_on_one_worker(items)
    _skip_own_sqlite_on_postgres(items)


def _keep_shared_fixtures_on_one_worker(items: list[pytest.Item]) -> None:
    """Tests sharing a costly module, package or session fixture run on one xdist worker.

    A demo server, a backup site or a cluster of processes is built once per worker that
    needs it; spread over every worker, it would be built on each. ``--dist loadgroup``
    keeps each group together and spreads everything else test by test. The suite-wide
    fixtures of this file and of plugins are every worker's anyway.
    """
    suite_wide = {"", Path(__file__).parent.name}
    for item in items:
        # pytest has no public view of which definition of a fixture an item uses.
        homes = sorted(
            definition.baseid
            for definitions in item._fixtureinfo.name2fixturedefs.values()
            for definition in definitions[-1:]
            if definition.scope != "function" and definition.baseid not in suite_wide
        )
        if homes:
            item.add_marker(pytest.mark.xdist_group(homes[0]))


def _skip_own_sqlite_on_postgres(items: list[pytest.Item]) -> None:
    """The PostgreSQL pass of .ci/run skips tests that never touch its database."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="runs its own SQLite data folder: the SQLite pass covers it")
    for item in items:
        if item.get_closest_marker("own_sqlite"):
            item.add_marker(skip)


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def _exchange(*turns: tuple[str, object, str]) -> dict:
    return {
        "type": "exchange",
        "value": {
            "pairs": pairs_from_turns(
                [
                    {
                        "kind": kind,
                        "speaker": speaker.pk if isinstance(speaker, Contributor) else None,
                        "speaker_name": "" if isinstance(speaker, Contributor) else speaker,
                        "text": f"<p>{text}</p>",
                    }
                    for kind, speaker, text in turns
                ]
            )
        },
    }


def build_publication() -> SimpleNamespace:
    """The fixture publication: en and es homes, two sections, a board of five, articles."""
    locales = services.ensure_locales(["en", "es"])
    en, es = locales["en"], locales["es"]
    home = services.create_home(title="The Test Gazette", slug="home", locale=en)
    home_es = services.translate_page(home, locale=es, title="La Gaceta de Prueba")
    interviews = services.create_section(home=home, title="Interviews", slug="interviews")
    analysis = services.create_section(home=home, title="Analysis", slug="analysis")
    interviews_es = services.translate_page(interviews, locale=es, title="Entrevistas")

    members = [
        services.create_contributor(name=name, slug=name.lower().replace(" ", "-"), locale=en)
        for name in ["Ada Quispe", "Bruno Valle", "Clara Ito", "Dario Mena", "Irene Sol"]
    ]
    board = services.create_contributor(
        name="The Gazette Board",
        slug="board",
        locale=en,
        kind=Contributor.Kind.COLLECTIVE,
        members=members,
    )
    members_es = [
        services.create_contributor(name=m.name, slug=m.slug, locale=es, translation_of=m)
        for m in members
    ]
    board_es = services.create_contributor(
        name="La Junta de la Gaceta",
        slug="board",
        locale=es,
        kind=Contributor.Kind.COLLECTIVE,
        members=members_es,
        translation_of=board,
    )
    subject = services.create_contributor(
        name="Tomas Arce",
        slug="tomas-arce",
        locale=en,
        role="Philosophy teacher",
        bio="<p>Tomas Arce teaches philosophy in a coastal city.</p>",
    )
    subject_es = services.create_contributor(
        name="Tomas Arce",
        slug="tomas-arce",
        locale=es,
        role="Profesor de filosofía",
        bio="<p>Tomas Arce enseña filosofía en una ciudad costera.</p>",
        translation_of=subject,
    )
    writer = services.create_contributor(name="Nora Field", slug="nora-field", locale=en)

    now = timezone.now()
    flagship = services.create_article(
        section=interviews,
        draft=services.ArticleDraft(
            title="Salt and Silver: A Conversation",
            slug="salt-and-silver",
            standfirst="A teacher of philosophy on the long history of his country's mines.",
            kind=ArticlePage.Kind.INTERVIEW,
            bylines=[board],
            subjects=[subject],
            topics=["mining", "history"],
            first_published_at=now - dt.timedelta(days=1),
            body=[
                _paragraph("An introduction about quarries and the word zanzibarite."),
                _exchange(
                    ("question", board, "How did the mines shape the republic?"),
                    ("answer", subject, "Slowly, and then all at once."),
                ),
            ],
        ),
    )
    flagship_es = services.translate_article(
        flagship,
        locale=es,
        draft=services.ArticleDraft(
            title="Sal y plata: una conversación",
            slug="sal-y-plata",
            standfirst="Un profesor de filosofía sobre la larga historia minera de su país.",
            kind=ArticlePage.Kind.INTERVIEW,
            bylines=[board_es],
            subjects=[subject_es],
            topics=["minería"],
            first_published_at=now - dt.timedelta(days=1),
            body=[_paragraph("Una introducción sobre canteras.")],
        ),
    )
    others = [
        services.create_article(
            section=analysis if i % 2 else interviews,
            draft=services.ArticleDraft(
                title=f"Dispatch number {i}",
                slug=f"dispatch-{i}",
                standfirst=f"The standfirst of dispatch {i}.",
                bylines=[writer],
                topics=["mining"] if i < 3 else ["labour"],
                first_published_at=now - dt.timedelta(days=2 + i),
                body=[_paragraph(f"Body text of dispatch {i}.")],
            ),
        )
        for i in range(6)
    ]
    draft = services.create_article(
        section=analysis,
        publish=False,
        draft=services.ArticleDraft(
            title="Unpublished draft about quarries",
            slug="secret-draft",
            standfirst="Not for readers yet.",
            bylines=[writer],
            topics=["mining"],
            body=[_paragraph("A draft body mentioning zanzibarite.")],
        ),
    )
    services.configure_publication(
        site=Site.objects.get(is_default_site=True),
        name="The Test Gazette",
        patron_url="https://patrons.example.org/gazette",
        telegram_url="https://t.me/example_gazette",
        whatsapp_url="https://whatsapp.com/channel/example",
        texts={
            "en": {"tagline": "News from the coast", "support_appeal": "Readers fund us."},
            "es": {
                "tagline": "Noticias de la costa",
                "support_appeal": "Nos financian los lectores.",
            },
        },
    )
    return SimpleNamespace(
        en=en,
        es=es,
        home=home,
        home_es=home_es,
        interviews=interviews,
        analysis=analysis,
        interviews_es=interviews_es,
        members=members,
        board=board,
        board_es=board_es,
        subject=subject,
        writer=writer,
        flagship=flagship,
        flagship_es=flagship_es,
        others=others,
        draft=draft,
    )


@pytest.fixture(scope="session", autouse=True)
def _related_index_of_the_session(tmp_path_factory):
    """The related-posts index of this run's database, never one left by an earlier run."""
    from django.conf import settings

    settings.RELATED_INDEX_DIR = tmp_path_factory.mktemp("related")


@pytest.fixture(autouse=True)
def _related_index_of_the_test(settings, tmp_path):
    """Each test's index starts empty: a rolled-back test's articles must not linger in it."""
    from masthead.discovery import related_index

    settings.RELATED_INDEX_DIR = tmp_path / "related-index"
    related_index.forget()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. A request leaves its language active on
    the thread (LocaleMiddleware activates, nothing deactivates), so a test after one that
    fetched a Spanish page used to read its messages in Spanish, depending on which tests
    shared its worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _rate_limits_start_a_fresh_window(request, monkeypatch):
    """Each test counts rate-limited hits from the start of a window. Windows are fixed (a
    minute, ten minutes, an hour), so a test whose hits straddled a boundary saw its count
    start again and failed now and then (a search test in CI, stop 22). The limiter's clock
    runs ahead to the next whole hour, which every window divides. Tests of the limiter's
    own clock ask for the real one with ``@pytest.mark.real_clock``."""
    if request.node.get_closest_marker("real_clock"):
        return
    import time
    import types

    from masthead.lib import ratelimit

    # Ahead, never behind: Redis expires a counter at its window's end (EXPIREAT), and an
    # end in the past would delete it at once.
    real = time.time()
    ahead = (real // 3600 + 1) * 3600 + 1 - real
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(time=lambda: time.time() + ahead))


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a rolled-back test leaves cached pages behind."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


def use_smtp_server(settings, port: int) -> None:
    """Point Django's SMTP backend at a loopback test server (tests' aiosmtpd sinks)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def no_page_cache(settings):
    """Render every request: for tests that count the queries a render costs."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture(scope="session")
def _publication_ids(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        built = build_publication()
    return dict(vars(built).items())


@pytest.fixture
def publication(_publication_ids, db):
    """The fixture publication (see ``build_publication``), fresh from the database."""
    fresh = {}
    for name, value in _publication_ids.items():
        if isinstance(value, list):
            fresh[name] = [type(v).objects.get(pk=v.pk) for v in value]
        else:
            fresh[name] = type(value).objects.get(pk=value.pk)
    return SimpleNamespace(**fresh)
