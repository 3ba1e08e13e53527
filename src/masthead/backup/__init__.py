"""`masthead backup` and `masthead restore` (issue 8): the whole site in one archive.

An archive is a gzipped tar holding the database (an SQLite file made with the online
backup API, or a ``pg_dump`` custom-format dump), the media folder, and ``manifest.json``
(Masthead's version, the migrations applied, row counts, a SHA-256 of every member).

Backing up is safe while the site serves: the database is read from one consistent
snapshot, and the manifest's counts come from that same snapshot. Restoring reads and
checks the whole archive before it touches anything, then re-counts the restored rows.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.backup import databases
from masthead.backup.errors import BackupError, first_line

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/masthead.sqlite3"
PG_MEMBER = "database/masthead.pgdump"
MEDIA_PREFIX = "media/"
__all__ = ["BackupError", "Result", "create_backup", "restore_backup"]


@dataclass(frozen=True)
class Result:
    path: Path
    counts: dict[str, int]
    pending_migrations: bool = False


def create_backup(path: Path | str) -> Result:
    """Write the database, the media folder and a manifest into one archive at ``path``.

    Safe while the site serves: the database comes from one consistent snapshot and the
    counts from that same snapshot. The archive is written beside ``path`` and renamed
    into place, so ``path`` is either absent or complete. Raises BackupError.
    """
    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise BackupError(_("%(path)s is a folder: give the archive's file name") % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(_("%(path)s does not exist") % {"path": path.parent})
    engine = databases.engine()
    with tempfile.TemporaryDirectory(prefix=".masthead-backup-", dir=path.parent) as work:
        work_dir = Path(work)
        if engine == "sqlite":
            member, counts, migrations = SQLITE_MEMBER, *databases.snapshot_sqlite(work_dir / "db")
        else:
            member, counts, migrations = PG_MEMBER, *databases.dump_postgresql(work_dir / "db")
        partial = work_dir / "archive.tar.gz"
        checksums: dict[str, str] = {}
        with tarfile.open(partial, "w:gz") as archive:
            checksums[member] = _add_file(archive, work_dir / "db", member)
            for file, name in _media_files():
                with contextlib.suppress(FileNotFoundError):  # deleted while we walked
                    checksums[name] = _add_file(archive, file, name)
            manifest = {
                "format": FORMAT,
                "masthead_version": _version(),
                "created_at": timezone.now().isoformat(),
                "engine": engine,
                "migrations": migrations,
                "counts": counts,
                "files": checksums,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            archive.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # it holds readers' addresses
        os.replace(partial, path)
    return Result(path=path, counts=counts)


def restore_backup(path: Path | str, *, force: bool = False) -> Result:
    """Restore the archive at ``path`` into the configured database and media folder.

    Reads the whole archive and checks it (complete, manifest present, every checksum,
    same database engine, no migration this code does not know) before touching
    anything. Refuses a database with tables or a non-empty media folder unless
    ``force``. Afterwards re-counts pages, readers, deliveries and payments and raises
    BackupError if they differ from the manifest. Raises BackupError, always one line.
    """
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise BackupError(_("%(path)s is not a file") % {"path": path})
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".masthead-restore-", dir=media_root.parent) as work:
        staged = Path(work)
        manifest = _unpack_and_verify(path, staged)
        _check_target(force=force)
        member = SQLITE_MEMBER if manifest["engine"] == "sqlite" else PG_MEMBER
        connection.close()
        if manifest["engine"] == "sqlite":
            databases.restore_sqlite(staged / member)
        else:
            databases.restore_postgresql(staged / member, clean=force)
        if not settings.S3_BUCKET:  # uploads live in the bucket, not in the archive
            _swap_media(staged / "media", media_root)
    connection.close()
    with connection.cursor() as cursor:
        restored = databases.count(cursor)
    expected = manifest["counts"]
    for name, count in expected.items():
        if restored.get(name) != count:
            raise BackupError(
                _("restored %(count)s %(name)s but the backup has %(expected)s: check it")
                % {"count": restored.get(name), "name": name, "expected": count}
            )
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return Result(path=path, counts=restored, pending_migrations=bool(known - applied))


# Backing up ---------------------------------------------------------------------------


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if settings.S3_BUCKET or not root.is_dir():
        return  # S3 keeps its own copies (docs/backup.md)
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            file = Path(folder) / name
            if file.is_file() and not file.is_symlink():
                yield file, MEDIA_PREFIX + file.relative_to(root).as_posix()


def _add_file(archive: tarfile.TarFile, file: Path, name: str) -> str:
    with file.open("rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return reader.digest.hexdigest()


def _version() -> str:
    try:
        return importlib.metadata.version("masthead")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# Restoring ----------------------------------------------------------------------------


def _unpack_and_verify(path: Path, staged: Path) -> dict:
    """Unpack into ``staged`` and check every byte; the target is not touched yet."""
    digests: dict[str, str] = {}
    manifest = None
    try:
        with tarfile.open(path, "r:gz") as archive:
            for info in archive:
                name = _safe_name(info.name, path)
                if info.isdir():
                    continue
                if not info.isfile():
                    raise BackupError(_("%(path)s holds an unexpected entry") % {"path": path})
                source = archive.extractfile(info)
                if name == MANIFEST:
                    manifest = json.loads(source.read())
                    continue
                out = staged / name
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("wb") as handle:
                    reader = _HashingReader(source)
                    shutil.copyfileobj(reader, handle)
                digests[name] = reader.digest.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as exc:
        raise BackupError(
            _("%(path)s is not a complete Masthead backup (%(error)s)")
            % {"path": path, "error": first_line(exc)}
        ) from None
    if not (
        isinstance(manifest, dict)
        and manifest.get("format") == FORMAT
        and all(isinstance(manifest.get(k), dict) for k in ("migrations", "counts", "files"))
    ):
        raise BackupError(_("%(path)s has no Masthead manifest") % {"path": path})
    if digests != manifest.get("files"):
        raise BackupError(
            _("%(path)s is damaged: its files do not match their checksums") % {"path": path}
        )
    if manifest.get("engine") != databases.engine():
        raise BackupError(
            _("%(path)s is a %(theirs)s backup but this site uses %(ours)s")
            % {"path": path, "theirs": manifest.get("engine"), "ours": databases.engine()}
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "%(path)s was made by a newer Masthead (%(version)s) with migration %(name)s "
                "that this one does not know: upgrade Masthead first"
            )
            % {"path": path, "version": manifest.get("masthead_version"), "name": unknown[0]}
        )
    return manifest


def _safe_name(name: str, path: Path) -> str:
    parts = PurePosixPath(name).parts
    if (
        not parts
        or name.startswith("/")
        or ".." in parts
        or (name != MANIFEST and parts[0] not in {"database", "media"})
    ):
        raise BackupError(_("%(path)s holds an unexpected entry") % {"path": path})
    return PurePosixPath(*parts).as_posix()


def _check_target(*, force: bool) -> None:
    if force:
        return
    media_root = Path(settings.MEDIA_ROOT)
    if connection.introspection.table_names():
        where = settings.DATABASES["default"]["NAME"]
    elif media_root.is_dir() and any(media_root.iterdir()):
        where = media_root
    else:
        return
    raise BackupError(
        _("%(where)s is not empty: restore into an empty site, or add --force to replace it")
        % {"where": where}
    )


def _swap_media(staged: Path, media_root: Path) -> None:
    staged.mkdir(exist_ok=True)
    old = media_root.with_name(f".{media_root.name}-replaced")
    if media_root.exists():
        shutil.rmtree(old, ignore_errors=True)
        media_root.rename(old)
    staged.rename(media_root)
    shutil.rmtree(old, ignore_errors=True)


class _HashingReader:
    """A file reader that hashes what passes through it."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data
