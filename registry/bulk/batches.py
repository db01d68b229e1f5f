"""Bulk filing from an accounting export: upload, map columns, preview, file.

The CSV and its documents are kept server-side (the batch row and a private folder under
the instance directory) from the upload to the filing: the browser only ever sends the
mapping and the member's choices. Filing goes through `registry.complaints.filing.file_complaint`
one complaint at a time, each inside its own savepoint, so a complaint is filed whole or
not at all and a bad one never stops the good ones. Large files are filed in steps of
steps (`registry.bulk.steps`), each one request and one transaction: the portal shows
progress.

Evidence: every complaint needs a document. A document whose file name carries one of a
debtor's invoice numbers, its GSTIN or its name goes to that debtor's complaint only;
any other document is shared by every complaint of the file (the preview says which
complaint gets what, and that a debtor sees its documents through its notice link).

An import not filed within `KEPT_FOR` of its upload is abandoned: the worker cancels it
and drops its rows, preview and documents (`expire_abandoned`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, event, select
from sqlalchemy.orm import Session

from registry import audit, language
from registry.actors import SYSTEM, Actor
from registry.bulk import plan as bulk_plan
from registry.bulk import reading
from registry.complaints import filing
from registry.errors import InvalidTransition, ValidationFailed
from registry.language import N_, Said
from registry.models import ColumnMapping, ImportBatch, ImportStatus, utcnow
from registry.settings import Settings
from registry.states import StateMachine
from registry.uploads import evidence

MAX_DOCUMENTS = 10
#: How long an uploaded import waits for the member to file it. A week covers a member who
#: uploads before a holiday weekend and comes back to fix the mapping; an operation
#: setting would add nothing the members need to tune.
KEPT_FOR = timedelta(days=7)


#: An import's life: uploaded (previewed, editable) -> filing -> done, or cancelled by the
#: member or, left unfiled, by the worker.
LIFE = StateMachine[ImportStatus](
    entity="import",
    moves={
        ImportStatus.UPLOADED: frozenset({ImportStatus.FILING, ImportStatus.CANCELLED}),
        ImportStatus.FILING: frozenset({ImportStatus.DONE}),
        ImportStatus.DONE: frozenset(),
        ImportStatus.CANCELLED: frozenset(),
    },
)


def transition(
    session: Session,
    batch: ImportBatch,
    target: ImportStatus,
    actor: Actor,
    note: str | None = None,
    *,
    action: str = "transition",
) -> None:
    """The one way an import changes state (checked, audited)."""
    LIFE.apply(session, batch, target, actor, note, action=action)


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes


# -- documents --------------------------------------------------------------------------------


def imports_root(settings: Settings) -> Path:
    """Where every import keeps its documents, one folder per import's `storage_key`."""
    return settings.instance_path / "imports"


def folder(settings: Settings, batch: ImportBatch) -> Path:
    return imports_root(settings) / batch.storage_key


def _store_documents(
    session: Session, settings: Settings, batch: ImportBatch, documents: Sequence[Document]
) -> None:
    kept: list[dict[str, Any]] = json.loads(batch.documents)
    if len(kept) + len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(
            {"documents": Said(N_("at most %(most)s documents per import"), most=MAX_DOCUMENTS)}
        )
    errors = evidence.problems(
        "documents", ((d.filename, d.content) for d in documents), settings.upload_max_bytes
    )
    if errors:
        raise ValidationFailed(errors)
    for doc in documents:
        stored = evidence.store(
            folder(settings, batch),
            doc.filename,
            doc.content,
            settings.upload_max_bytes,
            "documents",
        )
        evidence.forget_on_rollback(session, stored.path)
        kept.append({"name": stored.original_name, "stored": stored.stored_name})
    batch.documents = json.dumps(kept)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9A-Z]+", text.upper()) if w]


def _within(part: list[str], whole: list[str]) -> bool:
    n = len(part)
    return n > 0 and any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


