"""Articles and images for discovery tests, published through newsroom.services."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import PIL.Image
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images.models import Image

from masthead.newsroom import services
from masthead.newsroom.models import ArticlePage, Contributor, SectionPage


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def exchange(question_by: Contributor, answer_by: Contributor) -> dict:
    return {
        "type": "exchange",
        "value": {
            "pairs": [
                {
                    "question_speaker": question_by.pk,
                    "question_speaker_name": "",
                    "question": "<p>What happened?</p>",
                    "answer_speaker": answer_by.pk,
                    "answer_speaker_name": "",
                    "answer": "<p>Many things.</p>",
                }
            ]
        },
    }


def make_article(
    section: SectionPage,
    *,
    slug: str,
    bylines: list[Contributor],
    days_ago: float = 30,
    topics: tuple[str, ...] = ("archive",),
    body: list | None = None,
    publish: bool = True,
    **fields: object,
) -> ArticlePage:
    draft = services.ArticleDraft(
        title=fields.pop("title", f"Archive piece {slug}"),
        slug=slug,
        standfirst=fields.pop("standfirst", f"The standfirst of {slug}."),
        bylines=bylines,
        topics=list(topics),
        first_published_at=timezone.now() - dt.timedelta(days=days_ago),
        body=body if body is not None else [paragraph(f"The body of {slug}.")],
        **fields,
    )
    return services.create_article(section=section, draft=draft, publish=publish)


def make_articles(
    section: SectionPage,
    count: int,
    *,
    bylines: list[Contributor],
    prefix: str = "extra",
    **kw: object,
) -> list[ArticlePage]:
    """``count`` articles newer than the fixture's, so they lead every listing."""
    return [
        make_article(section, slug=f"{prefix}-{i}", bylines=bylines, days_ago=0.01 * (i + 1), **kw)
        for i in range(count)
    ]


def make_image(title: str = "Harbour at dawn", size: tuple[int, int] = (1600, 900)) -> Image:
    buffer = BytesIO()
    PIL.Image.new("RGB", size, "steelblue").save(buffer, "PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title[:20]}.png"))
