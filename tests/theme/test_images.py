"""Reader images are responsive and made in the background (issue 14 §1).

Every image on a reader page is a <picture> of AVIF and WebP sources over an <img> with
srcset, sizes, width and height; the page's main image is fetched first and never lazy, and
every image after it waits until the reader scrolls near it. The renditions those pictures
name are made by the task a publish enqueues, so a reader's request makes none.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.images import get_image_model
from wagtail.images.rect import Rect
from wagtail.models import Site

from masthead.newsroom import renditions, services
from masthead.newsroom.models import ArticlePage, PublicationSettings
from tests.discovery.factories import make_article, make_image, paragraph
from tests.discovery.test_query_counts import ARTICLE, PAGES
from tests.theme.markup import parse

Rendition = get_image_model().get_rendition_model()

pytestmark = pytest.mark.usefixtures("no_page_cache")


def figure(image: object) -> dict:
    return {
        "type": "image",
        "value": {"image": image.pk, "alt_text": "A harbour", "caption": "", "credit": ""},
    }


def publish_now(section: object, *, slug: str, **fields: object) -> ArticlePage:
    """Published as an editor publishes: now, not backdated (a backdated article is a bulk
    load's, which enqueues no renditions: newsroom/rendition_signals.py)."""
    draft = services.ArticleDraft(
        title=slug.title(), slug=slug, standfirst="A standfirst.", **fields
    )
    return services.create_article(section=section, draft=draft)


@pytest.fixture
def illustrated(publication, django_capture_on_commit_callbacks):
    """A logo, an interviewee with a photo, an interview and an article with heroes, the
    article with an image in its body; published as an editor would, tasks run."""
    with django_capture_on_commit_callbacks(execute=True):
        settings = PublicationSettings.for_site(Site.objects.get(is_default_site=True))
        settings.logo = make_image("Gazette logo", size=(200, 50))
        settings.save()
        publication.subject.photo = make_image("Portrait", size=(300, 300))
        publication.subject.save()
        interview = publish_now(
            publication.interviews,
            slug="photographed-interview",
            bylines=[publication.writer],
            subjects=[publication.subject],
            kind=ArticlePage.Kind.INTERVIEW,
            topics=("harbours",),
            hero_image=make_image("Portrait at the quay", size=(700, 400)),
            hero_alt="The interviewee at the quay",
        )
        article = publish_now(
            publication.analysis,
            slug="photographed-article",
            bylines=[publication.writer],
            topics=("harbours",),
            hero_image=make_image("Harbour", size=(700, 400)),
            hero_alt="The harbour",
            body=[paragraph("Before the figure."), figure(make_image("Quay", (500, 300)))],
        )
    return interview, article


def images_of(response) -> list:
    assert response.status_code == 200
    return parse(response.content).find_all("img")


def assert_responsive(img) -> None:
    """Inside a <picture> with AVIF and WebP sources; srcset, sizes, width and height."""
    picture = img.parent
    assert picture is not None and picture.tag == "picture", img.attrs
    types = [source.attrs.get("type") for source in picture.find_all("source")]
    assert types == ["image/avif", "image/webp"], types
    for source in picture.find_all("source"):
        assert source.attrs.get("srcset") and source.attrs.get("sizes"), source.attrs
    for name in ("srcset", "sizes", "width", "height", "alt"):
        assert name in img.attrs, (name, img.attrs)
    assert int(img.attrs["width"]) > 0 and int(img.attrs["height"]) > 0


def assert_loading(images: list, *, main: int | None) -> None:
    """The main image (index ``main``) is fetched first and not lazy; the ones after it are
    lazy; the ones before it (the header's logo) are neither."""
    for index, img in enumerate(images):
        if main is not None and index == main:
            assert img.attrs.get("fetchpriority") == "high", img.attrs
            assert img.attrs.get("loading") != "lazy", img.attrs
        elif main is not None and index > main:
            assert img.attrs.get("loading") == "lazy", img.attrs
        else:
            assert img.attrs.get("loading") != "lazy", img.attrs
            assert "fetchpriority" not in img.attrs, img.attrs


def test_an_article_shows_every_image_responsive_the_hero_first(client, illustrated):
    _, article = illustrated
    images = images_of(client.get(article.url))
    classes = [img.attrs.get("class", "") for img in images]
    # The logo, the hero, the figure in the body, and the interview among related posts.
    assert classes[0] == "brand__logo"
    assert images[1].attrs["alt"] == "The harbour"
    assert images[2].attrs["alt"] == "A harbour"
    assert "card__image" in classes[3:], classes
    for img in images:
        assert_responsive(img)
    assert_loading(images, main=1)


def test_an_interview_shows_the_interviewees_photo_lazily(client, illustrated):
    interview, _ = illustrated
    images = images_of(client.get(interview.url))
    bio = [img for img in images if img.attrs.get("class") == "bio-box__photo"]
    assert len(bio) == 1
    assert bio[0].attrs["sizes"] == renditions.ROLES["bio"].sizes
    for img in images:
        assert_responsive(img)
    assert_loading(images, main=1)


def test_the_home_page_leads_with_the_newest_heros_card(client, illustrated, publication):
    images = images_of(client.get(publication.home.url))
    assert images[1].attrs.get("class") == "card__image"
    assert images[1].attrs["sizes"] == renditions.ROLES["card_lead"].sizes
    for img in images:
        assert_responsive(img)
    assert_loading(images, main=1)


@pytest.mark.parametrize(
    "url",
    [
        "/en/analysis/",
        "/en/topics/harbours/",
        "/en/search/?q=photographed",
    ],
)
def test_listings_show_the_logo_responsive_and_never_lazy(client, illustrated, url):
    images = images_of(client.get(url))
    assert images, url
    for img in images:
        assert_responsive(img)
    assert_loading(images, main=None)


def test_a_contributors_photo_is_responsive_and_not_lazy(client, illustrated, publication):
    images = images_of(client.get(f"/en/contributors/{publication.subject.slug}/"))
    profile = [img for img in images if img.attrs.get("class") == "profile__photo"]
    assert len(profile) == 1
    for img in images:
        assert_responsive(img)
    assert_loading(images, main=None)


def test_srcset_covers_phones_to_twice_a_desktop_column(db):
    photo = get_image_model()(title="Photo", width=3000, height=2000)
    photo.file.name = "original_images/photo.jpg"  # specs are read, no file is made
    widths = [int(spec.split("|")[0].split("-")[1]) for spec in renditions.specs(photo, "hero")]
    assert min(widths) == 320
    assert max(widths) >= 2 * 768  # the main column is 48rem wide on a desktop
    assert renditions.specs(photo, "hero")[-1] == "width-1600|format-jpeg"


def test_a_transparent_original_falls_back_to_png_and_never_beyond_its_size(db):
    image = make_image("Small drawing", size=(500, 300))  # a PNG
    specs = renditions.specs(image, "hero")
    assert specs[-1] == "width-500|format-png"
    assert "width-640|format-png" not in specs  # never enlarged: 500 stands in for the rest
    assert [s for s in specs if s.endswith("avif")] == [
        "width-320|format-avif",
        "width-480|format-avif",
        "width-500|format-avif",
    ]


def test_the_publish_task_makes_every_rendition_the_pages_show(
    client, publication, django_capture_on_commit_callbacks, illustrated
):
    _, article = illustrated
    made = Rendition.objects.count()
    assert Rendition.objects.filter(image=article.hero_image).exists()
    for url in (
        article.url,
        illustrated[0].url,
        publication.home.url,
        f"/en/contributors/{publication.subject.slug}/",
    ):
        assert client.get(url).status_code == 200
    assert Rendition.objects.count() == made, list(
        Rendition.objects.order_by("-pk").values_list("image__title", "filter_spec")[:3]
    )


def test_without_the_task_the_first_reader_makes_them_and_the_second_does_not(client, publication):
    article = make_article(
        publication.analysis,
        slug="late-renditions",
        bylines=[publication.writer],
        hero_image=make_image("Dock", size=(400, 225)),
        hero_alt="A dock",
    )
    # As if the publish's task had not run yet (a busy worker): the first reader's request
    # makes the renditions, as Wagtail does, and keeps them for every later one.
    Rendition.objects.filter(image=article.hero_image).delete()
    cache.clear()
    client.get(article.url)
    made = Rendition.objects.count()
    assert Rendition.objects.filter(image=article.hero_image).exists()
    client.get(article.url)
    assert Rendition.objects.count() == made


def test_the_social_card_is_a_jpeg_1200_pixels_wide(client, publication):
    article = make_article(
        publication.analysis,
        slug="shared-widely",
        bylines=[publication.writer],
        hero_image=make_image("Wide harbour", size=(1300, 700)),  # a PNG original
        hero_alt="A wide harbour",
    )
    page = parse(client.get(article.url).content)
    assert page.find("meta", property="og:image").attrs["content"].endswith(".jpg")
    assert page.find("meta", property="og:image:width").attrs["content"] == "1200"


def test_a_bulk_load_enqueues_no_renditions(publication, django_capture_on_commit_callbacks):
    # A backdated article is loaded (the demo, an import: fanout.quiet); thousands of them
    # must not fill the queue with image work, so each is made on its first view.
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            publication.analysis,
            slug="imported",
            bylines=[publication.writer],
            hero_image=make_image("Archive photo", size=(400, 225)),
            hero_alt="From the archive",
        )
    assert not Rendition.objects.filter(image=article.hero_image).exists()


def test_moving_a_focal_point_remakes_the_cropped_renditions_in_the_background(
    client, publication, illustrated, django_capture_on_commit_callbacks
):
    _, article = illustrated
    image = article.hero_image
    with django_capture_on_commit_callbacks(execute=True):
        image.set_focal_point(Rect(0, 0, image.width // 4, image.height // 4))
        image.save()
    made = Rendition.objects.count()
    assert client.get(publication.home.url).status_code == 200  # the lead card: a crop
    assert Rendition.objects.count() == made


def test_pictures_add_no_query_once_their_renditions_are_cached(
    client, illustrated, publication, django_assert_max_num_queries
):
    # Wagtail keeps renditions in the cache: a page of pictures runs no more queries than
    # the article budget of tests/discovery/test_query_counts.py, however many it shows.
    _, article = illustrated
    client.get(article.url)
    client.get(publication.home.url)
    with django_assert_max_num_queries(ARTICLE):
        client.get(article.url)
    with django_assert_max_num_queries(PAGES["/en/"]):
        client.get(publication.home.url)
