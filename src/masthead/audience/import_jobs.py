"""Writes for CSV imports run in the background (issue 8): queue, run in the worker, sweep.

A 50,000-row import held its request for about 16 s, and SQLite's write lock with it. Now
the upload only stores the file in a ``ReaderImport`` row and enqueues a task; the worker
runs ``importing.import_readers`` (the one door, unchanged: every row checked, then all or
nothing) and commits its progress every ``importing.PROGRESS_EVERY`` rows checked. The
readers and the row's DONE commit in one transaction, so a row still CHECKING or IMPORTING
has imported nothing; the scheduler fails one whose worker stopped. Whatever the end, the
stored file is deleted: it holds addresses.

Policy for two imports into one newsletter at once: the second upload is refused
(``ImportBusy``), not queued behind the first.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import asdict

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from masthead.audience import importing
from masthead.audience.models import DETAIL_MAX_LENGTH, RUNNING_IMPORT, Newsletter, ReaderImport

log = logging.getLogger(__name__)

Status = ReaderImport.Status
# An import's worker commits a step at least every PROGRESS_EVERY rows (seconds apart);
# one silent this long has lost its worker.
STUCK_AFTER = dt.timedelta(minutes=30)
# The refused page lists this many bad rows and counts the rest; the row keeps no more.
MAX_ERRORS_KEPT = 200


class ImportBusy(Exception):  # noqa: N818 (a refusal, not a crash)
    """An import into this newsletter is still running; ``running`` is it."""

    def __init__(self, running: ReaderImport | None) -> None:
        super().__init__("an import into this newsletter is still running")
        self.running = running


class _AbandonedError(Exception):
    """The row left the state this worker expected (the sweep failed it): stop, roll back."""


@transaction.atomic(durable=True)
def queue_import(
    *,
    data: bytes,
    file_name: str,
    newsletter: Newsletter,
    source: str,
    default_consented_at: dt.datetime,
    user: AbstractBaseUser | None,
    language: str,
) -> ReaderImport:
    """Store one uploaded file as a QUEUED import and enqueue its task once that commits.

    Checks nothing in the rows (the worker does, with ``importing.import_readers``). Raises
    ``ImportBusy``, storing nothing, when an import into ``newsletter`` is still running:
    the database's partial unique constraint decides, so two uploads at once cannot both
    pass. Sends no email.
    """
    from masthead.audience import tasks  # tasks imports this module

    job = ReaderImport(
        uploaded_by=user,
        newsletter=newsletter,
        source=source.strip(),
        default_consented_at=default_consented_at,
        file_name=file_name[:255],
        content=data,
        language=language,
    )
    # The running-import constraint is left to the database, which also settles a race.
    job.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ImportBusy(
            ReaderImport.objects.filter(newsletter=newsletter, status__in=RUNNING_IMPORT)
            .defer("content")
            .first()
        ) from None
    # On commit: the worker must find the row. If the enqueue is lost, the row stays
    # QUEUED and the sweep fails it after STUCK_AFTER.
    transaction.on_commit(lambda: tasks.import_readers.enqueue(import_pk=job.pk))
    return job


class _Progress(importing.ImportProgress):
    """Each step of the import, committed on the row as it happens."""

    def __init__(self, job: ReaderImport) -> None:
        self.job = job

    def _step(self, expected: str, **changes: object) -> None:
        # Conditional on the state this worker left, so a row the sweep failed meanwhile
        # is never brought back to life.
        changed = ReaderImport.objects.filter(pk=self.job.pk, status=expected).update(
            updated_at=timezone.now(), **changes
        )
        if not changed:
            raise _AbandonedError

    def checked(self, rows: int, total: int) -> None:
        self._step(Status.CHECKING, rows_checked=rows, rows_total=total)

    def writing(self) -> None:
        self._step(Status.CHECKING, status=Status.IMPORTING)

    def written(self, result: importing.ImportResult) -> None:
        # Inside the import's transaction: DONE and the readers commit together.
        self._step(
            Status.IMPORTING,
            status=Status.DONE,
            result={**asdict(result), "total": result.total},
            content=b"",
            finished_at=timezone.now(),
        )


def run_import(*, import_pk: int) -> ReaderImport | None:
    """Import one QUEUED upload (the worker's task); the row as it ended, None if it is gone.

    Idempotent: the row is claimed QUEUED → CHECKING by a conditional update, so a second
    delivery of the task, or a task for an import the sweep already failed, does nothing.
    Not atomic as a whole: progress commits as it goes; the import itself is one
    transaction (``importing``) that also marks the row DONE. A refused file records its
    bad rows (the first ``MAX_ERRORS_KEPT``, and how many); any other failure records why.
    Every end deletes the stored file. Messages are in the uploader's admin language.
    Sends no email.
    """
    now = timezone.now()
    claimed = ReaderImport.objects.filter(pk=import_pk, status=Status.QUEUED).update(
        status=Status.CHECKING, updated_at=now
    )
    job = ReaderImport.objects.select_related("newsletter", "uploaded_by").filter(pk=import_pk)
    job = job.first()
    if not claimed or job is None:
        return job
    with translation.override(job.language):
        try:
            result = importing.import_readers(
                io.BytesIO(bytes(job.content)),
                newsletter=job.newsletter,
                source=job.source,
                default_consented_at=job.default_consented_at,
                user=job.uploaded_by,
                progress=_Progress(job),
            )
        except _AbandonedError:
            log.warning("reader import %s was given up on while it ran", job.pk)
        except importing.ImportRefused as refused:
            _end(job, Status.REFUSED, errors=refused.errors)
        except IntegrityError:
            _end(
                job,
                Status.FAILED,
                error=_(
                    "Someone signed up with one of these addresses while the file was being "
                    "imported, so nothing was imported. Upload the file again."
                ),
            )
        except Exception:  # recorded for the editor; the import rolled back
            log.exception("reader import %s failed", job.pk)
            _end(
                job,
                Status.FAILED,
                error=_(
                    "The import stopped on an unexpected error, so nothing was imported. "
                    "Upload the file again; if it fails again, tell your site's operator."
                ),
            )
        else:
            log.info(
                "readers imported by user %s into %s, consent source %r: %s",
                job.uploaded_by_id,
                ",".join(result.newsletters),
                result.source,
                result,
            )
    job.refresh_from_db()
    return job


def _end(
    job: ReaderImport,
    status: str,
    *,
    errors: Sequence[importing.RowError] = (),
    error: str = "",
) -> None:
    now = timezone.now()
    ReaderImport.objects.filter(pk=job.pk, status__in=RUNNING_IMPORT).update(
        status=status,
        errors=[asdict(e) for e in errors[:MAX_ERRORS_KEPT]],
        error_count=len(errors),
        error=error[:DETAIL_MAX_LENGTH],
        content=b"",
        finished_at=now,
        updated_at=now,
    )


def fail_stuck(*, now: dt.datetime | None = None) -> int:
    """Fail every import that has not moved for ``STUCK_AFTER`` (the scheduler's sweep); how many.

    A worker that died mid-import left the row CHECKING or IMPORTING; its transaction
    rolled back, so nothing was imported, and the row says so. A row still QUEUED means no
    worker took it (none running, or the enqueue was lost). Each row is failed only if it
    has not moved since it was read, and its stored file is deleted. Idempotent.
    """
    now = now or timezone.now()
    stuck = ReaderImport.objects.filter(
        status__in=RUNNING_IMPORT, updated_at__lt=now - STUCK_AFTER
    ).values_list("pk", "status", "updated_at", "language")
    failed = 0
    for pk, status, updated_at, language in stuck:
        with translation.override(language):
            if status == Status.QUEUED:
                reason = _(
                    "No worker started this import within 30 minutes, so nothing was "
                    "imported. Check that the worker is running, then upload the file again."
                )
            else:
                reason = _("The worker stopped; nothing was imported. Upload the file again.")
        failed += ReaderImport.objects.filter(pk=pk, status=status, updated_at=updated_at).update(
            status=Status.FAILED,
            error=reason,
            content=b"",
            finished_at=now,
            updated_at=now,
        )
    if failed:
        log.warning("%s reader import(s) failed by the sweep: their worker stopped", failed)
    return failed


# A refused import's bad rows hold addresses: the editor needs them to fix the file, not
# for ever.
PROBLEMS_KEPT_FOR = dt.timedelta(days=30)


def forget_old_problems(*, now: dt.datetime | None = None) -> int:
    """Drop the bad rows of imports that ended ``PROBLEMS_KEPT_FOR`` ago; how many imports.

    The counts (and ``error_count``) stay, so the list of past imports still says what
    happened. Idempotent; the scheduler's sweep runs it.
    """
    cutoff = (now or timezone.now()) - PROBLEMS_KEPT_FOR
    return ReaderImport.objects.filter(finished_at__lt=cutoff).exclude(errors=[]).update(errors=[])


@transaction.atomic
def scrub_address(*, email: str) -> int:
    """Remove ``email`` (any case) from every import's bad rows; how many imports changed.

    Part of a reader's erasure (services.erase_reader), inside its transaction.
    """
    address = email.strip().lower()
    changed = 0
    for job in ReaderImport.objects.exclude(errors=[]).select_for_update():
        kept = [e for e in job.errors if str(e.get("email", "")).strip().lower() != address]
        if len(kept) != len(job.errors):
            job.errors = kept
            job.save(update_fields=["errors"])
            changed += 1
    return changed
