"""Filing a previewed import: `start` freezes what will be filed (with the member's
choices for debtors to confirm), `file_step` files the next few complaints.

Each step claims its share by advancing the batch's cursor with a compare-and-set
UPDATE, so two requests (a double click, two tabs) never file the same complaint; each
complaint is filed whole, in a savepoint, through `registry.complaints.filing.file_complaint`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from registry import audit, faults
from registry.actors import Actor
from registry.bulk.batches import (
    LIFE,
    assign_documents,
    delete_on_commit,
    documents_of,
    folder,
    keep_plan,
    keep_results,
    plan_of,
    results_of,
    transition,
)
from registry.complaints import filing
from registry.directory.debtors import DebtorIn
from registry.errors import Conflict, InvalidTransition, RegistryError, ValidationFailed
from registry.language import N_, Said, as_said
from registry.models import ImportBatch, ImportStatus, utcnow
from registry.settings import Settings

STEP = 20


@dataclass(frozen=True)
class Progress:
    status: str
    total: int
    done: int
    filed: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.status == ImportStatus.DONE.value

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "total": self.total,
            "done": self.done,
            "filed": self.filed,
            "failed": self.failed,
            "percent": self.percent,
            "finished": self.finished,
        }


def progress(batch: ImportBatch) -> Progress:
    return Progress(batch.status.value, batch.total, batch.cursor, batch.filed, batch.failed)


def summary(plan: Mapping[str, Any], documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures above the preview: what would be filed if the member pressed File."""
    own, shared = assign_documents(plan["groups"], documents)
    groups = plan["groups"]
    ready = [
        g
        for i, g in enumerate(groups)
        if not g["errors"] and (own[i] or shared) and g["resolution"]["kind"] != "confirm"
    ]
    rows = plan["rows"]
    return {
        "rows": len(rows),
        "error_rows": sum(1 for r in rows if r["action"] == "error"),
        "skipped_rows": sum(1 for r in rows if r["action"] == "skipped"),
        "complaints": len(ready),
        "known": sum(1 for g in ready if g["resolution"]["kind"] == "known"),
        "new": sum(1 for g in ready if g["resolution"]["kind"] == "new"),
        "confirm": sum(
            1 for g in groups if not g["errors"] and g["resolution"]["kind"] == "confirm"
        ),
        "without_documents": sum(
            1 for i, g in enumerate(groups) if not g["errors"] and not own[i] and not shared
        ),
        "outstanding_paise": sum(g["outstanding_paise"] for g in ready),
        "own": own,
        "shared": shared,
    }


def _debtor(group: Mapping[str, Any], choice: str | None) -> DebtorIn:
    d = group["debtor"]
    base = {
        "name": d["name"],
        "city": d["city"],
        "state": d["state"],
        "email": d["email"],
        "mobile": d.get("mobile"),
    }
    if choice == "new":
        return DebtorIn(**base, new_business=True)
    if choice is not None:
        return DebtorIn(**base, business_id=int(choice))
    return DebtorIn(**base, gstin=d["gstin"], pan=d["pan"])


def _choice(group: Mapping[str, Any], raw: str | None) -> str | None:
    """The member's answer for a debtor to confirm, if it is one of those offered."""
    offered = {str(c["business_id"]) for c in group["resolution"].get("candidates", [])}
    return raw if raw == "new" or raw in offered else None


def start(
    session: Session,
    actor: Actor,
    batch: ImportBatch,
    choices: Mapping[int, str],
) -> Progress:
    """Freeze the list of complaints to file. Groups with errors, without a document, or
    whose business the member did not confirm are reported as not filed."""
    if batch.status is not ImportStatus.UPLOADED:
        raise InvalidTransition("import", batch.status.value, ImportStatus.FILING.value)
    plan = plan_of(batch)
    if plan is None:
        raise ValidationFailed({"mapping": N_("map the columns first")})
    own, shared = assign_documents(plan["groups"], documents_of(batch))
    todo: list[int] = []
    chosen: dict[str, str | None] = {}
    results: list[dict[str, Any]] = []
    for i, group in enumerate(plan["groups"]):
        reasons: list[str] = list(group["errors"])
        if not reasons and not own[i] and not shared:
            reasons = [Said(N_("no document for this debtor"))]
        if not reasons and group["resolution"]["kind"] == "confirm":
            chosen[str(i)] = _choice(group, choices.get(i))
            if chosen[str(i)] is None:
                reasons = [Said(N_("you did not confirm which business it is"))]
        results.append({"status": "not filed" if reasons else "pending", "messages": reasons})
        if not reasons:
            todo.append(i)
    if not todo:
        reason = N_("no complaint is ready to file: see the errors shown")
        raise ValidationFailed({"plan": reason}, reason)
    # Uploaded -> filing only if it still is: a second tab, or the worker expiring the
    # import meanwhile, may have moved it since this request read it.
    note = f"{len(todo)} complaints to file"
    if not LIFE.apply_if_unchanged(
        session, batch, ImportStatus.FILING, actor, note, action="filing"
    ):
        raise InvalidTransition("import", batch.status.value, ImportStatus.FILING.value)
    plan["todo"], plan["choices"] = todo, chosen
    keep_plan(batch, plan)
    keep_results(batch, results)
    batch.total, batch.cursor, batch.filed, batch.failed = len(todo), 0, 0, 0
    session.flush()
    return progress(batch)


