"""Readers into the admin from CSV (issue 4): every row checked first, then all or nothing.

``import_readers`` is the one door through which a file becomes readers and subscriptions. It
checks every row before writing any, so a file with one bad row changes nothing. It never
re-subscribes anyone who unsubscribed and never imports a suppressed address. It runs in the
worker (import_jobs.py, issue 8), which follows it through an ``ImportProgress``;
``check_file`` is the part cheap enough for the upload request.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from masthead.audience.models import (
    WORDING_MAX_LENGTH,
    ConsentEvent,
    Newsletter,
    Reader,
    Subscription,
)
from masthead.audience.queries import normalise_email, suppressed_among

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
IMPORT_COLUMNS = ("email", "language", "consented_at", "newsletter")
# Registered in wagtail_hooks.py; shown in each newsletter's history in the admin.
LOG_ACTION = "audience.import_readers"
# Both SQLite (32,766 variables) and PostgreSQL take this many parameters in one IN (...).
_CHUNK = 500
# Rows checked between two progress reports: each report is a committed write (issue 8).
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class RowError:
    """One thing wrong with the file: ``row`` is its line number, None for the whole file."""

    row: int | None
    email: str
    message: str


class ImportRefused(Exception):  # noqa: N818 (it is a refusal, not a crash)
    """The file was not imported; ``errors`` says why, row by row. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


@dataclass
class ImportResult:
    """What an import did, counted per row of the file."""

    source: str
    created: int = 0  # new subscriptions (and new readers where needed)
    confirmed: int = 0  # pending sign-ups the file vouches for, now confirmed
    already_subscribed: int = 0
    kept_unsubscribed: int = 0
    suppressed: int = 0
    new_readers: int = 0
    newsletters: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.created
            + self.confirmed
            + self.already_subscribed
            + self.kept_unsubscribed
            + self.suppressed
        )


class ImportProgress:
    """What ``import_readers`` reports as it goes; these do nothing, a caller overrides them.

    Any exception raised here stops the import (before or inside its transaction, so with
    nothing written) and reaches the caller.
    """

    def checked(self, rows: int, total: int) -> None:
        """``rows`` of the file's ``total`` checked: at 0, every PROGRESS_EVERY, at the end."""

    def writing(self) -> None:
        """Every row passed its check; the write transaction is about to start."""

    def written(self, result: ImportResult) -> None:
        """Called inside the write transaction after its last write: what this writes
        commits together with the readers, or not at all."""


@dataclass(frozen=True)
class _Row:
    line: int
    email: str
    language: str | None
    consented_at: dt.datetime
    newsletter: Newsletter


def import_readers(
    file: IO[bytes],
    *,
    newsletter: Newsletter,
    source: str,
    default_consented_at: dt.datetime,
    user: object = None,
    progress: ImportProgress | None = None,
) -> ImportResult:
    """Subscribe everyone in a CSV file to ``newsletter`` (or the row's own), or nothing at all.

    The file needs a header row naming some of ``IMPORT_COLUMNS``; ``email`` is required. Every
    row is checked first; any problem raises ``ImportRefused`` listing all of them, before a
    single write. Then, in one transaction: new subscriptions are CONFIRMED with source IMPORT
    (the people on an imported list opted in elsewhere, which ``source`` names), pending ones
    are confirmed, and confirmed and unsubscribed ones are left exactly as they are. Suppressed
    addresses are skipped and counted. Existing readers keep their language. Importing the
    same file twice changes no reader or subscription the second time. Sends no email. ``source`` and ``user``
    go to each newsletter's log (Wagtail's history), next to the subscriptions' confirmed_at.
    ``progress`` hears how far it got (see ``ImportProgress``).
    """
    progress = progress or ImportProgress()
    now = timezone.now()
    source = source.strip()
    if not source:
        raise ImportRefused([RowError(None, "", _("Say where these people gave their consent."))])
    if default_consented_at > now:
        raise ImportRefused([RowError(None, "", _("The default consent date is in the future."))])
    rows = _parse(
        file,
        newsletter=newsletter,
        default_consented_at=default_consented_at,
        now=now,
        progress=progress,
    )
    progress.writing()
    return _write(rows, source=source, now=now, user=user, progress=progress)


