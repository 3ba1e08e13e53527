"""Stored related lists (computed in the background) and editors' pins and exclusions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RelatedList(models.Model):
    """An article's related articles, best first, as the engine last computed them.

    Ids only: the article page turns them into cards in one query, keeping whatever is
    still published (a list may lag an unpublish by the time the worker takes).
    """

    article = models.OneToOneField(
        "newsroom.ArticlePage", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    article_ids = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"related to {self.article_id}: {self.article_ids}"


class RelatedChoice(models.Model):
    """An editor's pin (shown first) or exclusion (never shown) in one article's list."""

    class Action(models.TextChoices):
        PIN = "pin", _("Pin: always show it, first")
        EXCLUDE = "exclude", _("Exclude: never show it")

    article = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The article whose related posts this changes."),
    )
    other = models.ForeignKey(
        "newsroom.ArticlePage",
        verbose_name=_("related article"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Pins with a lower number come first.")
    )

    class Meta:
        verbose_name = _("related-post choice")
        verbose_name_plural = _("related-post choices")
        ordering = ["article", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "other"], name="related_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.other} ({self.article})"

    def clean(self) -> None:
        if self.article_id and self.article_id == self.other_id:
            raise ValidationError({"other": _("An article cannot be related to itself.")})
        if self.article_id and self.other_id and self.action == self.Action.PIN:
            article, other = self.article, self.other
            if article.locale_id != other.locale_id:
                raise ValidationError(
                    {"other": _("Pin an article in the same language as this one.")}
                )


class SearchDocument(models.Model):
    """What site search knows of one live, public article (issue 12 §2).

    Written by ``search_index`` in the worker when an article is published, edited,
    unpublished or moved; never by a request. The engine's own index lives beside it and is
    kept in step by the database: an FTS5 table with triggers on SQLite, a ``tsvector``
    column with a GIN index on PostgreSQL (migration 0002). The text is kept unfolded, for
    the snippets; members-only bodies are searchable but ``search`` never shows them to
    readers who are not members.
    """

    article = models.OneToOneField(
        "newsroom.ArticlePage", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=12)
    # The parent section's page id: a plain integer, as the filter needs nothing more.
    section_id = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    published_at = models.DateTimeField(null=True)
    members_only = models.BooleanField(default=False)
    headline = models.TextField()
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    people = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["language", "published_at"], name="search_doc_language"),
            models.Index(fields=["section_id"], name="search_doc_section"),
            # What SQLite's engine reads of each match beside FTS5 (search_engines/sqlite.py):
            # the filters and the date, a few dozen bytes an entry, where a row holds the
            # whole body. Reading 2,000 matches' rows was about half of the engine's time.
            models.Index(
                fields=["article_id", "language", "section_id", "kind", "published_at"],
                name="search_doc_filters",
            ),
        ]

    def __str__(self) -> str:
        return f"search document of {self.article_id}: {self.headline}"
