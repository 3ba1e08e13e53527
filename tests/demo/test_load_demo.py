"""The demo publication as `load_demo` leaves it: content rules, rendering, idempotency.

The loader runs once for the class (about five seconds). It must also work when the
session's fixture publication already holds the default site, so pages are fetched on
whatever host serves them.
"""

from __future__ import annotations

import os
import re
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from masthead.audience.models import Newsletter, Reader, Subscription
from masthead.demo import loader, synthetic
from masthead.demo.content import publication as pub
from masthead.demo.content.flagship import FLAGSHIP
from masthead.demo.content.pieces import PIECES
from masthead.discovery.search import search_articles
from masthead.funding import queries as funding_queries
from masthead.funding import reports as funding_reports
from masthead.funding.models import Payment, Plan, Refund
from masthead.newsletter.models import Edition
from masthead.newsroom.blocks import turns as reader_turns
from masthead.newsroom.models import (
    ArticlePage,
    Contributor,
    PublicationSettings,
    PublicationText,
    SectionPage,
)

SYNTHETIC = 50
EN_SLUGS = [piece.en.slug for piece in PIECES]


def fetch(client, page):
    """GET ``page`` on the host of the site that serves it."""
    _site_id, root_url, path = page.get_url_parts()
    return client.get(path, HTTP_HOST=urlsplit(root_url).netloc)


