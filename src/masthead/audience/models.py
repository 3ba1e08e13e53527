"""Who reads it: readers known by email, the newsletters they may consent to, their consent
(the current state per newsletter, and the log of every change), suppressions.

Every app about readers (newsletter, funding, channels) stands above this one and changes
these rows only through audience.services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# A name goes into a mail header (From, List-Id): a line break there would let it add
# headers or recipients (ASVS 1.3.11), so names are one line.
ONE_LINE = RegexValidator(r"[\r\n]", inverse_match=True, message=_("Use a single line."))


# Longest free text kept in a log row (a provider's error, a consent note).
DETAIL_MAX_LENGTH = 2000
WORDING_MAX_LENGTH = 200


class Reader(models.Model):
    """A person known by email: free or paying, subscriber or not (DESIGN.md: Reader)."""

    email = models.EmailField(_("email"), max_length=254)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when the reader proved they own the address (a confirmation or sign-in link).
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)
    # Moves on every sign-in: a sign-in link signs the value it saw, so it works once.
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="reader_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email


class EmailChangeRequest(models.Model):
    """A reader's request to move to ``new_email``, kept only until the worker mails it.

    The new address must not ride in the task's arguments, which the task table keeps after
    the task ran (issue 8): the task names this row, and the worker deletes it as it sends.
    It also goes when a change is applied, and with the reader (erasure).
    """

    reader = models.ForeignKey(
        Reader, on_delete=models.CASCADE, related_name="email_change_requests"
    )
    new_email = models.EmailField(_("new email"), max_length=254)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("email change request")
        verbose_name_plural = _("email change requests")

    def __str__(self) -> str:
        return f"{self.reader_id} → {self.new_email}"


class Newsletter(models.Model):
    """One list readers can subscribe to (daily digest, weekly, breaking), in one language.

    It lives here, beside the consent it is the object of; the newsletter app sends its
    editions.
    """

    name = models.CharField(_("name"), max_length=120, validators=[ONE_LINE])
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    sender_name = models.CharField(_("sender name"), max_length=120, validators=[ONE_LINE])
    is_public = models.BooleanField(_("offered on the sign-up form"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A reader's consent to one newsletter (DESIGN.md: Subscription)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        IMPORT = "import", _("Import")
        ADMIN = "admin", _("Added by an editor")
        ACCOUNT = "account", _("Reader's account page")
        # How a subscription ends (ConsentEvent.source): never the source of a consent.
        LINK = "link", _("Unsubscribe link")
        EMAIL = "email", _("Unsubscribe by email")
        ESP = "esp", _("Reported by the email provider")
        COMPLAINT = "complaint", _("Spam complaint")

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="subscriptions")
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(_("consent source"), max_length=20, choices=Source.choices)
    consented_at = models.DateTimeField(_("consent given"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["reader", "newsletter"], name="one_subscription"),
        ]
        indexes = [models.Index(fields=["newsletter", "status", "reader"])]

    def __str__(self) -> str:
        return f"{self.reader} → {self.newsletter} ({self.status})"


class Suppression(models.Model):
    """An address that must never be mailed again (hard bounce, complaint, or by hand).

    Keyed by the lower-cased address, not the reader, so it survives erasure and re-import.
    """

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        MANUAL = "manual", _("Added by an editor")

    email = models.EmailField(_("email"), max_length=254, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"


class ConsentEvent(models.Model):
    """One change of a reader's consent to one newsletter: the consent log.

    Written by audience.services next to every Subscription change, never updated, so it
    keeps every round (a Subscription holds only the latest). The growth chart reads it.
    Erasure clears the reader and the client address and keeps the anonymous row, so past
    counts do not change when a reader leaves.
    """

    class Kind(models.TextChoices):
        SUBSCRIBE = "subscribe", _("Asked to subscribe")
        CONFIRM = "confirm", _("Confirmed")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")

    reader = models.ForeignKey(
        Reader, null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_events"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="consent_events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    # Only an UNSUBSCRIBE from a confirmed subscription lowers the subscriber count.
    was_confirmed = models.BooleanField(_("was confirmed"), default=False)
    at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=20, choices=Subscription.Source.choices)
    # Which wording the reader was shown (forms.SIGN_UP_WORDING, ACCOUNT_WORDING), or an
    # import's consent note.
    wording = models.CharField(_("wording shown"), max_length=WORDING_MAX_LENGTH, blank=True)
    # Truncated as for rate limits (an IPv6 /64), so the log is not a tracking record.
    client = models.CharField(_("client address"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["newsletter", "at"])]

    def __str__(self) -> str:
        return f"{self.reader_id} {self.kind} {self.newsletter_id} ({self.at:%Y-%m-%d})"


class ReaderImport(models.Model):
    """One CSV file of readers uploaded by an editor and imported by the worker (issue 8).

    Written by audience.import_jobs: the upload stores it QUEUED with the file's bytes,
    the worker moves it through CHECKING and IMPORTING to DONE (with the counts) or
    REFUSED (with the bad rows), and the scheduler fails one whose worker stopped. The
    bytes hold addresses, so they are deleted when the import ends, whatever its end.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        CHECKING = "checking", _("Checking the rows")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REFUSED = "refused", _("Refused: nothing was imported")
        FAILED = "failed", _("Failed: nothing was imported")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="imports", verbose_name=_("newsletter")
    )
    source = models.CharField(_("consent source"), max_length=200)
    default_consented_at = models.DateTimeField(_("default consent date"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # In the row rather than in a file: it reaches the worker on any install (S3 too), and
    # is at most importing.MAX_BYTES.
    content = models.BinaryField(_("file content"), blank=True, default=b"")
    # The uploader's admin language, for the messages the worker writes.
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    # importing.ImportResult's counts, once DONE.
    result = models.JSONField(_("result"), default=dict, blank=True)
    # The first bad rows ({row, email, message}) of a REFUSED file; error_count counts all.
    errors = models.JSONField(_("problems"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of problems"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Moves with every step the worker commits; the scheduler's sweep reads it.
    updated_at = models.DateTimeField(_("last step"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("reader import")
        verbose_name_plural = _("reader imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two imports into one newsletter at once: the second upload is refused.
            models.UniqueConstraint(
                fields=["newsletter"],
                condition=models.Q(status__in=["queued", "checking", "importing"]),
                name="one_running_import_per_newsletter",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} → {self.newsletter_id} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_IMPORT


RUNNING_IMPORT = (
    ReaderImport.Status.QUEUED,
    ReaderImport.Status.CHECKING,
    ReaderImport.Status.IMPORTING,
)
