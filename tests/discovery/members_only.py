"""A members-only interview whose body alone holds a distinctive word, for the leak tests."""

from __future__ import annotations

from masthead.newsroom.models import ArticlePage
from tests.discovery.factories import make_article, paragraph

SECRET = "quorvexite"
# A second body-only phrase, for pages that echo the searched word back (search results).
BODY_SENTENCE = "The miners kept a second ledger under the floor"
TITLE = "The Second Ledger"
STANDFIRST = "A former miner on the accounts nobody was meant to see."


def make_locked(publication: object, **fields: object) -> ArticlePage:
    """Published in Interviews, newer than the fixture's articles, sharing their topics."""
    return make_article(
        publication.interviews,
        slug="the-second-ledger",
        title=TITLE,
        standfirst=STANDFIRST,
        kind=ArticlePage.Kind.INTERVIEW,
        bylines=[publication.board],
        subjects=[publication.subject],
        topics=("mining", "history"),
        days_ago=0.1,
        members_only=fields.pop("members_only", True),
        body=[paragraph(f"{BODY_SENTENCE}, written in {SECRET} ink.")],
        **fields,
    )