def check_file(data: bytes) -> None:
    """The checks that need only the bytes and the header line: size, that it is UTF-8 CSV
    text, a proper header. Raises ``ImportRefused``; reads no rows, so a request can afford it.
    """
    first = next(_records(_text(io.BytesIO(data))), None)
    if first is None:
        raise _refuse(_("The file is empty."))
    line, header = first
    _header(header, line=line)


# --- reading and checking the file ---------------------------------------------------------


def _refuse(message: str, row: int | None = None) -> ImportRefused:
    return ImportRefused([RowError(row, "", message)])


def _text(file: IO[bytes]) -> str:
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than 5 MB. Split it into smaller files."))
    if b"\x00" in data:  # spreadsheets (.xlsx, .ods) and other binaries, never CSV text
        raise _refuse(_("This is not a CSV file. Save the spreadsheet as “CSV UTF-8” first."))
    try:
        # utf-8-sig drops the byte-order mark Excel writes at the start of "CSV UTF-8".
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
        ) from None


def _delimiter(text: str) -> str:
    # The header line decides: its names never contain a separator, so counting them there is
    # exact. csv.Sniffer guesses from data rows and fails on one-column files (email only).
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(",;\t", key=header.count)


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every row that is not blank; ``ImportRefused`` if unreadable."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield reader.line_num, cells
    except csv.Error as exc:
        raise _refuse(
            _("Line %(line)s cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        ) from None


def _parse(
    file: IO[bytes],
    *,
    newsletter: Newsletter,
    default_consented_at: dt.datetime,
    now: dt.datetime,
    progress: ImportProgress,
) -> list[_Row]:
    records = list(_records(_text(file)))
    if not records:
        raise _refuse(_("The file is empty."))
    if len(records) - 1 > MAX_ROWS:
        raise _refuse(
            _("The file has more than %(max)s rows. Split it into smaller files.")
            % {"max": f"{MAX_ROWS:,}"}
        )
    header_line, header_cells = records[0]
    header = _header(header_cells, line=header_line)
    total = len(records) - 1
    progress.checked(0, total)

    newsletters = {n.slug: n for n in Newsletter.objects.all()}
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int], int] = {}
    for checked, (line, cells) in enumerate(records[1:], start=1):
        row, problems = _check_row(
            line,
            cells,
            header=header,
            newsletters=newsletters,
            default_newsletter=newsletter,
            default_consented_at=default_consented_at,
            now=now,
        )
        email = (cells[header["email"]] if header["email"] < len(cells) else "").strip()
        if row is not None:
            key = (row.email.lower(), row.newsletter.pk)
            if key in seen:
                problems.append(_("duplicate of row %(row)s") % {"row": seen[key]})
            else:
                seen[key] = line
        errors.extend(RowError(line, email, problem) for problem in problems)
        if not problems and row is not None:
            rows.append(row)
        if checked % PROGRESS_EVERY == 0 and checked < total:
            progress.checked(checked, total)
    progress.checked(total, total)
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise _refuse(_("The file has a header row but no readers."))
    return rows


