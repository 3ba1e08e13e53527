"""The related-posts indexes on disk, one per language, in MASTHEAD_RELATED_INDEX_DIR.

A fitted index (vocabulary, latent view, every article's vectors) is written once per
rebuild; what changed since (articles added, edited or retired, and every list's current
entries) goes to a small delta beside it, so an incremental update rewrites megabytes,
not the whole matrix. A process keeps what it loaded and reloads when another process has
written since. A file lock serialises writers (two workers updating at once).
"""

from __future__ import annotations

import fcntl
import os
import pickle
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
from django.conf import settings

from masthead.discovery.relatedness import Doc, Index

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


@dataclass
class _Delta:
    added: dict[int, Doc] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)


@dataclass
class _Loaded:
    stamp: tuple[int, int]
    index: Index
    delta: _Delta


_loaded: dict[str, _Loaded] = {}


def root() -> Path:
    return Path(settings.RELATED_INDEX_DIR)


def _folder(language: str) -> Path:
    # The language code names a folder: never anything but a language code.
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"not a language code: {language!r}")
    return root() / language


def _stamp(folder: Path) -> tuple[int, int]:
    try:
        base = (folder / "base.joblib").stat().st_mtime_ns
    except FileNotFoundError:
        return (0, 0)
    try:
        return (base, (folder / "delta.pickle").stat().st_mtime_ns)
    except FileNotFoundError:
        return (base, 0)


@contextmanager
def locked() -> Iterator[None]:
    """Hold the writers' lock for the whole update (loading included)."""
    root().mkdir(parents=True, exist_ok=True)
    with open(root() / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load(language: str) -> Index | None:
    """The language's index as last written, or None when there is none yet."""
    folder = _folder(language)
    stamp = _stamp(folder)
    if stamp == (0, 0):
        _loaded.pop(str(folder), None)
        return None
    kept = _loaded.get(str(folder))
    if kept is not None and kept.stamp == stamp:
        return kept.index
    index: Index = joblib.load(folder / "base.joblib")
    delta = _Delta()
    if stamp[1]:
        with open(folder / "delta.pickle", "rb") as handle:
            saved = pickle.load(handle)  # noqa: S301 (our own file in our data dir)
        delta = _Delta(saved["added"], saved["removed"])
        index.remove(delta.removed)
        index.add(list(delta.added.values()))
        rows = [index.rows.get(int(pk)) for pk in saved["owners"]]
        mask = np.array([row is not None for row in rows], dtype=bool)
        picked = np.array([row for row in rows if row is not None], dtype=np.int64)
        index.kept_ids[picked] = saved["kept_ids"][mask]
        index.kept_scores[picked] = saved["kept_scores"][mask]
    _loaded[str(folder)] = _Loaded(stamp, index, delta)
    return index


def save_fitted(index: Index) -> None:
    """Write a freshly fitted index; the delta starts empty."""
    folder = _folder(index.language)
    folder.mkdir(parents=True, exist_ok=True)
    _replace(folder / "base.joblib", lambda path: joblib.dump(index, path))
    (folder / "delta.pickle").unlink(missing_ok=True)
    _loaded[str(folder)] = _Loaded(_stamp(folder), index, _Delta())


def save_changes(index: Index, *, added: list[Doc], removed: list[int]) -> None:
    """Record an incremental update of a loaded index in its delta."""
    folder = _folder(index.language)
    kept = _loaded[str(folder)]
    for doc in added:
        kept.delta.added[doc.id] = doc
        kept.delta.removed.discard(doc.id)
    for pk in removed:
        kept.delta.added.pop(pk, None)
        kept.delta.removed.add(pk)
    live = np.nonzero(index.alive)[0]
    saved = {
        "added": kept.delta.added,
        "removed": kept.delta.removed,
        "owners": index.ids[live],
        "kept_ids": index.kept_ids[live],
        "kept_scores": index.kept_scores[live],
    }
    _replace(folder / "delta.pickle", lambda path: path.write_bytes(pickle.dumps(saved, 5)))
    kept.stamp = _stamp(folder)


def languages() -> list[str]:
    folder = root()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "base.joblib").exists())


def forget() -> None:
    """Drop what this process loaded (tests point the data dir elsewhere)."""
    _loaded.clear()


def _replace(path: Path, write: object) -> None:
    # Written beside and renamed over: a reader never sees half a file.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    write(partial)
    partial.replace(path)