def _names_group(filename: str, group: Mapping[str, Any]) -> bool:
    """Whether a document's file name names this group's debtor: one of its invoice
    numbers (as whole words: "INV 101" names invoice 101, "ledger-2101" does not), its
    GSTIN, or its name."""
    words = _words(Path(filename).stem)
    squashed = "".join(words)
    for invoice in group["invoices"]:
        key = filing.invoice_key(invoice["number"])
        if _within(_words(invoice["number"]), words) or key in words:
            return True
        if len(key) >= 6 and key in squashed:
            return True
    gstin = group["debtor"].get("gstin")
    if gstin and gstin in squashed:
        return True
    name = re.sub(r"[^0-9A-Z]", "", (group["debtor"].get("name") or "").upper())
    return len(name) >= 5 and name in squashed


def assign_documents(
    groups: Sequence[Mapping[str, Any]], documents: Sequence[Mapping[str, Any]]
) -> tuple[list[list[int]], list[int]]:
    """Per group the indexes of its own documents, and the indexes of shared ones."""
    own: list[list[int]] = [[] for _ in groups]
    shared: list[int] = []
    for d, doc in enumerate(documents):
        hits = [g for g, group in enumerate(groups) if _names_group(doc["name"], group)]
        for g in hits:
            own[g].append(d)
        if not hits:
            shared.append(d)
    return own, shared


def delete_on_commit(session: Session, path: Path) -> None:
    session.info.setdefault(_DELETE, []).append(path)


_DELETE = "bulk_import_folders"


@event.listens_for(Session, "after_commit")
def _delete_files(session: Session) -> None:
    for path in session.info.pop(_DELETE, []):
        for item in path.glob("*"):
            item.unlink(missing_ok=True)
        if path.exists():
            path.rmdir()


@event.listens_for(Session, "after_rollback")
def _keep_files(session: Session) -> None:
    session.info.pop(_DELETE, None)


# -- the batch ---------------------------------------------------------------------------------


def remembered_mapping(session: Session, member_id: int) -> dict[str, str]:
    row = session.scalar(select(ColumnMapping).where(ColumnMapping.member_id == member_id))
    return dict(json.loads(row.mapping)) if row else {}


def _remember(session: Session, member_id: int, mapping: Mapping[str, str]) -> None:
    row = session.scalar(select(ColumnMapping).where(ColumnMapping.member_id == member_id))
    if row is None:
        row = ColumnMapping(member_id=member_id)
        session.add(row)
    row.mapping = json.dumps(dict(mapping), sort_keys=True)
    row.updated_at = utcnow()
    session.flush()


def upload(
    session: Session,
    settings: Settings,
    actor: Actor,
    filename: str,
    content: bytes,
    documents: Sequence[Document],
    today: date | None = None,
) -> ImportBatch:
    """Read the CSV and keep it with its documents. Raises `ValidationFailed` (fields
    `file`, `documents`) having written nothing."""
    if actor.member_id is None or actor.user_id is None:
        raise ValidationFailed({"member": N_("only members import complaints")})
    try:
        table = reading.read_table(content)
    except reading.CsvProblem as exc:
        raise ValidationFailed({"file": str(exc)}, str(exc)) from exc
    batch = ImportBatch(
        member_id=actor.member_id,
        user_id=actor.user_id,
        filename=Path(filename or "import.csv").name[:255],
        status=ImportStatus.UPLOADED,
        dialect=table.dialect,
        headers=json.dumps(table.headers),
        rows=json.dumps(table.rows),
        row_count=len(table.rows),
        storage_key=secrets.token_hex(16),
        documents="[]",
        results="[]",
        cursor=0,
        total=0,
        filed=0,
        failed=0,
    )
    _store_documents(session, settings, batch, documents)
    mapping = reading.guess_mapping(table.headers, remembered_mapping(session, actor.member_id))
    batch.mapping = json.dumps(mapping)
    session.add(batch)
    session.flush()
    if not reading.check_mapping(table.headers, mapping):
        _replan(session, settings, batch, today)
    audit.record(session, actor, "import", batch.id, "uploaded", note=batch.filename)
    return batch


