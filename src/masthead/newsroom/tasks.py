"""Background entry points for the newsroom; each calls one service with ids only."""

from __future__ import annotations

from django_tasks import task
from wagtail.images import get_image_model

from masthead.newsroom import renditions
from masthead.newsroom.models import ArticlePage, Contributor, PublicationSettings


@task()
def make_article_renditions(article_id: int) -> None:
    article = ArticlePage.objects.live().filter(pk=article_id).select_related("hero_image").first()
    if article is not None:  # unpublished or deleted since: nothing a reader will see
        renditions.make_for_article(article)


@task()
def make_image_renditions(image_id: int) -> None:
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is not None:
        renditions.make_for_image(image)


@task()
def make_portrait_renditions(contributor_id: int) -> None:
    person = Contributor.objects.filter(pk=contributor_id).select_related("photo").first()
    if person is not None and person.photo is not None:
        renditions.make(person.photo, renditions.PORTRAIT_ROLES)


@task()
def make_logo_renditions(settings_id: int) -> None:
    found = PublicationSettings.objects.filter(pk=settings_id).select_related("logo").first()
    if found is not None and found.logo is not None:
        renditions.make(found.logo, ("logo",))
