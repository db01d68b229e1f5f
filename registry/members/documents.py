"""What an applicant proves: its GST registration certificate (Form GST REG-06), and for
a micro or small supplier its Udyam certificate, since that category puts MSMED Act
interest on every notice it sends. Stored under the uploads folder's `members/`, read by
admins only (the verify page links them); never served from a public path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from registry.errors import ValidationFailed
from registry.language import N_
from registry.models import Member, MemberDocument, MsmeCategory
from registry.settings import Settings
from registry.uploads import evidence

GST_CERTIFICATE = "gst_certificate"
UDYAM_CERTIFICATE = "udyam_certificate"
KINDS = (GST_CERTIFICATE, UDYAM_CERTIFICATE)
#: The categories whose members earn MSMED Act interest, and so must prove it.
INTEREST_EARNING = frozenset({MsmeCategory.MICRO.value, MsmeCategory.SMALL.value})


@dataclass(frozen=True)
class Proof:
    kind: str
    filename: str
    content: bytes


def problems(settings: Settings, msme_category: str, proofs: Sequence[Proof]) -> dict[str, str]:
    """Why these documents do not prove the application, field by field (empty: they do)."""
    errors: dict[str, str] = {}
    given = {p.kind for p in proofs}
    for proof in proofs:
        if proof.kind not in KINDS:
            errors[proof.kind] = N_("is not a document the registry asks for")
            continue
        try:
            evidence.check(proof.kind, proof.filename, proof.content, settings.upload_max_bytes)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if GST_CERTIFICATE not in given:
        errors.setdefault(GST_CERTIFICATE, N_("attach your GST registration certificate"))
    if msme_category in INTEREST_EARNING and UDYAM_CERTIFICATE not in given:
        errors.setdefault(
            UDYAM_CERTIFICATE,
            N_("attach your Udyam certificate: micro and small suppliers earn MSMED Act interest"),
        )
    return errors


def attach(
    session: Session, settings: Settings, member: Member, proofs: Sequence[Proof]
) -> list[MemberDocument]:
    """Store the (checked) documents for `member`; files are deleted again if the
    transaction rolls back."""
    rows = []
    for proof in proofs:
        stored = evidence.store_in_transaction(
            session,
            folder(settings),
            proof.filename,
            proof.content,
            settings.upload_max_bytes,
            proof.kind,
        )
        row = MemberDocument(
            kind=proof.kind,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
        )
        member.documents.append(row)
        rows.append(row)
    session.flush()
    return rows


def folder(settings: Settings) -> Path:
    return settings.uploads_path / "members"


def path_of(settings: Settings, document: MemberDocument) -> Path:
    return folder(settings) / document.stored_name
