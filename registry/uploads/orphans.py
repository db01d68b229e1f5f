"""Files that no row names, removed by the worker.

A request killed between writing its uploads and its commit (`kill -9`, a lost machine:
"Crash safety" in docs/operations.md) leaves evidence files in `uploads/` that no
`evidence_files` row names (or claim documents in `uploads/claims/`, applicants'
documents in `uploads/members/`, that no claim or member document names), or an
import's folder in `imports/` that no import waiting to be filed names. They are never
served (downloads go through the rows), only kept. The sweep deletes them once they are
older than `MIN_AGE`, far longer than any request runs, so the file of a filing still in
flight is never taken from under it.

It deletes only what the registry writes itself: evidence named as `evidence.store`
names it (40 hex digits and an allowed extension) and import folders named like a
`storage_key`; anything else an operator put there is left alone. And it deletes no
evidence while the database holds none at all: a worker pointed at the wrong (or a
freshly created) database must not empty the uploads of the real one.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from registry.bulk import batches
from registry.models import (
    BusinessClaim,
    EvidenceFile,
    ImportBatch,
    ImportStatus,
    MemberDocument,
    utcnow,
)
from registry.settings import Settings
from registry.uploads import evidence

log = logging.getLogger(__name__)
#: A column holding stored file names (nullable where a row may have no file).
_NameColumn = InstrumentedAttribute[str] | InstrumentedAttribute[str | None]

#: A file younger than this may belong to a request still running: never removed.
MIN_AGE = timedelta(hours=1)
#: Names looked up in one query.
_CHUNK = 500
_EXTENSIONS = "|".join(sorted(set(evidence.ALLOWED.values())))
_EVIDENCE_NAME = re.compile(rf"[0-9a-f]{{40}}\.(?:{_EXTENSIONS})")
_IMPORT_FOLDER = re.compile(r"[0-9a-f]{32}")
#: Imports whose folder is still needed; a finished or cancelled one's folder goes at its
#: commit, and is an orphan if a crash kept it.
_LIVE = (ImportStatus.UPLOADED, ImportStatus.FILING)


def sweep(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete the orphan evidence files and import folders older than `MIN_AGE`; returns
    how many were deleted. Reads the database, writes nothing to it."""
    cutoff = ((now or utcnow()) - MIN_AGE).timestamp()
    uploads = settings.uploads_path
    return (
        _evidence(session, uploads, cutoff, EvidenceFile.stored_name)
        + _evidence(session, uploads / "claims", cutoff, BusinessClaim.document_stored)
        + _evidence(session, uploads / "members", cutoff, MemberDocument.stored_name)
        + _imports(session, batches.imports_root(settings), cutoff)
    )


def _evidence(session: Session, uploads: Path, cutoff: float, column: _NameColumn) -> int:
    """The stored files in `uploads` that no row's `column` names."""
    old = {
        entry.name: Path(entry.path)
        for entry in _entries(uploads)
        if _EVIDENCE_NAME.fullmatch(entry.name)
        and entry.is_file(follow_symlinks=False)
        and _mtime(Path(entry.path)) < cutoff
    }
    if old and session.scalar(select(column).where(column.is_not(None)).limit(1)) is None:
        log.warning(
            "left %d files in %s alone: the database names no such file at all "
            "(is DATABASE_URL this registry's database?)",
            len(old),
            uploads,
        )
        return 0
    named = _found(session, column, sorted(old))
    removed = 0
    for name in sorted(set(old) - named):
        if _unlink(old[name]):
            removed += 1
            log.info("removed evidence file %s: no row names it", name)
    return removed


def _imports(session: Session, root: Path, cutoff: float) -> int:
    old = {
        entry.name: Path(entry.path)
        for entry in _entries(root)
        if _IMPORT_FOLDER.fullmatch(entry.name)
        and entry.is_dir(follow_symlinks=False)
        and _newest(Path(entry.path)) < cutoff
    }
    live = _found(session, ImportBatch.storage_key, sorted(old), ImportBatch.status.in_(_LIVE))
    removed = 0
    for key in sorted(set(old) - live):
        if _remove_folder(old[key]):
            removed += 1
            log.info("removed import folder %s: no import waiting to be filed names it", key)
    return removed


def _found(
    session: Session,
    column: _NameColumn,
    names: Sequence[str],
    *where: ColumnElement[bool],
) -> set[str]:
    """Which of `names` the column holds (in rows that also meet `where`)."""
    found: set[str] = set()
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk), *where)))
    return found


def _entries(directory: Path) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            yield from entries
    except FileNotFoundError:
        return


def _mtime(path: Path) -> float:
    """When it was last written; +inf when it vanished meanwhile (so it is left alone)."""
    try:
        return path.stat(follow_symlinks=False).st_mtime
    except OSError:
        return float("inf")


def _newest(folder: Path) -> float:
    return max([_mtime(folder), *(_mtime(p) for p in _children(folder))])


def _children(folder: Path) -> Iterable[Path]:
    return [Path(entry.path) for entry in _entries(folder)]


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        log.exception("could not remove %s", path)
        return False
    return True


def _remove_folder(folder: Path) -> bool:
    for child in _children(folder):
        if child.is_symlink() or not child.is_file():
            log.warning("left %s alone: the registry did not write %s", folder, child.name)
            return False
        _unlink(child)
    try:
        folder.rmdir()
    except OSError:
        log.exception("could not remove %s", folder)
        return False
    return True