def _header(cells: list[str], *, line: int) -> dict[str, int]:
    names = [cell.strip().lower() for cell in cells]
    if "email" not in names:
        raise _refuse(
            _(
                "The first row must be a header naming the columns (email is required; "
                "also allowed: %(columns)s). It was: %(found)s"
            )
            % {"columns": ", ".join(IMPORT_COLUMNS[1:]), "found": ", ".join(cells)},
            row=line,
        )
    unknown = [cell for cell, name in zip(cells, names, strict=True) if name not in IMPORT_COLUMNS]
    if unknown:
        raise _refuse(
            ngettext(
                "Unknown column: %(names)s. Allowed columns: %(allowed)s.",
                "Unknown columns: %(names)s. Allowed columns: %(allowed)s.",
                len(unknown),
            )
            % {"names": ", ".join(unknown), "allowed": ", ".join(IMPORT_COLUMNS)},
            row=line,
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise _refuse(
            _("A column appears twice in the header: %(names)s.") % {"names": ", ".join(repeated)},
            row=line,
        )
    return {name: index for index, name in enumerate(names)}


def _check_row(
    line: int,
    cells: list[str],
    *,
    header: dict[str, int],
    newsletters: dict[str, Newsletter],
    default_newsletter: Newsletter,
    default_consented_at: dt.datetime,
    now: dt.datetime,
) -> tuple[_Row | None, list[str]]:
    """One row checked on its own: the row, or None and what is wrong with it."""
    problems: list[str] = []
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        problems.append(_("more cells than the header has columns"))

    def cell(name: str) -> str:
        index = header.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    email = normalise_email(cell("email")) if cell("email") else ""
    email_ok = False
    if not email:
        problems.append(_("the email is missing"))
    else:
        try:
            validate_email(email)
            if len(email) > Reader._meta.get_field("email").max_length:
                raise ValidationError("too long")
            email_ok = True
        except ValidationError:
            problems.append(_("not a valid email address"))

    language = cell("language").lower() or None
    codes = [code for code, _name in settings.LANGUAGES]
    if language is not None and language not in codes:
        problems.append(
            _("unknown language “%(value)s” (use %(codes)s)")
            % {"value": cell("language"), "codes": ", ".join(codes)}
        )

    consented_at = default_consented_at
    if cell("consented_at"):
        parsed = _parse_moment(cell("consented_at"))
        if parsed is None:
            problems.append(
                _("unreadable date “%(value)s” (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
                % {"value": cell("consented_at")}
            )
        elif parsed > now:
            problems.append(_("the consent date is in the future"))
        else:
            consented_at = parsed

    target = default_newsletter
    if cell("newsletter"):
        found = newsletters.get(cell("newsletter"))
        if found is None:
            problems.append(_("unknown newsletter “%(slug)s”") % {"slug": cell("newsletter")})
        else:
            target = found

    if not email_ok:
        return None, problems
    # Returned even with problems, so that a later copy is still reported as a duplicate.
    return _Row(line, email, language, consented_at, target), problems


def _parse_moment(value: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time; a date or a naive time means the site's time zone."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:  # well formed but impossible, such as 2025-02-30
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- writing -------------------------------------------------------------------------------


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reader_ids(addresses: list[str]) -> dict[str, int]:
    # Matched case-insensitively, like the reader_email_unique_ci constraint (and its index).
    found: dict[str, int] = {}
    for chunk in _chunks(addresses):
        found.update(
            Reader.objects.annotate(address=Lower("email"))
            .filter(address__in=chunk)
            .values_list("address", "pk")
        )
    return found


def _suppressed(addresses: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(addresses):
        found.update(suppressed_among(chunk))
    return found


@transaction.atomic(durable=True)
def _write(
    rows: list[_Row], *, source: str, now: dt.datetime, user: object, progress: ImportProgress
) -> ImportResult:
    # No full_clean per object: _check_row ran the same validators on every value, and at
    # 50,000 rows a second pass (plus a query per foreign key) would double the time the
    # database stays locked for writing.
    result = ImportResult(source=source)
    result.newsletters = sorted({row.newsletter.slug for row in rows})
    addresses = sorted({row.email.lower() for row in rows})
    suppressed = _suppressed(addresses)
    reader_ids = _reader_ids(addresses)

    new_readers: dict[str, Reader] = {}
    for row in rows:
        address = row.email.lower()
        if address in suppressed or address in reader_ids or address in new_readers:
            continue
        new_readers[address] = Reader(
            email=row.email, language=row.language or row.newsletter.language
        )
    # A concurrent sign-up for the same address fails the unique constraint here and rolls
    # the whole import back; the view says so and the editor uploads again.
    Reader.objects.bulk_create(new_readers.values(), batch_size=_CHUNK)
    result.new_readers = len(new_readers)
    reader_ids.update(_reader_ids(sorted(new_readers)))

    statuses: dict[tuple[int, int], str] = {}
    for chunk in _chunks(sorted(reader_ids.values())):
        for reader_id, newsletter_id, status in Subscription.objects.filter(
            reader_id__in=chunk
        ).values_list("reader_id", "newsletter_id", "status"):
            statuses[(reader_id, newsletter_id)] = status

    created: list[Subscription] = []
    pending: dict[tuple[int, int], dt.datetime] = {}
    for row in rows:
        address = row.email.lower()
        if address in suppressed:
            result.suppressed += 1
            continue
        key = (reader_ids[address], row.newsletter.pk)
        status = statuses.get(key)
        if status is None:
            created.append(
                Subscription(
                    reader_id=key[0],
                    newsletter_id=key[1],
                    status=Subscription.Status.CONFIRMED,
                    source=Subscription.Source.IMPORT,
                    consented_at=row.consented_at,
                    confirmed_at=now,
                )
            )
        elif status == Subscription.Status.CONFIRMED:
            result.already_subscribed += 1
        elif status == Subscription.Status.UNSUBSCRIBED:
            # Issue 4: an import never re-subscribes someone who unsubscribed.
            result.kept_unsubscribed += 1
        else:
            # Pending: they asked but never clicked; the list vouches for their consent.
            # Changing the status also voids their outstanding confirmation link.
            pending[key] = row.consented_at
    confirmed = _pending_to_confirm(pending, now=now)
    # Any that were confirmed by their own link meanwhile count as already subscribed.
    result.already_subscribed += len(pending) - len(confirmed)
    Subscription.objects.bulk_create(created, batch_size=_CHUNK)
    Subscription.objects.bulk_update(
        confirmed, ["status", "source", "consented_at", "confirmed_at"], batch_size=_CHUNK
    )
    result.created = len(created)
    result.confirmed = len(confirmed)
    # The consent log keeps each imported consent with the editor's note of where it came
    # from; Wagtail's log keeps the import itself: who imported, when and from where.
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                reader_id=sub.reader_id,
                newsletter_id=sub.newsletter_id,
                kind=kind,
                at=at,
                source=Subscription.Source.IMPORT,
                wording=source[:WORDING_MAX_LENGTH],
            )
            for sub in [*created, *confirmed]
            for kind, at in (
                (ConsentEvent.Kind.SUBSCRIBE, sub.consented_at),
                (ConsentEvent.Kind.CONFIRM, now),
            )
        ],
        batch_size=_CHUNK,
    )
    summary = {
        "source": source,
        "confirmed_at": now.isoformat(),
        "created": result.created,
        "confirmed": result.confirmed,
        "already_subscribed": result.already_subscribed,
        "kept_unsubscribed": result.kept_unsubscribed,
        "suppressed": result.suppressed,
        "total": result.total,
    }
    for target in {row.newsletter.pk: row.newsletter for row in rows}.values():
        log(target, LOG_ACTION, user=user, data=summary)
    progress.written(result)
    return result


def _pending_to_confirm(
    pending: dict[tuple[int, int], dt.datetime], *, now: dt.datetime
) -> list[Subscription]:
    """The pending subscriptions named by (reader, newsletter), set to confirmed by import.

    Only the rows still pending are changed; the lock keeps a confirmation click in
    between from being overwritten.
    """
    confirmed = []
    for chunk in _chunks(sorted({reader_id for reader_id, _newsletter_id in pending})):
        for sub in Subscription.objects.select_for_update().filter(
            reader_id__in=chunk, status=Subscription.Status.PENDING
        ):
            consented_at = pending.get((sub.reader_id, sub.newsletter_id))
            if consented_at is None:
                continue
            sub.status = Subscription.Status.CONFIRMED
            sub.source = Subscription.Source.IMPORT
            sub.consented_at = consented_at
            sub.confirmed_at = now
            confirmed.append(sub)
    return confirmed
