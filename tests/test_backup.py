"""`masthead backup` and `masthead restore` (issue 8), run as real commands in subprocesses.

Each site is a data folder of its own and, on PostgreSQL (DATABASE_URL=postgres://...), a
scratch database of its own, created here and dropped afterwards. The published site is
built once per session by the project's own services: the test publication, readers
subscribed to a newsletter, and an edition sent to them.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

MASTHEAD = str(Path(sys.executable).with_name("masthead"))
REPO = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))

POPULATE = """
import django
django.setup()
from django.conf import settings
from masthead.newsletter import sending, services
from tests.conftest import build_publication
from tests.newsletter import factories

publication = build_publication()
daily = factories.newsletter()
for i in range(12):
    factories.subscriber(daily, f"reader{i}@example.org")
sending.send_edition(
    edition=services.create_edition(
        newsletter=daily, subject="Salt and silver", article=publication.flagship
    )
)
cover = settings.MEDIA_ROOT / "original_images" / "cover.png"
cover.parent.mkdir(parents=True, exist_ok=True)
cover.write_bytes(b"not really a png " * 64)
"""

WRITER = """
import sys
from pathlib import Path
import django
django.setup()
from masthead.audience.models import Reader

stop = Path(sys.argv[1])
i = 0
while not stop.exists():
    Reader.objects.create(email=f"writer{i}@example.org")
    i += 1
    print(i, flush=True)