def headers_of(batch: ImportBatch) -> list[str]:
    return list(json.loads(batch.headers))


def mapping_of(batch: ImportBatch) -> dict[str, str]:
    """field -> header (the file's one date answer rides along under `DATE_ORDER`)."""
    return dict(json.loads(batch.mapping))


#: Where the member's answer to the file's date question is kept, beside the mapping.
DATE_ORDER = "date_order"


def plan_of(batch: ImportBatch) -> dict[str, Any] | None:
    """The stored preview, its messages ready to be shown in any language."""
    if not batch.plan:
        return None
    plan: dict[str, Any] = language.restored(json.loads(batch.plan))
    for row in plan["rows"]:  # a preview made before the action kept its line apart
        if row["action"].startswith("added to line "):
            row["action"], row["first_line"] = "added", int(row["action"].rsplit(" ", 1)[1])
    return plan


def keep_plan(batch: ImportBatch, plan: dict[str, Any]) -> None:
    batch.plan = json.dumps(language.stored(plan))


def documents_of(batch: ImportBatch) -> list[dict[str, Any]]:
    return list(json.loads(batch.documents))


def rows_of(batch: ImportBatch) -> list[tuple[int, list[str]]]:
    return [(line, cells) for line, cells in json.loads(batch.rows)]


def results_of(batch: ImportBatch) -> list[dict[str, Any]]:
    """Each complaint's outcome so far, its message ready to be shown in any language."""
    results = list(language.restored(json.loads(batch.results)))
    for result in results:  # an import started before messages were kept as a list
        if "message" in result:
            message = result.pop("message")
            result["messages"] = [message] if message else []
    return results


def keep_results(batch: ImportBatch, results: list[dict[str, Any]]) -> None:
    batch.results = json.dumps(language.stored(results))


def _replan(session: Session, settings: Settings, batch: ImportBatch, today: date | None) -> None:
    plan = bulk_plan.build_plan(
        session,
        batch.member_id,
        headers_of(batch),
        rows_of(batch),
        mapping_of(batch),
        today or date.today(),
        settings.minimum_claim_paise,
        mapping_of(batch).get(DATE_ORDER),
    )
    keep_plan(batch, plan)
    session.flush()


def _editable(batch: ImportBatch) -> None:
    if batch.status is not ImportStatus.UPLOADED:
        raise InvalidTransition("import", batch.status.value, "changed")


def set_mapping(
    session: Session,
    settings: Settings,
    batch: ImportBatch,
    mapping: Mapping[str, str],
    today: date | None = None,
) -> None:
    """Use this mapping (and remember it for the member's next file); preview again."""
    _editable(batch)
    clean = {f: h for f, h in mapping.items() if f in reading.FIELDS and h}
    errors = reading.check_mapping(headers_of(batch), clean)
    if errors:
        raise ValidationFailed(errors, "Some columns are not mapped.")
    answer = mapping_of(batch).get(DATE_ORDER)
    batch.mapping = json.dumps(clean | ({DATE_ORDER: answer} if answer else {}))
    _remember(session, batch.member_id, clean)
    _replan(session, settings, batch, today)


def answer_date_order(
    session: Session, settings: Settings, batch: ImportBatch, order: str, today: date | None = None
) -> None:
    """The member says how this file writes the dates that could be either (04-05-2026):
    "dmy" (4 May) or "mdy" (5 April); preview again."""
    _editable(batch)
    if order not in reading.ORDERS:
        raise ValidationFailed({DATE_ORDER: "choose day first or month first"})
    batch.mapping = json.dumps(mapping_of(batch) | {DATE_ORDER: order})
    _replan(session, settings, batch, today)


