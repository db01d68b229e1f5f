"""Evidence files: judged by their content, kept outside any public path under a random
name, recorded with their SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import filetype
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from registry.errors import ValidationFailed
from registry.language import N_, Said
from registry.models import Complaint, EvidenceFile
from registry.settings import Settings

ALLOWED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size_bytes: int
    sha256: str
    path: Path


def sniff(content: bytes) -> str | None:
    """The content's real type when it is one we accept, else None."""
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ALLOWED:
        return None
    return str(kind.mime)


def check(field: str, filename: str, content: bytes, max_bytes: int) -> str:
    if not content:
        raise ValidationFailed({field: Said(N_("%(file)s is empty"), file=filename or "the file")})
    if len(content) > max_bytes:
        raise ValidationFailed(
            {
                field: Said(
                    N_("%(file)s is larger than %(mb)s MB"),
                    file=filename,
                    mb=max_bytes // (1024 * 1024),
                )
            }
        )
    mime = sniff(content)
    if mime is None:
        raise ValidationFailed(
            {field: Said(N_("%(file)s is not a PDF, PNG or JPEG document"), file=filename)}
        )
    return mime


def problems(field: str, documents: Iterable[tuple[str, bytes]], max_bytes: int) -> dict[str, str]:
    """Every refused document as `{"<field>.<i>": why}`; empty when all are acceptable."""
    errors: dict[str, str] = {}
    for i, (filename, content) in enumerate(documents):
        try:
            check(f"{field}.{i}", filename, content, max_bytes)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    return errors


def store(directory: Path, filename: str, content: bytes, max_bytes: int, field: str) -> StoredFile:
    """Check and write one file. The caller deletes it again if its transaction fails."""
    mime = check(field, filename, content, max_bytes)
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(20)}.{ALLOWED[mime]}"
    path = directory / stored_name
    with path.open("xb") as handle:
        handle.write(content)
    return StoredFile(
        original_name=Path(filename).name[:255] or "document",
        stored_name=stored_name,
        content_type=mime,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        path=path,
    )


def store_in_transaction(
    session: Session, directory: Path, filename: str, content: bytes, max_bytes: int, field: str
) -> StoredFile:
    """`store`, and delete the file again if the transaction (or savepoint) it was
    written in rolls back: nothing half-written."""
    stored = store(directory, filename, content, max_bytes, field)
    forget_on_rollback(session, stored.path)
    return stored


def attach(
    session: Session,
    settings: Settings,
    filename: str,
    content: bytes,
    field: str,
    uploaded_by: str,
    written: list[Path],
) -> EvidenceFile:
    """Check and store one document, and return its row for the caller to attach. Its
    path is added to `written` (for the caller's own clean-up) and removed again if the
    transaction or savepoint it was written in rolls back."""
    stored = store(settings.uploads_path, filename, content, settings.upload_max_bytes, field)
    written.append(stored.path)
    forget_on_rollback(session, stored.path)
    return EvidenceFile(
        original_name=stored.original_name,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        uploaded_by=uploaded_by,
    )


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def forget_on_rollback(session: Session, path: Path) -> None:
    """Delete `path` if the transaction (or savepoint) it was written in is rolled back:
    nothing half-written, and files of earlier savepoints that committed stay."""
    scope = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_WRITTEN, []).append((path, scope))


_WRITTEN = "evidence_written"


def _inside(scope: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while scope is not None:
        if scope is ended:
            return True
        scope = scope.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _remove_written(session: Session, previous_transaction: SessionTransaction) -> None:
    kept = []
    for path, scope in session.info.get(_WRITTEN, []):
        if _inside(scope, previous_transaction):
            path.unlink(missing_ok=True)
        else:
            kept.append((path, scope))
    session.info[_WRITTEN] = kept


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def belonging_to(complaint: Complaint, file_id: int) -> EvidenceFile | None:
    """A document of this complaint (the member's evidence or a dispute's documents)."""
    for item in complaint.evidence:
        if item.id == file_id:
            return item
    for dispute in complaint.disputes:
        for item in dispute.evidence:
            if item.id == file_id:
                return item
    return None
