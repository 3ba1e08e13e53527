"""RSS and Atom feeds, parsed as a feed reader would parse them."""

import feedparser
import pytest

from tests.discovery.factories import make_article, make_image, paragraph

FEED_KINDS = ["rss", "atom"]


@pytest.fixture
def parse(client):
    def parse(url: str) -> feedparser.FeedParserDict:
        response = client.get(url)
        assert response.status_code == 200, url
        feed = feedparser.parse(response.content)
        assert feed.bozo == 0, (url, feed.get("bozo_exception"))
        return feed

    return parse


def entry_by_link(feed, url: str):
    matches = [entry for entry in feed.entries if entry.link == url]
    assert len(matches) == 1, [entry.link for entry in feed.entries]
    return matches[0]


def content_of(entry) -> str:
    return " ".join(part.value for part in entry.content)


@pytest.mark.parametrize("kind", FEED_KINDS)
class TestSiteFeed:
    def test_lists_every_published_english_article_with_full_content(
        self, parse, publication, kind
    ):
        feed = parse(f"/en/feeds/{kind}/")
        expected = {publication.flagship.full_url} | {a.full_url for a in publication.others}
        assert {entry.link for entry in feed.entries} == expected
        flagship = entry_by_link(feed, publication.flagship.full_url)
        assert flagship.title == publication.flagship.title
        assert "zanzibarite" in content_of(flagship)
        assert "Slowly, and then all at once." in content_of(flagship)
        for entry in feed.entries:
            assert entry.content and entry.get("authors"), entry.link

    def test_names_the_byline_as_author_and_collective_members_as_contributors(
        self, parse, publication, kind
    ):
        flagship = entry_by_link(parse(f"/en/feeds/{kind}/"), publication.flagship.full_url)
        assert [author.name for author in flagship.authors] == ["The Gazette Board"]
        assert [c.name for c in flagship.contributors] == [m.name for m in publication.members]
        dispatch = entry_by_link(parse(f"/en/feeds/{kind}/"), publication.others[0].full_url)
        assert [author.name for author in dispatch.authors] == ["Nora Field"]

    def test_entries_are_newest_first_and_carry_topics_and_dates(self, parse, publication, kind):
        feed = parse(f"/en/feeds/{kind}/")
        assert feed.entries[0].link == publication.flagship.full_url
        published = [entry.published_parsed for entry in feed.entries]
        assert published == sorted(published, reverse=True)
        assert {tag.term for tag in feed.entries[0].tags} == {"mining", "history"}

    def test_spanish_feed_lists_only_spanish_articles(self, parse, publication, kind):
        feed = parse(f"/es/feeds/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship_es.full_url]
        entry = feed.entries[0]
        assert "Una introducción sobre canteras." in content_of(entry)
        assert [author.name for author in entry.authors] == ["La Junta de la Gaceta"]
        assert feed.feed.language == "es"

    def test_never_lists_a_draft(self, parse, publication, kind):
        feed = parse(f"/en/feeds/{kind}/")
        links = [entry.link for entry in feed.entries]
        assert publication.draft.full_url not in links
        assert all("secret-draft" not in link for link in links)
        assert all("A draft body" not in content_of(entry) for entry in feed.entries)

    def test_unpublished_article_leaves_the_feed(self, parse, publication, kind):
        publication.others[0].unpublish()
        links = [entry.link for entry in parse(f"/en/feeds/{kind}/").entries]
        assert publication.others[0].full_url not in links
        assert publication.others[1].full_url in links

    def test_republishing_an_article_replaces_its_cached_content(self, parse, publication, kind):
        url = publication.others[0].full_url
        assert "Body text of dispatch 0." in content_of(
            entry_by_link(parse(f"/en/feeds/{kind}/"), url)
        )
        article = publication.others[0]
        article.body = [paragraph("A corrected body.")]
        article.save_revision().publish()
        entry = entry_by_link(parse(f"/en/feeds/{kind}/"), url)
        assert "A corrected body." in content_of(entry)
        assert "Body text of dispatch 0." not in content_of(entry)

    def test_site_relative_links_and_images_become_absolute(self, parse, publication, kind):
        make_article(
            publication.analysis,
            slug="with-link",
            bylines=[publication.writer],
            days_ago=0.1,
            body=[
                {"type": "paragraph", "value": '<p>See <a href="/en/analysis/">analysis</a>.</p>'}
            ],
            hero_image=make_image(),
            hero_alt="A harbour",
        )
        entry = parse(f"/en/feeds/{kind}/").entries[0]
        assert 'href="http://localhost/en/analysis/"' in content_of(entry)
        assert 'src="http://localhost/media/images/' in content_of(entry)
        assert 'src="/' not in content_of(entry) and 'href="/' not in content_of(entry)


@pytest.mark.parametrize("kind", FEED_KINDS)
class TestSectionTopicAndContributorFeeds:
    def test_section_feed_lists_only_that_section(self, parse, publication, kind):
        feed = parse(f"/en/feeds/sections/analysis/{kind}/")
        expected = {
            a.full_url for a in publication.others if a.get_parent().pk == publication.analysis.pk
        }
        assert {entry.link for entry in feed.entries} == expected
        assert feed.feed.title.startswith("Analysis")

    def test_spanish_section_feed(self, parse, publication, kind):
        feed = parse(f"/es/feeds/sections/interviews/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship_es.full_url]

    def test_topic_feed_lists_articles_with_the_topic(self, parse, publication, kind):
        feed = parse(f"/en/feeds/topics/history/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship.full_url]
        mining = parse(f"/en/feeds/topics/mining/{kind}/")
        links = {entry.link for entry in mining.entries}
        assert (
            publication.flagship.full_url in links and publication.others[3].full_url not in links
        )
        assert "zanzibarite" in content_of(entry_by_link(mining, publication.flagship.full_url))

    def test_spanish_topic_with_an_accented_slug(self, parse, publication, kind):
        feed = parse(f"/es/feeds/topics/minería/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship_es.full_url]

    def test_contributor_feed_includes_pieces_signed_by_their_collective(
        self, parse, publication, kind
    ):
        member = publication.members[0]
        feed = parse(f"/en/feeds/contributors/{member.slug}/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship.full_url]
        assert "zanzibarite" in content_of(feed.entries[0])

    def test_contributor_feed_of_an_interviewee_and_of_a_writer(self, parse, publication, kind):
        subject = parse(f"/en/feeds/contributors/tomas-arce/{kind}/")
        assert [entry.link for entry in subject.entries] == [publication.flagship.full_url]
        writer = parse(f"/en/feeds/contributors/nora-field/{kind}/")
        assert {entry.link for entry in writer.entries} == {a.full_url for a in publication.others}

    def test_spanish_contributor_feed(self, parse, publication, kind):
        feed = parse(f"/es/feeds/contributors/board/{kind}/")
        assert [entry.link for entry in feed.entries] == [publication.flagship_es.full_url]

    def test_filtered_feeds_never_list_a_draft(self, parse, publication, kind):
        for url in [
            f"/en/feeds/sections/analysis/{kind}/",
            f"/en/feeds/topics/mining/{kind}/",
            f"/en/feeds/contributors/nora-field/{kind}/",
        ]:
            links = [entry.link for entry in parse(url).entries]
            assert links and all("secret-draft" not in link for link in links), url

    @pytest.mark.parametrize(
        "url",
        [
            "/en/feeds/sections/nope/{kind}/",
            "/en/feeds/topics/nope/{kind}/",
            "/en/feeds/contributors/nope/{kind}/",
            # Exists, but in the other language only.
            "/es/feeds/sections/analysis/{kind}/",
            "/es/feeds/topics/history/{kind}/",
            "/en/feeds/topics/minería/{kind}/",
            "/es/feeds/contributors/nora-field/{kind}/",
        ],
    )
    def test_unknown_slug_is_a_404(self, client, publication, kind, url):
        assert client.get(url.format(kind=kind)).status_code == 404