def _claim(session: Session, batch: ImportBatch, step: int) -> tuple[int, int] | None:
    old = batch.cursor
    new = min(old + step, batch.total)
    claimed = session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.id == batch.id,
            ImportBatch.cursor == old,
            ImportBatch.status == ImportStatus.FILING,
        )
        .values(cursor=new)
        .execution_options(synchronize_session=False)
    )
    session.refresh(batch)
    return (old, new) if claimed.rowcount == 1 else None  # type: ignore[attr-defined]


def _evidence(
    settings: Settings, batch: ImportBatch, indexes: list[int]
) -> list[filing.EvidenceIn]:
    documents = documents_of(batch)
    out = []
    for d in indexes:
        path = folder(settings, batch) / documents[d]["stored"]
        if not path.is_file():
            raise ValidationFailed({"evidence": N_("the documents of this import are gone")})
        out.append(filing.EvidenceIn(documents[d]["name"], path.read_bytes()))
    return out


def _file_group(
    session: Session,
    settings: Settings,
    actor: Actor,
    batch: ImportBatch,
    group: Mapping[str, Any],
    choice: str | None,
    documents: list[int],
    today: date | None,
) -> dict[str, Any]:
    try:
        request = filing.FilingIn(
            debtor=_debtor(group, choice),
            invoices=[
                filing.InvoiceIn(
                    inv["number"],
                    date.fromisoformat(inv["invoice_date"]),
                    date.fromisoformat(inv["due_date"]),
                    inv["amount_paise"],
                    inv["paid_paise"],
                )
                for inv in group["invoices"]
            ],
            evidence=_evidence(settings, batch, documents),
        )
        with session.begin_nested():
            filed = filing.file_complaint(session, settings, actor, request, today=today)
    except RegistryError as exc:
        return {"status": "failed", "messages": _messages(exc)}
    lines = ", ".join(str(line) for line in group["lines"])
    audit.record(
        session,
        actor,
        "complaint",
        filed.complaint.id,
        "imported",
        note=f"bulk import #{batch.id}, lines {lines}",
    )
    return {"status": "filed", "complaint_id": filed.complaint.id, "messages": []}


def _messages(exc: RegistryError) -> list[Said]:
    """Why a complaint was not filed, as the import's page shows it."""
    if isinstance(exc, ValidationFailed):
        return [
            Said(N_("%(column)s: %(problem)s"), column=field, problem=as_said(text))
            for field, text in exc.fields.items()
        ]
    if isinstance(exc, Conflict) and exc.code == "confirm_business":
        return [
            Said(
                N_(
                    "a business with a similar name is now on the registry: import it again "
                    "to choose"
                )
            )
        ]
    return [Said(exc.template, **exc.values)]


def file_step(
    session: Session,
    settings: Settings,
    actor: Actor,
    batch: ImportBatch,
    step: int = STEP,
    today: date | None = None,
) -> Progress:
    """File the next `step` complaints of a started import; the last step ends it."""
    if batch.status is not ImportStatus.FILING:
        return progress(batch)
    claimed = _claim(session, batch, step)
    if claimed is None:
        return progress(batch)
    old, new = claimed
    plan = plan_of(batch)
    assert plan is not None
    own, shared = assign_documents(plan["groups"], documents_of(batch))
    results = results_of(batch)
    for g in plan["todo"][old:new]:
        outcome = _file_group(
            session,
            settings,
            actor,
            batch,
            plan["groups"][g],
            plan["choices"].get(str(g)),
            own[g] + shared,
            today,
        )
        results[g] = outcome
        if outcome["status"] == "filed":
            batch.filed += 1
        else:
            batch.failed += 1
        faults.pause("bulk-step")
    keep_results(batch, results)
    if new >= batch.total:
        note = f"{batch.filed} filed, {batch.failed} not filed"
        transition(session, batch, ImportStatus.DONE, actor, note, action="filed")
        batch.finished_at = utcnow()
        delete_on_commit(session, folder(settings, batch))
    session.flush()
    return progress(batch)