"""


def _postgres(sql: str) -> None:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(sql)


@dataclass
class Site:
    """One Masthead installation: a data folder, and on PostgreSQL a database."""

    data_dir: Path
    database: str = ""
    _created: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        dropped = {"DATABASE_URL", "REDIS_URL", "MASTHEAD_MEDIA_ROOT", "MASTHEAD_STATIC_ROOT"}
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        env.update(
            MASTHEAD_ENV="test",
            MASTHEAD_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="masthead.settings",
            EMAIL_URL="dummymail://",
            PYTHONPATH=str(REPO),
        )
        if self.database:
            env["DATABASE_URL"] = urlunsplit(
                urlsplit(DATABASE_URL)._replace(path=f"/{self.database}")
            )
        return env

    def masthead(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [MASTHEAD, *args],
            capture_output=True,
            text=True,
            env={**self.env, **extra_env},
            timeout=300,
            check=False,
        )

    def python(self, script: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=REPO,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def fingerprint(self) -> dict:
        """Every table's row count, the readers' addresses and every media file's digest:
        what "untouched" and "the same" compare. Read straight from the database."""
        if self.database:
            import psycopg

            url = urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{self.database}"))
            with psycopg.connect(url) as db:
                rows = _rows(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        elif (self.data_dir / "masthead.sqlite3").exists():
            with contextlib.closing(sqlite3.connect(self.data_dir / "masthead.sqlite3")) as db:
                rows = _rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            rows = {"tables": {}, "emails": []}
        media_root = self.data_dir / "media"
        media = {
            p.relative_to(media_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media_root.rglob("*"))
            if p.is_file()
        }
        return {**rows, "media": media}


def _rows(db: object, list_tables: str) -> dict:
    tables = sorted(name for (name,) in db.execute(list_tables).fetchall())
    counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    emails = []
    if "audience_reader" in tables:
        emails = sorted(e for (e,) in db.execute("SELECT email FROM audience_reader").fetchall())
    return {"tables": counts, "emails": emails}


class Sites:
    """Makes empty sites and copies of sites, and removes their databases afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.databases: list[str] = []

    def empty(self) -> Site:
        site = Site(self.root / uuid.uuid4().hex[:8])
        if ON_POSTGRES:
            site.database = self._new_database()
        return site

    def copy_of(self, original: Site) -> Site:
        site = Site(self.root / uuid.uuid4().hex[:8])
        shutil.copytree(original.data_dir, site.data_dir)
        if ON_POSTGRES:
            site.database = self._new_database(template=original.database)
        return site

    def _new_database(self, template: str = "") -> str:
        base = urlsplit(DATABASE_URL).path.lstrip("/") or "masthead"
        name = f"{base}_bk_{uuid.uuid4().hex[:8]}"
        _postgres(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.databases.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.databases:
            _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _sites(tmp_path_factory):
    sites = Sites(tmp_path_factory.mktemp("backup-sites"))
    yield sites
    sites.drop_all()


@pytest.fixture
def sites(_sites):
    return _sites


@pytest.fixture(scope="session")
def published(_sites):
    """A migrated site with pages, readers, an edition sent to them, and a media file."""
    site = _sites.empty()
    migrated = site.masthead("manage", "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    site.python(POPULATE)
    return site


@pytest.fixture(scope="session")
def archive(published, tmp_path_factory):
    path = tmp_path_factory.mktemp("archives") / "site.tar.gz"
    result = published.masthead("backup", str(path))
    assert result.returncode == 0, result.stderr
    return path


def assert_one_line_error(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("masthead: error: ")
    for text in expected:
        assert text in lines[0]


def rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` whose manifest ``change`` edited (checksums stay valid)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for info in source:
            data = source.extractfile(info).read()
            if info.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_a_backup_restored_into_a_new_data_folder_has_the_same_pages_readers_and_deliveries(
    published, archive, sites
):
    target = sites.empty()

    result = target.masthead("restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout
    before, after = published.fingerprint(), target.fingerprint()
    for table in ("wagtailcore_page", "audience_reader", "newsletter_delivery"):
        assert after["tables"][table] == before["tables"][table] > 0
    assert after == before  # every table, every reader, every media file


def test_the_manifest_names_the_version_migrations_counts_and_a_checksum_per_file(
    published, archive
):
    with tarfile.open(archive, "r:gz") as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile("manifest.json").read())

    fingerprint = published.fingerprint()
    assert manifest["engine"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["masthead_version"] == importlib.metadata.version("masthead")
    assert "0001_readers_and_newsletters" in manifest["migrations"]["audience"]
    # payments join them once the funding app is installed
    assert manifest["counts"] | {"payments": 0} == {
        "payments": 0,
        "pages": fingerprint["tables"]["wagtailcore_page"],
        "readers": fingerprint["tables"]["audience_reader"],
        "deliveries": fingerprint["tables"]["newsletter_delivery"],
    }
    assert sorted(manifest["files"]) == sorted(n for n in names if n != "manifest.json")
    assert "media/original_images/cover.png" in manifest["files"]


def test_a_truncated_archive_is_one_error_line_and_leaves_the_target_untouched(
    published, archive, sites, tmp_path
):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = sites.copy_of(published)
    before = target.fingerprint()

    result = target.masthead("restore", "--force", str(truncated))

    assert_one_line_error(result, "truncated.tar.gz", "not a complete Masthead backup")
    assert target.fingerprint() == before
    assert not list(target.data_dir.glob(".masthead-restore-*"))  # its staging is gone


def test_an_archive_with_a_damaged_file_is_refused_before_anything_is_written(
    published, archive, sites, tmp_path
):
    def damage(manifest: dict) -> None:
        manifest["files"]["media/original_images/cover.png"] = "0" * 64

    damaged = rewritten(archive, tmp_path / "damaged.tar.gz", damage)
    target = sites.empty()

    result = target.masthead("restore", str(damaged))

    assert_one_line_error(result, "damaged.tar.gz", "checksums")
    assert target.fingerprint() == {"tables": {}, "emails": [], "media": {}}


def test_a_non_empty_target_is_refused_without_force_and_replaced_with_it(
    published, archive, sites
):
    target = sites.copy_of(published)
    target.python(
        "import django; django.setup()\n"
        "from masthead.audience.models import Reader\n"
        "Reader.objects.create(email='only-here@example.org')\n"
    )
    changed = target.fingerprint()

    refused = target.masthead("restore", str(archive))
    assert_one_line_error(refused, "is not empty", "--force")
    assert target.fingerprint() == changed

    forced = target.masthead("restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert target.fingerprint() == published.fingerprint()


def test_an_archive_from_a_newer_masthead_is_refused_with_one_line(archive, sites, tmp_path):
    def from_the_future(manifest: dict) -> None:
        manifest["masthead_version"] = "9.0.0"
        manifest["migrations"]["audience"].append("0999_from_the_future")

    newer = rewritten(archive, tmp_path / "newer.tar.gz", from_the_future)
    target = sites.empty()

    result = target.masthead("restore", str(newer))

    assert_one_line_error(result, "newer Masthead (9.0.0)", "audience.0999_from_the_future")
    assert target.fingerprint() == {"tables": {}, "emails": [], "media": {}}


def test_an_archive_from_the_other_database_engine_is_refused_with_one_line(
    archive, sites, tmp_path
):
    other = "sqlite" if ON_POSTGRES else "postgresql"
    foreign = rewritten(archive, tmp_path / "foreign.tar.gz", lambda m: m.update(engine=other))

    result = sites.empty().masthead("restore", str(foreign))

    assert_one_line_error(result, f"is a {other} backup")


def test_a_backup_taken_while_another_process_writes_readers_restores_consistently(
    published, sites, tmp_path
):
    source = sites.copy_of(published)
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        env=source.env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(20):  # the writer is under way before the backup starts
            assert writer.stdout.readline(), "the writer stopped early"
        result = source.masthead("backup", str(tmp_path / "live.tar.gz"))
        assert result.returncode == 0, result.stderr
        with tarfile.open(tmp_path / "live.tar.gz", "r:gz") as opened:
            in_backup = json.loads(opened.extractfile("manifest.json").read())["counts"]
        in_snapshot = in_backup["readers"] - 12
        # The writer goes on past the snapshot: the backup missed some writes.
        while int(writer.stdout.readline() or 0) <= in_snapshot:
            assert writer.poll() is None, "the writer stopped early"
    finally:
        stop.touch()
        writer.communicate(timeout=60)
    target = sites.empty()

    restored = target.masthead("restore", str(tmp_path / "live.tar.gz"))

    assert restored.returncode == 0, restored.stderr  # restore re-counts against the manifest
    written = sorted(e for e in target.fingerprint()["emails"] if e.startswith("writer"))
    # A consistent snapshot holds exactly the first N writes, with no gap.
    assert in_snapshot >= 20
    assert written == sorted(f"writer{i}@example.org" for i in range(in_snapshot))


def test_a_restore_that_counts_other_numbers_than_the_manifest_fails_loudly(
    archive, sites, tmp_path
):
    def one_reader_more(manifest: dict) -> None:
        manifest["counts"]["readers"] += 1

    wrong = rewritten(archive, tmp_path / "wrong.tar.gz", one_reader_more)

    result = sites.empty().masthead("restore", str(wrong))

    assert_one_line_error(result, "restored 12 readers but the backup has 13")


def test_a_backup_into_a_folder_that_does_not_exist_is_one_line_and_writes_nothing(
    published, tmp_path
):
    result = published.masthead("backup", str(tmp_path / "missing" / "site.tar.gz"))

    assert_one_line_error(result, "missing does not exist")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: DATABASE_URL=postgres://...")
def test_without_pg_dump_a_postgresql_backup_is_one_clear_line(published, tmp_path):
    result = published.masthead("backup", str(tmp_path / "x.tar.gz"), PATH="/nonexistent")

    assert_one_line_error(result, "pg_dump is not installed")
    assert not (tmp_path / "x.tar.gz").exists()


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: the embedded default")
def test_the_sqlite_database_in_an_archive_is_one_self_contained_sound_file(archive, tmp_path):
    with tarfile.open(archive, "r:gz") as opened:
        data = opened.extractfile("database/masthead.sqlite3").read()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(data)  # alone: no -wal file beside it

    with contextlib.closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM audience_reader").fetchone() == (12,)
