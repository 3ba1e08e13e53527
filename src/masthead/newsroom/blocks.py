"""StreamField blocks of an article body.

The interview exchange is the reason this module exists: every question and every answer
names its speaker, either a contributor (linked to their page) or a free-text name.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
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


class TurnBlock(blocks.StructBlock):
    """One question or one answer, with its speaker."""

    kind = blocks.ChoiceBlock(
        choices=[("question", _("Question")), ("answer", _("Answer"))], label=_("Kind")
    )
    speaker = SnippetChooserBlock(
        "newsroom.Contributor", required=False, label=_("Speaker (contributor)")
    )
    speaker_name = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Speaker (name)"),
        help_text=_("Used when the speaker is not a contributor."),
    )
    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, label=_("Text"))

    def clean(self, value: blocks.StructValue) -> blocks.StructValue:
        value = super().clean(value)
        if not value.get("speaker") and not value.get("speaker_name", "").strip():
            raise blocks.StructBlockValidationError(
                block_errors={
                    "speaker_name": ErrorList(
                        [
                            ValidationError(
                                _("Name the speaker: choose a contributor or type a name.")
                            )
                        ]
                    )
                }
            )
        return value


class ExchangeBlock(blocks.StructBlock):
    turns = blocks.ListBlock(TurnBlock(), min_num=1, label=_("Questions and answers"))

    class Meta:
        icon = "comment"
        label = _("Interview exchange")
        template = "newsroom/blocks/exchange.html"


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
