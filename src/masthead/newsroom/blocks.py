"""StreamField blocks of an article body.

The interview exchange is the reason this module exists: a list of question/answer pairs
(issue 13 §4) where every question and every answer names its speaker, either a contributor
(linked to their page) or a free-text name.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.telepath import register
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.struct_block import StructBlockAdapter
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

INLINE_FEATURES = ["bold", "italic", "link", "superscript", "subscript", "strikethrough"]
PARAGRAPH_FEATURES = [*INLINE_FEATURES, "ol", "ul", "blockquote"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading")), ("h3", _("Subheading"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "newsroom/blocks/heading.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=250,
        help_text=_("Describe the image for readers who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=500)
    credit = blocks.CharBlock(label=_("Credit"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "newsroom/blocks/figure.html"


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), max_length=600)
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/pull_quote.html"


class FootnotesBlock(blocks.StructBlock):
    notes = blocks.ListBlock(blocks.RichTextBlock(features=INLINE_FEATURES), label=_("Notes"))

    class Meta:
        icon = "list-ol"
        template = "newsroom/blocks/footnotes.html"


def _speaker_blocks(role: str) -> tuple[SnippetChooserBlock, blocks.CharBlock]:
    # Built per field: a block instance belongs to one parent, and the labels differ.
    if role == "question":
        chooser_label, name_label = _("Asked by (contributor)"), _("Asked by (name)")
    else:
        chooser_label, name_label = _("Answered by (contributor)"), _("Answered by (name)")
    return (
        SnippetChooserBlock("newsroom.Contributor", required=False, label=chooser_label),
        blocks.CharBlock(
            required=False,
            max_length=200,
            label=name_label,
            help_text=_("Used when the speaker is not a contributor."),
        ),
    )


class PairBlock(blocks.StructBlock):
    """One question and its answer, each with its speaker.

    Either half may be empty: an answer running on past a pair (the speaker goes on after a
    follow-up nod, or the demo's two-paragraph answers) is an answer-only pair, and a question
    left unanswered is a question-only one. A half with text needs its speaker, the error on
    the speaker's name field. A pair with no text at all is not an error but is dropped when
    the exchange is saved (``ExchangeBlock.clean``): the editor autosaves every half second,
    and a pair just added, its speakers filled in, must not fail that save before anything
    has been typed into it.
    """

    question_speaker, question_speaker_name = _speaker_blocks("question")
    question = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES, required=False, label=_("Question")
    )
    answer_speaker, answer_speaker_name = _speaker_blocks("answer")
    answer = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, required=False, label=_("Answer"))

    class Meta:
        icon = "comment"
        label = _("Question and answer")
        # Collapsed, a pair shows the start of its question (issue 13 §4); the editor's
        # script falls back to the answer for an answer-only pair (interview_editor.js).
        label_format = "{question}"

    def bulk_to_python(self, values: list[dict]) -> list[blocks.StructValue]:
        # Both halves' speakers in one query, not one per chooser: an article's render is held
        # to a query budget (tests/discovery/test_query_counts.py).
        keys = ("question_speaker", "answer_speaker")
        wanted = [
            (i, key, raw[key]) for i, raw in enumerate(values) for key in keys if raw.get(key)
        ]
        rest = [{k: v for k, v in raw.items() if k not in keys} for raw in values]
        result = super().bulk_to_python(rest)
        found = self.child_blocks["question_speaker"].bulk_to_python([pk for _i, _k, pk in wanted])
        for (i, key, _pk), speaker in zip(wanted, found, strict=True):
            result[i][key] = speaker
        return result

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        value = super().clean(value)
        errors: dict[str, ErrorList] = {}
        texts = {half: _has_text(value.get(half)) for half in ("question", "answer")}
        for half, present in texts.items():
            named = value.get(f"{half}_speaker") or value.get(f"{half}_speaker_name", "").strip()
            if present and not named:
                errors[f"{half}_speaker_name"] = ErrorList(
                    [ValidationError(_("Name the speaker: choose a contributor or type a name."))]
                )
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


def _pair_has_text(pair: blocks.StructValue) -> bool:
    return _has_text(pair.get("question")) or _has_text(pair.get("answer"))


def _has_text(value: object) -> bool:
    # An emptied rich text editor leaves markup such as "<p></p>" behind.
    return bool(strip_tags(str(value or "")).strip())


@dataclass(frozen=True)
class Turn:
    """One question or answer as the reader sees it; ``continued`` when the same speaker
    goes on with the same kind of turn, so the name is shown once on screen."""

    kind: str
    speaker: object  # a Contributor, or None for a free-text name
    speaker_name: str
    text: object
    continued: bool


class ExchangeBlock(blocks.StructBlock):
    pairs = blocks.ListBlock(PairBlock(), min_num=1, label=_("Questions and answers"))

    class Meta:
        icon = "comment"
        label = _("Interview exchange")
        template = "newsroom/blocks/exchange.html"

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        value = super().clean(value)
        pairs = value["pairs"]
        kept = [bound for bound in pairs.bound_blocks if _pair_has_text(bound.value)]
        if len(kept) < len(pairs.bound_blocks):
            value["pairs"] = ListValue(pairs.list_block, bound_blocks=kept)
        return value

    def get_context(self, value: blocks.StructValue, parent_context: dict | None = None) -> dict:
        context = super().get_context(value, parent_context=parent_context)
        context["turns"] = turns(value)
        return context


def turns(value: blocks.StructValue) -> list[Turn]:
    """An exchange's pairs as the turns a reader reads, empty halves left out."""
    result: list[Turn] = []
    previous: tuple | None = None
    for pair in value["pairs"]:
        for kind in ("question", "answer"):
            if not _has_text(pair.get(kind)):
                continue
            speaker = pair.get(f"{kind}_speaker")
            name = "" if speaker else pair.get(f"{kind}_speaker_name", "")
            key = (kind, speaker.pk if speaker else None, name)
            result.append(Turn(kind, speaker, name, pair.get(kind), continued=key == previous))
            previous = key
    return result


_EDITOR_STRINGS = {
    "open": _("Paste a transcript"),
    "label": _("Transcript"),
    "help": _(
        "One turn per line, as “Name: what they said”. The first speaker asks the questions; "
        "a line without a name continues the turn before it."
    ),
    "convert": _("Turn into pairs"),
    "cancel": _("Cancel"),
    "working": _("Reading the transcript…"),
    "added": _("Pairs added: %(count)s."),
    "newSpeakers": _("New speakers, kept as typed names: %(names)s."),
    "addContributor": _("Add a contributor (opens in a new tab)"),
    "failed": _("The transcript could not be read. Nothing was changed; try again."),
}


class ExchangeBlockAdapter(StructBlockAdapter):
    """The exchange in the editor: new pairs get their speakers from the pair before and the
    article's interviewees, and a transcript can be pasted in (interview_editor.js)."""

    js_constructor = "masthead.newsroom.ExchangeBlock"

    def js_args(self, block: ExchangeBlock) -> list:
        name, children, meta = super().js_args(block)
        meta["transcriptUrl"] = reverse("newsroom_transcript_pairs")
        meta["contributorAddUrl"] = reverse("wagtailsnippets_newsroom_contributor:add")
        # The script's words, in the editor's language (makemessages reads Python, not JS).
        meta["strings"] = {key: str(text) for key, text in _EDITOR_STRINGS.items()}
        return [name, children, meta]

    @cached_property
    def media(self) -> forms.Media:
        return super().media + forms.Media(js=["theme/interview_editor.js"])


class PairBlockAdapter(StructBlockAdapter):
    js_constructor = "masthead.newsroom.PairBlock"

    @cached_property
    def media(self) -> forms.Media:
        return super().media + forms.Media(js=["theme/interview_editor.js"])


register(ExchangeBlockAdapter(), ExchangeBlock)
register(PairBlockAdapter(), PairBlock)


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES,
        label=_("Paragraph"),
        template="newsroom/blocks/paragraph.html",
    )
    heading = HeadingBlock(label=_("Heading"))
    image = FigureBlock(label=_("Image"))
    pull_quote = PullQuoteBlock(label=_("Pull quote"))
    exchange = ExchangeBlock()
    footnotes = FootnotesBlock(label=_("Footnotes"))
    embed = EmbedBlock(label=_("Embed"), template="newsroom/blocks/embed.html")