class LoadDemoTests(TestCase):
    """Loads the demo (with synthetic articles) into a throwaway media and data folder."""

    @classmethod
    def setUpClass(cls):
        folder = Path(cls.enterClassContext(tempfile.TemporaryDirectory()))
        # Rolled-back sites leave Wagtail's cached site root paths behind; later tests
        # must not route to pages that no longer exist. Registered first, so runs last.
        cls.addClassCleanup(Site.clear_site_root_paths_cache)
        cls.enterClassContext(
            override_settings(
                MEDIA_ROOT=folder / "media",
                DATA_DIR=folder,
                ALLOWED_HOSTS=["localhost", loader.DEMO_HOSTNAME, "testserver"],
            )
        )
        cls.enterClassContext(mock.patch.dict(os.environ, {"MASTHEAD_ADMIN_PASSWORD": "pw-demo"}))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.output = StringIO()
        call_command("load_demo", articles=SYNTHETIC, stdout=cls.output)
        cls.en = Locale.objects.get(language_code="en")
        cls.es = Locale.objects.get(language_code="es")
        cls.home = loader.demo_home()
        cls.synthetic_ids = list(
            ArticlePage.objects.descendant_of(cls.home)
            .exclude(slug__in=EN_SLUGS)
            .values_list("pk", flat=True)
        )

    def test_publishes_the_written_pieces_across_sections_and_contributors(self):
        articles = ArticlePage.objects.live().filter(locale=self.en, slug__in=EN_SLUGS)
        self.assertGreaterEqual(articles.count(), 31)
        self.assertEqual(articles.count(), len(PIECES))
        self.assertGreaterEqual(SectionPage.objects.child_of(self.home).count(), 4)
        self.assertGreaterEqual(
            len({b.contributor_id for a in articles for b in a.bylines.all()}), 8
        )
        self.assertEqual(
            set(articles.values_list("kind", flat=True)), set(ArticlePage.Kind.values)
        )
        people = Contributor.objects.filter(locale=self.en, kind=Contributor.Kind.PERSON)
        self.assertGreaterEqual(people.filter(slug__in=[p.slug for p in pub.PEOPLE]).count(), 8)

    def test_newsletters_have_readers_a_growth_history_and_sent_editions(self):
        letters = {n.slug: n for n in Newsletter.objects.all()}
        self.assertEqual(letters["friday-letter"].language, "en")
        self.assertEqual(letters["carta-de-los-viernes"].language, "es")
        self.assertTrue(all(n.is_public for n in letters.values()))
        subs = Subscription.objects.filter(newsletter__in=letters.values())
        statuses = set(subs.values_list("status", flat=True))
        self.assertEqual(statuses, set(Subscription.Status.values))
        days = {s.confirmed_at.date() for s in subs.exclude(confirmed_at=None)}
        self.assertGreater(len(days), 30)  # a growth chart with a real slope, not one bar
        self.assertFalse(Reader.objects.exclude(email__regex=r"@example\.(org|net)$").exists())
        for edition in Edition.objects.filter(newsletter__in=letters.values()):
            self.assertEqual(edition.status, Edition.Status.SENT)
            self.assertEqual(edition.recipients_count, edition.deliveries.count())
            self.assertTrue(edition.articles.exists())
            self.assertTrue(
                all(
                    a.locale.language_code == edition.newsletter.language
                    for a in edition.articles.all()
                )
            )

    def test_the_sign_up_page_offers_the_demo_newsletters(self):
        page = self.client.get("/es/newsletter/")
        self.assertContains(page, "La carta de los viernes")

    def test_the_board_is_a_collective_of_five_people(self):
        board = Contributor.objects.get(locale=self.en, slug=pub.BOARD)
        self.assertTrue(board.is_collective)
        members = [m.member for m in board.members.all()]
        self.assertEqual(len(members), 5)
        self.assertTrue(all(m.kind == Contributor.Kind.PERSON for m in members))

    def test_flagship_is_published_in_english_and_spanish_as_translations(self):
        flagship = ArticlePage.objects.get(locale=self.en, slug=FLAGSHIP.en.slug)
        spanish = flagship.get_translation(self.es)
        self.assertEqual(spanish.slug, FLAGSHIP.es.slug)
        self.assertTrue(spanish.live)
        self.assertEqual(
            spanish.get_parent().translation_key, flagship.get_parent().translation_key
        )
        self.assertEqual([c.slug for c in _bylines(flagship)], [pub.BOARD])
        self.assertEqual([c.slug for c in _bylines(spanish)], [pub.BOARD])
        self.assertEqual(_bylines(spanish)[0].locale, self.es)
        subject = flagship.subjects.get().contributor
        self.assertEqual(subject.slug, pub.INTERVIEWEE)
        self.assertGreater(len(subject.bio), 400)
        self.assertGreaterEqual(len(re.findall(r"\w+", flagship.body_text)), 1200)
        kinds = {block.block_type for block in flagship.body}
        self.assertLessEqual(
            {"paragraph", "heading", "pull_quote", "exchange", "footnotes"}, kinds
        )
        self.assertTrue(flagship.hero_image_id and flagship.hero_alt and flagship.hero_credit)
        self.assertTrue(flagship.topics.exists())

    def test_flagship_questions_come_from_the_board_and_answers_from_the_interviewee(self):
        flagship = ArticlePage.objects.get(locale=self.en, slug=FLAGSHIP.en.slug)
        board = Contributor.objects.get(locale=self.en, slug=pub.BOARD)
        askers = {board.pk, *board.members.values_list("member_id", flat=True)}
        turns = [
            t for b in flagship.body if b.block_type == "exchange" for t in reader_turns(b.value)
        ]
        self.assertGreater(len(turns), 20)
        for turn in turns:
            if turn.kind == "question":
                self.assertIn(turn.speaker.pk, askers)
            else:
                self.assertEqual(turn.speaker.slug, pub.INTERVIEWEE)

    def test_every_exchange_turn_names_its_speaker(self):
        for article in ArticlePage.objects.filter(slug__in=EN_SLUGS + _es_slugs()):
            for block in article.body:
                if block.block_type != "exchange":
                    continue
                for turn in reader_turns(block.value):
                    self.assertTrue(turn.speaker or turn.speaker_name.strip(), article.slug)

    def test_every_hero_image_has_alternative_text(self):
        with_image = ArticlePage.objects.filter(hero_image__isnull=False)
        self.assertGreaterEqual(with_image.count(), len(PIECES))
        self.assertFalse(with_image.filter(hero_alt="").exists())

    def test_publication_links_and_texts_are_set_in_both_languages(self):
        settings = PublicationSettings.for_site(self.home.get_site())
        self.assertEqual(settings.name, pub.NAME)
        for name, url in pub.LINKS.items():
            self.assertEqual(getattr(settings, name), url)
        for language, texts in pub.TEXTS.items():
            stored = PublicationText.objects.get(locale__language_code=language)
            for name in texts:
                self.assertTrue(getattr(stored, name), f"{language} {name}")

    def test_pieces_are_backdated_updated_and_one_is_syndicated(self):
        articles = ArticlePage.objects.filter(locale=self.en, slug__in=EN_SLUGS)
        dates = sorted(articles.values_list("first_published_at", flat=True))
        self.assertGreater((dates[-1] - dates[0]).days, 60)
        self.assertTrue(articles.filter(updated_at__isnull=False).exists())
        syndicated = articles.exclude(syndication_name="")
        self.assertTrue(syndicated.exists())
        self.assertTrue(all(a.syndication_url for a in syndicated))

    def test_the_flagship_renders_in_both_languages(self):
        flagship = ArticlePage.objects.get(locale=self.en, slug=FLAGSHIP.en.slug)
        for page in (flagship, flagship.get_translation(self.es)):
            response = fetch(self.client, page)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Julián Ccori Mendaña")

    def test_the_login_is_printed(self):
        output = self.output.getvalue()
        self.assertIn("/admin/", output)
        self.assertIn("username: admin", output)
        self.assertIn("password: pw-demo", output)

    def test_the_demo_raises_money_toward_a_running_campaign_from_its_readers(self):
        campaign = funding_queries.current_campaign()
        self.assertIsNotNone(campaign)
        self.assertEqual({t.language for t in campaign.texts.all()}, {"en", "es"})
        progress = funding_queries.progress(campaign)
        self.assertGreater(progress.raised, 0)
        self.assertLess(progress.raised, campaign.goal)
        self.assertGreaterEqual(progress.supporters, 10)
        plan = Plan.objects.get(slug="member")
        self.assertEqual({t.name for t in plan.texts.all()}, {"Member", "Socio"})
        self.assertEqual(
            {(p.interval, p.currency) for p in plan.prices.all()},
            {("month", "USD"), ("year", "USD"), ("month", "PEN"), ("year", "PEN")},
        )
        payments = Payment.objects.all()
        self.assertTrue(24 <= payments.count() <= 120)
        self.assertEqual(set(payments.values_list("provider", flat=True)), {"local", "offline"})
        self.assertTrue(Refund.objects.exists())
        self.assertEqual(set(funding_reports.recurring_revenue()), {"PEN", "USD"})
        self.assertGreaterEqual(funding_reports.churn().ended, 1)

    def test_the_funding_dashboard_shows_the_demo_figures(self):
        self.client.force_login(get_user_model().objects.get(username="admin"))
        page = self.client.get(reverse("funding_dashboard:index"))
        self.assertContains(page, "Twelve thousand for another year at the table")
        self.assertNotContains(page, "No payments in the last 12 months.")

    def test_loading_again_adds_nothing(self):
        counts = _counts()
        output = StringIO()
        call_command("load_demo", stdout=output)
        self.assertEqual(_counts(), counts)
        self.assertIn("already loaded", output.getvalue())
        self.assertIn("password: pw-demo", output.getvalue())

    def test_a_negative_article_count_is_refused(self):
        with self.assertRaisesMessage(CommandError, "--articles"):
            call_command("load_demo", articles=-1, stdout=StringIO())

    # Synthetic articles (--articles N)

    def test_synthetic_generator_creates_live_articles_with_bylines_and_topics(self):
        self.assertEqual(len(self.synthetic_ids), SYNTHETIC)
        articles = ArticlePage.objects.filter(pk__in=self.synthetic_ids)
        self.assertEqual(articles.live().count(), SYNTHETIC)
        for article in articles:
            self.assertTrue(article.bylines.exists(), article.slug)
            self.assertGreaterEqual(article.topics.count(), 2)
            self.assertEqual(article.url_path, f"{article.get_parent().url_path}{article.slug}/")
        self.assertEqual(len(set(articles.values_list("title", flat=True))), SYNTHETIC)
        self.assertGreater(len({a.get_parent().pk for a in articles}), 3)

    def test_the_page_tree_stays_consistent(self):
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))

    def test_a_synthetic_article_renders(self):
        article = ArticlePage.objects.get(pk=self.synthetic_ids[0])
        response = fetch(self.client, article)
        self.assertContains(response, article.standfirst[:40])

    def test_search_finds_a_synthetic_article_by_a_body_word(self):
        article = ArticlePage.objects.get(pk=self.synthetic_ids[-1])
        word = max(re.findall(r"[A-Za-z]+", str(article.body[0].value)), key=len)
        found = search_articles(word, locale=self.en)
        self.assertIn(article.pk, [a.pk for a in found])

    def test_a_second_run_adds_more_under_fresh_slugs(self):
        ids = synthetic.generate_articles(5)
        self.assertEqual(len(ids), 5)
        self.assertEqual(len(set(ids) & set(self.synthetic_ids)), 0)
        children = Page.objects.filter(depth=self.home.depth + 2, path__startswith=self.home.path)
        slugs = list(children.values_list("path", "slug"))
        pairs = {(path[: -Page.steplen], slug) for path, slug in slugs}
        self.assertEqual(len(pairs), len(slugs))
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))

    def test_postgresql_gets_planner_statistics_after_the_bulk_load(self):
        # Planned without them, a search at 100,000 articles took 98 ms at the median
        # instead of 29 (bench/search.py); autovacuum may be off or not yet round.
        with CaptureQueriesContext(connection) as captured:
            synthetic.generate_articles(2)
        analyzed = [q["sql"] for q in captured.captured_queries if q["sql"] == "ANALYZE"]
        self.assertEqual(len(analyzed), 1 if connection.vendor == "postgresql" else 0)

    def test_several_batches_continue_the_tree_and_index_every_article(self):
        progress = []
        ids = synthetic.generate_articles(
            7, batch_size=3, progress=lambda done, total: progress.append((done, total))
        )
        self.assertEqual(progress, [(3, 7), (6, 7), (7, 7)])
        self.assertEqual(ArticlePage.objects.filter(pk__in=ids).live().count(), 7)
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))
        for article in ArticlePage.objects.filter(pk__in=ids):
            found = search_articles(article.title, locale=self.en)
            self.assertIn(article.pk, [a.pk for a in found], article.title)


def _bylines(article):
    return [
        b.contributor for b in article.bylines.select_related("contributor", "contributor__locale")
    ]


def _es_slugs():
    return [piece.es.slug for piece in PIECES if piece.es]


def _counts():
    return (
        Page.objects.count(),
        Contributor.objects.count(),
        get_image_model().objects.count(),
        Site.objects.count(),
    )
