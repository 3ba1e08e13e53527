"""The related-posts engine: stored lists that are related, safe and reproducible."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from wagtail.signals import page_published, page_unpublished

from masthead.discovery import related_index, related_signals, services
from masthead.discovery.invalidation import related_tag
from masthead.discovery.models import RelatedChoice, RelatedList
from masthead.discovery.signals import related_lists_changed
from masthead.lib import pagecache
from masthead.newsroom import queries
from masthead.newsroom import services as newsroom
from masthead.newsroom.models import ArticlePage
from tests.discovery.factories import make_article, paragraph

# Three subjects, each written about several times (original text for these tests).
SUBJECTS = {
    "mine": [
        "The copper mine in the valley poisoned the river, and farmers downstream lost "
        "their crops to the tailings the mining company dumped.",
        "Miners at the copper pit went on strike over the tailings dam; the mining company "
        "says the river water is safe.",
        "A new tailings spill from the copper mine reached the river; farmers blame the "
        "mining company again.",
        "The mining company promised to clean the river of copper tailings before opening a "
        "second pit in the valley.",
    ],
    "football": [
        "The football club won the cup final with a late goal from its young striker.",
        "A goal in extra time sent the football club to the cup final; the striker scored twice.",
        "The striker's transfer left the football club without goals before the cup final.",
        "Fans celebrated the cup final goal as the football club's striker lifted the trophy.",
    ],
    "vote": [
        "Parliament voted on the election law; opposition deputies walked out of the vote.",
        "The election commission counted the vote late; parliament will certify the result.",
        "Deputies in parliament demanded a recount of the election vote in two provinces.",
        "The new election law passed parliament by a single vote after a long debate.",
    ],
}
ES_SUBJECTS = {
    "mine": [
        "La mina de cobre contaminó el río y los agricultores perdieron sus cultivos por los "
        "relaves de la empresa minera.",
        "Los mineros de la mina de cobre hicieron huelga por el dique de relaves; la empresa "
        "minera dice que el agua del río es segura.",
    ],
    "vote": [
        "El congreso votó la ley electoral; los diputados de la oposición abandonaron la "
        "votación.",
        "Los diputados del congreso pidieron un recuento de la votación electoral en dos "
        "provincias.",
    ],
}


@contextmanager
def engine_paused():
    """Publish without the per-article update: the tests then rebuild once, which is cheaper."""
    for signal in (page_published, page_unpublished):
        signal.disconnect(sender=ArticlePage, dispatch_uid=f"related.{id(signal)}")
    try:
        yield
    finally:
        related_signals.connect()


@pytest.fixture
def corpus(publication):
    """Four English articles on each of three subjects."""
    with engine_paused():
        return _corpus(publication)


def _corpus(publication):
    writer = publication.writer
    articles: dict[str, list] = {}
    for subject, texts in SUBJECTS.items():
        articles[subject] = [
            make_article(
                publication.interviews,
                slug=f"{subject}-{i}",
                bylines=[writer],
                topics=(),
                title=text.split(";")[0][:60],
                standfirst=text[:80],
                body=[paragraph(text)],
                days_ago=10 + i,
            )
            for i, text in enumerate(texts)
        ]
    return articles


def ids(articles: list) -> list[int]:
    return [article.pk for article in articles]


def stored(article: object) -> list[int]:
    return RelatedList.objects.get(article_id=article.pk).article_ids


class TestRelatedLists:
    def test_an_article_is_related_to_articles_on_its_subject(self, corpus):
        services.rebuild_related()
        for subject, articles in corpus.items():
            for article in articles:
                shown = queries.related_articles(article, limit=3)
                assert set(ids(shown)) == set(ids(articles)) - {article.pk}, subject

    def test_never_itself_a_draft_or_an_unpublished_article(self, publication, corpus):
        services.rebuild_related()
        gone = corpus["mine"][1]
        gone.unpublish()
        services.update_related([gone.pk])
        every = [
            publication.flagship,
            *publication.others,
            *(a for articles in corpus.values() for a in articles),
        ]
        for article in every:
            if article.pk == gone.pk:
                continue
            listed = stored(article)
            assert article.pk not in listed
            assert publication.draft.pk not in listed
            assert gone.pk not in listed
        assert not RelatedList.objects.filter(article_id=gone.pk).exists()

    def test_a_stale_list_never_shows_what_was_unpublished_meanwhile(self, corpus):
        services.rebuild_related()
        article, gone = corpus["vote"][0], corpus["vote"][1]
        RelatedList.objects.filter(article_id=article.pk).update(article_ids=[gone.pk])
        # Unpublished, and the worker has not run yet: the stored list still holds it.
        ArticlePage.objects.filter(pk=gone.pk).update(live=False)
        assert gone.pk not in ids(queries.related_articles(article, limit=10))

    def test_pins_come_first_and_exclusions_never(self, corpus):
        article = corpus["football"][0]
        pinned, excluded = corpus["vote"][2], corpus["football"][1]
        RelatedChoice.objects.create(article=article, other=pinned, action="pin")
        RelatedChoice.objects.create(article=article, other=excluded, action="exclude")
        services.rebuild_related()
        shown = ids(queries.related_articles(article, limit=4))
        assert shown[0] == pinned.pk
        assert excluded.pk not in stored(article)
        assert set(shown[1:3]) == set(ids(corpus["football"][2:]))

    def test_a_rebuild_gives_the_same_lists(self, corpus, tmp_path, settings):
        services.rebuild_related()
        first = dict(RelatedList.objects.values_list("article_id", "article_ids"))
        settings.RELATED_INDEX_DIR = (
            tmp_path / "elsewhere"
        )  # from nothing, not from the last index
        related_index.forget()
        assert services.rebuild_related() == []
        assert dict(RelatedList.objects.values_list("article_id", "article_ids")) == first


class TestLanguages:
    def test_a_spanish_list_is_spanish_and_follows_the_english_original(self, publication, corpus):
        es = publication.flagship_es.locale
        with engine_paused():
            translated = {
                corpus[subject][i].pk: newsroom.translate_article(
                    corpus[subject][i],
                    locale=es,
                    draft=newsroom.ArticleDraft(
                        title=text[:60],
                        slug=corpus[subject][i].slug,
                        standfirst=text[:80],
                        body=[paragraph(text)],
                        bylines=[publication.board_es],
                    ),
                )
                for subject, texts in ES_SUBJECTS.items()
                for i, text in enumerate(texts)
            }
        services.rebuild_related()
        mine_es = translated[corpus["mine"][0].pk]
        shown = queries.related_articles(mine_es, limit=12)
        assert shown
        assert all(article.locale_id == es.pk for article in shown)
        assert all(ArticlePage.objects.get(pk=pk).locale_id == es.pk for pk in stored(mine_es))
        # Its one Spanish neighbour on the subject comes first (by its text, and as the
        # translation of its English original's neighbour).
        assert shown[0].pk == translated[corpus["mine"][1].pk].pk


class TestBackground:
    def test_publishing_an_article_computes_its_list_and_enters_others(
        self, publication, corpus, django_capture_on_commit_callbacks
    ):
        services.rebuild_related()
        sent = []
        receiver = lambda sender, article_ids, **kw: sent.append(article_ids)  # noqa: E731
        related_lists_changed.connect(receiver)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                new = make_article(
                    publication.analysis,
                    slug="mine-new",
                    bylines=[publication.writer],
                    topics=(),
                    title="Copper tailings reach the river again",
                    standfirst="The mining company's copper mine spilt tailings in the river.",
                    body=[paragraph("Farmers say the copper mine tailings killed the river.")],
                    days_ago=1,
                )
        finally:
            related_lists_changed.disconnect(receiver)
        assert set(stored(new)[:4]) == set(ids(corpus["mine"]))
        entered = [a for a in corpus["mine"] if new.pk in stored(a)]
        assert entered
        assert sent and new.pk in sent[-1]
        assert {a.pk for a in entered} <= set(sent[-1])

    def test_unpublishing_takes_it_out_of_every_list(
        self, corpus, django_capture_on_commit_callbacks
    ):
        services.rebuild_related()
        gone = corpus["football"][3]
        with django_capture_on_commit_callbacks(execute=True):
            gone.unpublish()
        lists = RelatedList.objects.values_list("article_ids", flat=True)
        assert all(gone.pk not in listed for listed in lists)
        assert not RelatedList.objects.filter(article_id=gone.pk).exists()

    def test_a_rebuild_changing_thousands_of_lists_stales_every_page_without_a_tag_each(
        self, corpus, monkeypatch, django_capture_on_commit_callbacks
    ):
        RelatedList.objects.all().delete()  # every list is new: every one changes
        monkeypatch.setattr(pagecache, "MAX_TAGS", 3)
        everything_before = pagecache.version([])
        tags_before = {
            pk: cache.get(pagecache.tag_key(related_tag(pk))) for pk in ids(corpus["mine"])
        }
        with django_capture_on_commit_callbacks(execute=True):
            changed = services.rebuild_related()
        assert set(tags_before) <= set(changed)
        assert pagecache.version([]) != everything_before
        # ...and no key per list, which would outlive every page.
        assert {
            pk: cache.get(pagecache.tag_key(related_tag(pk))) for pk in tags_before
        } == tags_before

    def test_the_command_rebuilds_every_list(self, corpus, capsys):
        call_command("rebuild_related")
        assert "related lists stored" in capsys.readouterr().out
        assert RelatedList.objects.filter(article_id__in=ids(corpus["vote"])).count() == 4


class TestMembersOnly:
    def test_a_members_only_card_shows_no_protected_text(self, client, publication, corpus):
        locked = make_article(
            publication.analysis,
            slug="mine-locked",
            bylines=[publication.writer],
            topics=(),
            title="Copper mine tailings: the members' report",
            standfirst="What the mining company hid about the copper tailings.",
            body=[paragraph("Zanzibarite secret copper mine tailings river farmers.")],
            members_only=True,
        )
        services.rebuild_related()
        article = corpus["mine"][0]
        assert locked.pk in ids(queries.related_articles(article, limit=4))
        page = client.get(article.url).content.decode()
        assert "the members&#x27; report" in page or "the members' report" in page
        assert "Zanzibarite" not in page


class TestAdmin:
    @pytest.fixture
    def editor(self, client, db):
        user = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw-x-123")
        client.force_login(user)
        return client

    def add(self, editor, **data):
        return editor.post(reverse("related_choices:add"), data)

    def test_pinning_an_article_to_itself_is_a_form_error(self, editor, corpus):
        article = corpus["mine"][0]
        response = self.add(editor, article=article.pk, other=article.pk, action="pin", position=0)
        assert response.status_code == 200
        assert "cannot be related to itself" in response.content.decode()
        assert not RelatedChoice.objects.exists()

    def test_pinning_another_language_is_a_form_error(self, editor, publication, corpus):
        response = self.add(
            editor,
            article=corpus["mine"][0].pk,
            other=publication.flagship_es.pk,
            action="pin",
            position=0,
        )
        assert response.status_code == 200
        assert "same language" in response.content.decode()
        assert not RelatedChoice.objects.exists()

    @pytest.mark.parametrize(
        "data",
        [
            {"article": "x", "other": "1", "action": "pin", "position": "0"},
            {"article": "999999", "other": "1", "action": "pin", "position": "0"},
            {"article": "", "other": "", "action": "boost", "position": "-1"},
            {"article": "1", "other": "1", "action": "pin", "position": "99999999"},
        ],
    )
    def test_bad_input_is_a_form_error_not_a_500(self, editor, corpus, data):
        response = editor.post(reverse("related_choices:add"), data)
        assert response.status_code == 200
        assert not RelatedChoice.objects.exists()

    def test_a_choice_rewrites_the_list_in_the_background(
        self, editor, corpus, django_capture_on_commit_callbacks
    ):
        services.rebuild_related()
        article, pinned = corpus["mine"][0], corpus["vote"][0]
        with django_capture_on_commit_callbacks(execute=True):
            response = self.add(
                editor, article=article.pk, other=pinned.pk, action="pin", position=0
            )
        assert response.status_code == 302
        assert stored(article)[0] == pinned.pk