def correct_row(
    session: Session,
    settings: Settings,
    batch: ImportBatch,
    line: int,
    values: Mapping[str, str],
    today: date | None = None,
) -> None:
    """The member corrects a row in the preview: `values` (field -> new text) replace the
    cells of the mapped columns of row `line`; the whole file is checked again. The
    uploaded file is untouched: the batch keeps the corrected rows."""
    _editable(batch)
    headers, mapping = headers_of(batch), mapping_of(batch)
    rows = rows_of(batch)
    found = [i for i, (number, _) in enumerate(rows) if number == line]
    if not found:
        raise ValidationFailed({"line": f"the file has no line {line}"})
    errors = {
        f: "not a column of this file's mapping"
        for f in values
        if f not in reading.FIELDS or mapping.get(f) not in headers
    }
    errors |= {
        f: f"at most {reading.MAX_CELL} characters"
        for f, v in values.items()
        if len(v) > reading.MAX_CELL
    }
    if errors:
        raise ValidationFailed(errors, "The row cannot be corrected that way.")
    cells = list(rows[found[0]][1])
    for field, value in values.items():
        index = headers.index(mapping[field])
        cells.extend([""] * (index + 1 - len(cells)))
        cells[index] = value.strip()
    rows[found[0]] = (line, cells)
    batch.rows = json.dumps(rows)
    _replan(session, settings, batch, today)


def add_documents(
    session: Session, settings: Settings, batch: ImportBatch, documents: Sequence[Document]
) -> None:
    _editable(batch)
    if not documents:
        raise ValidationFailed({"documents": N_("choose at least one document")})
    _store_documents(session, settings, batch, documents)
    session.flush()


def get_for_member(session: Session, batch_id: int, member_id: int) -> ImportBatch | None:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.member_id != member_id:
        return None
    return batch


def for_member(member_id: int) -> Select[ImportBatch]:
    """The member's imports, newest first (for a paged list)."""
    return (
        select(ImportBatch)
        .where(ImportBatch.member_id == member_id)
        .order_by(ImportBatch.id.desc())
    )


def cancel(
    session: Session,
    settings: Settings,
    actor: Actor,
    batch: ImportBatch,
    *,
    action: str = "cancelled",
    note: str | None = None,
) -> None:
    """End an import that was never filed; its documents go once this commits."""
    _editable(batch)
    transition(session, batch, ImportStatus.CANCELLED, actor, note, action=action)
    batch.finished_at = utcnow()
    delete_on_commit(session, folder(settings, batch))
    session.flush()


#: The audit action of an import the worker cancelled for being left unfiled.
EXPIRED = "expired"


def expires_at(batch: ImportBatch) -> datetime:
    """When the worker removes this import if it is still not filed."""
    return batch.created_at + KEPT_FOR


def expired(session: Session, batch: ImportBatch) -> bool:
    """Whether the worker cancelled it for being left unfiled, as its audit log says (a
    member may cancel after the time is up too, in the seconds before the worker's round)."""
    if batch.status is not ImportStatus.CANCELLED:
        return False
    return any(entry.action == EXPIRED for entry in audit.history(session, "import", batch.id))


def expire_abandoned(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Cancel the imports uploaded more than `KEPT_FOR` ago and never filed, dropping the
    rows, preview and documents they kept; returns how many. The batch stays, emptied, so
    the member's list and the audit log still say what became of it. Imports being filed
    or filed (and their complaints) are not touched: the rows are locked and re-checked,
    so one whose member pressed File meanwhile is left to file."""
    now = now or utcnow()
    abandoned = session.scalars(
        select(ImportBatch)
        .where(
            ImportBatch.status == ImportStatus.UPLOADED,
            ImportBatch.created_at < now - KEPT_FOR,
        )
        .order_by(ImportBatch.id)
        .with_for_update()
    ).all()
    note = f"not filed within {KEPT_FOR.days} days of its upload"
    for batch in abandoned:
        cancel(session, settings, SYSTEM, batch, action=EXPIRED, note=note)
        batch.finished_at = now
        batch.rows, batch.plan, batch.documents = "[]", None, "[]"
    session.flush()
    return len(abandoned)
