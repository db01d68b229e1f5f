"""`registry import-businesses FILE.csv`: load a directory of known businesses.

Columns `name,gstin,pan,city,state`, optionally `email,mobile` (the business's own
contacts, authoritative: notices and claim codes go to them). A row whose GSTIN is
already known (on the registry, or earlier in the file) is matched, not duplicated; a row
whose PAN is known gets its GSTIN added to that legal entity; a row without identifiers is
matched only to a business of exactly the same name and city (anything fuzzier is for
`find-duplicates` and an admin to judge). Bad rows are reported by line
and the rest is loaded, in one transaction, in bulk: a million rows in minutes.
"""

from __future__ import annotations

import csv
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from matching.keys import indexed_tokens, whole_key
from matching.normalise import normalise
from registry import audit
from registry.actors import Actor
from registry.directory import name_index
from registry.errors import ValidationFailed
from registry.identifiers import (
    IdentifierError,
    normalise_email,
    normalise_mobile,
    validate_gstin,
    validate_pan,
)
from registry.models import Business, BusinessGstin, BusinessKey, utcnow

COLUMNS = ("name", "gstin", "pan", "city", "state")
BATCH = 10000
#: Businesses indexed at a time after the load (their rows held meanwhile).
INDEX_CHUNK = 200_000
Progress = Callable[[int, int], None]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, missing columns)."""


@dataclass
class Row:
    line: int
    name: str
    gstin: str | None
    pan: str | None
    city: str | None
    state: str | None
    email: str | None = None
    mobile: str | None = None


@dataclass
class Outcome:
    line: int
    status: str
    business_id: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"line": self.line, "status": self.status}
        if self.business_id is not None:
            out["business_id"] = self.business_id
        if self.error is not None:
            out["error"] = self.error
        return out


class Report:
    """Each line's outcome, kept compactly (13 bytes a line): the line, its status, its
    business, and the number of its error among the distinct error texts."""

    STATUSES = ("created", "matched", "error")

    def __init__(self) -> None:
        self.lines = array("i")
        self.status = array("b")
        self.business_ids = array("i")
        self.error_numbers = array("i")
        self.error_texts: dict[str, int] = {}
        self.seconds = 0.0

    def add(self, outcome: Outcome) -> None:
        self.lines.append(outcome.line)
        self.status.append(self.STATUSES.index(outcome.status))
        self.business_ids.append(outcome.business_id or 0)
        error = outcome.error
        number = -1 if error is None else self.error_texts.setdefault(error, len(self.error_texts))
        self.error_numbers.append(number)

    def __iter__(self) -> Iterator[Outcome]:
        texts = list(self.error_texts)
        for line, status, business_id, error in zip(
            self.lines, self.status, self.business_ids, self.error_numbers, strict=True
        ):
            text = texts[error] if error >= 0 else None
            yield Outcome(line, self.STATUSES[status], business_id or None, text)

    @property
    def outcomes(self) -> list[Outcome]:
        """Every line's outcome, in the file's order."""
        return list(self)

    def counts(self) -> dict[str, int]:
        counts = {"rows": len(self.lines), "created": 0, "matched": 0, "error": 0}
        for number, status in enumerate(self.STATUSES):
            counts[status] = self.status.count(number)
        return counts

    def as_json(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "seconds": round(self.seconds, 2),
            "rows": [o.as_json() for o in self],
        }


def _text(value: str | None, limit: int) -> str | None:
    text = " ".join((value or "").split())
    return text[:limit] or None


def read_rows(handle: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(handle)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFileError(
            "the file needs the columns name,gstin,pan,city,state; missing: " + ", ".join(missing)
        )
    reader.fieldnames = header
    for record in reader:
        yield reader.line_num, {k: (v or "") for k, v in record.items() if isinstance(k, str)}


def parse(line: int, record: dict[str, str]) -> Row | Outcome:
    """A checked row, or the error that refuses it."""
    name = _text(record.get("name"), 300)
    if not name or len(name) < 2:
        return Outcome(line, "error", error="name: missing")
    gstin = pan = None
    try:
        if record.get("gstin", "").strip():
            gstin = validate_gstin(record["gstin"])
        if record.get("pan", "").strip():
            pan = validate_pan(record["pan"])
    except IdentifierError as exc:
        which = "pan" if gstin or not record.get("gstin", "").strip() else "gstin"
        return Outcome(line, "error", error=f"{which}: {exc}")
    if gstin and pan and gstin[2:12] != pan:
        return Outcome(line, "error", error="pan: does not match the PAN inside the GSTIN")
    # Optional contacts: a directory load is an authoritative source of a business's own
    # email and mobile (a filing never is).
    email = mobile = None
    try:
        if record.get("email", "").strip():
            email = normalise_email(record["email"])
    except ValidationFailed:
        return Outcome(line, "error", error="email: is not a valid email address")
    try:
        if record.get("mobile", "").strip():
            mobile = normalise_mobile(record["mobile"])
    except ValidationFailed as exc:
        return Outcome(line, "error", error=f"mobile: {exc.fields.get('mobile', 'invalid')}")
    return Row(
        line,
        name,
        gstin,
        pan or (gstin[2:12] if gstin else None),
        _text(record.get("city"), 100),
        _text(record.get("state"), 100),
        email,
        mobile,
    )


def _known(session: Session, column: Any, key: Any, values: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found.update(
            {k: v for k, v in session.execute(select(column, key).where(column.in_(chunk)))}
        )
    return found


def import_file(
    session: Session, path: Path, actor: Actor, progress: Progress | None = None
) -> Report:
    """Load a directory of known businesses: a row whose GSTIN (else PAN, else exact name
    and city) is already known is matched, not duplicated; bad rows are reported by line
    and the rest loaded. The file is read as a stream, BATCH rows at a time (memory stays
    flat however long it is: each batch is matched against the registry, which by then
    holds the batches before it, and inserted with COPY on PostgreSQL); the search index
    is built once, after every row is in. All in the caller's one transaction."""
    started = time.perf_counter()
    report = Report()
    total = _count_lines(path)
    created_ids = array("i")
    same_name: dict[tuple[str, str], int] = {}
    created = matched = 0
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for batch in _batches(read_rows(handle)):
            plan = _plan(session, batch, same_name)
            ids = _insert_businesses(session, plan.new_rows)
            holder_id = plan.ids_of(ids)
            outcomes = [Outcome(r.line, "matched", holder_id(h)) for r, h in plan.matched]
            outcomes += [Outcome(r.line, "created", holder_id(r)) for r in plan.new_rows]
            outcomes += [o for o in plan.refused]
            for outcome in sorted(outcomes, key=lambda o: o.line):
                report.add(outcome)
            _update_contacts(session, [(row, holder_id(hit)) for row, hit in plan.matched])
            name_index.fast_insert(
                session,
                BusinessGstin.__table__,  # type: ignore[arg-type]
                ("gstin", "business_id"),
                [(gstin, holder_id(holder)) for gstin, holder in plan.gstins()],
            )
            for row in plan.new_rows:
                if not row.gstin and not row.pan:
                    same_name.setdefault(_name_key(row), holder_id(row))
            created_ids.extend(ids)
            created += len(plan.new_rows)
            matched += len(plan.matched)
            if progress:
                progress(len(report.lines), max(total, len(report.lines)))
    _index(session, created_ids)
    audit.record(
        session,
        actor,
        "business",
        "import",
        "imported",
        note=f"{path.name}: {created} created, {matched} matched, "
        f"{report.counts()['error']} refused",
    )
    name_index.refresh_statistics(session)
    report.seconds = time.perf_counter() - started
    return report


def _count_lines(path: Path) -> int:
    """The file's data lines (roughly: a quoted field may span lines), for the progress
    shown; reading it through first also refuses a file that is not UTF-8 before any row
    is written."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is not UTF-8 text") from exc


def _batches(records: Iterator[tuple[int, dict[str, str]]]) -> Iterator[list[Row | Outcome]]:
    """The file's lines, parsed, BATCH at a time."""
    while batch := [parse(line, record) for line, record in islice(records, BATCH)]:
        yield batch


def _index(session: Session, business_ids: array[int]) -> None:
    """The search index of the businesses the import created, built once they are all in:
    their names read back a chunk at a time (so the whole file is never held)."""
    for start in range(0, len(business_ids), INDEX_CHUNK):
        chunk = set(business_ids[start : start + INDEX_CHUNK])
        rows = session.execute(
            select(Business.id, Business.name, Business.city).where(
                Business.id.between(min(chunk), max(chunk))
            )
        )
        items: list[tuple[int, Sequence[str], str | None]] = sorted(
            (b, [name], city) for b, name, city in rows if b in chunk
        )
        name_index.bulk_add(session, items)


def _update_contacts(session: Session, matched: list[tuple[Row, int]]) -> None:
    """A known business gets the contacts its row gives, unless it set its own after
    claiming its profile (those stay: the business speaks for itself)."""
    for row, business_id in matched:
        if not (row.email or row.mobile):
            continue
        session.execute(
            update(Business)
            .where(
                Business.id == business_id,
                or_(Business.contacts_source.is_(None), Business.contacts_source == "import"),
            )
            .values(email=row.email, mobile=row.mobile, contacts_source="import")
        )


#: Who a row is: a business already on the registry (its id), or a row of this file that
#: creates one (the row: its id is known once it is inserted).
Holder = int | Row


@dataclass
class _Plan:
    """Which rows are known businesses, which create new ones, and the GSTINs that known
    or new businesses gain from the file."""

    new_rows: list[Row] = field(default_factory=list)
    matched: list[tuple[Row, Holder]] = field(default_factory=list)
    added_gstins: list[tuple[str, Holder]] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)

    def gstins(self) -> list[tuple[str, Holder]]:
        return self.added_gstins + [(row.gstin, row) for row in self.new_rows if row.gstin]

    def ids_of(self, ids: list[int]) -> Callable[[Holder], int]:
        """Once the new rows are inserted (`ids` in their order): a holder's business id."""
        by_line = {
            row.line: business_id for row, business_id in zip(self.new_rows, ids, strict=True)
        }
        return lambda holder: holder if isinstance(holder, int) else by_line[holder.line]


def _plan(
    session: Session, batch: list[Row | Outcome], same_name: dict[tuple[str, str], int]
) -> _Plan:
    """Match each row by GSTIN, else PAN, else (with neither) exact name and city, against
    the registry (which holds the earlier batches' rows, though not yet in its name index:
    `same_name` has those without identifiers) and the rows before it in the batch."""
    rows = [row for row in batch if isinstance(row, Row)]
    by_gstin: dict[str, Holder] = dict(
        _known(
            session,
            BusinessGstin.gstin,
            BusinessGstin.business_id,
            {r.gstin for r in rows if r.gstin},
        )
    )
    by_pan: dict[str, Holder] = dict(
        _known(session, Business.pan, Business.id, {r.pan for r in rows if r.pan})
    )
    by_name: dict[tuple[str, str], Holder] = dict(
        _known_names(session, [r for r in rows if not r.gstin and not r.pan])
    )
    for row in rows:
        if not row.gstin and not row.pan and _name_key(row) in same_name:
            by_name.setdefault(_name_key(row), same_name[_name_key(row)])
    plan = _Plan(refused=[o for o in batch if isinstance(o, Outcome)])
    for row in rows:
        if row.gstin or row.pan:
            holder = (by_gstin.get(row.gstin) if row.gstin else None) or (
                by_pan.get(row.pan) if row.pan else None
            )
        else:
            holder = by_name.get(_name_key(row))
        if holder is not None:
            if row.gstin and row.gstin not in by_gstin:
                plan.added_gstins.append((row.gstin, holder))
                by_gstin[row.gstin] = holder
            plan.matched.append((row, holder))
            continue
        plan.new_rows.append(row)
        if row.gstin:
            by_gstin[row.gstin] = row
        if row.pan:
            by_pan.setdefault(row.pan, row)
        if not row.gstin and not row.pan:
            by_name.setdefault(_name_key(row), row)
    return plan


def _name_key(row: Row) -> tuple[str, str]:
    return (row.name.casefold(), (row.city or "").casefold())


def _known_names(session: Session, rows: list[Row]) -> dict[tuple[str, str], int]:
    """Businesses with exactly a row's name and city (case aside), for rows without any
    identifier, so that loading the same directory twice does not duplicate them. Found
    through the whole-name key of the index, then compared exactly."""
    wanted: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        tokens = indexed_tokens(normalise(row.name))
        if len(tokens) > 1:
            wanted.setdefault(whole_key(tokens), set()).add(_name_key(row))
    found: dict[tuple[str, str], int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), BATCH):
        hits = session.execute(
            select(BusinessKey.key, Business.id, Business.name, Business.city)
            .join(Business, Business.id == BusinessKey.business_id)
            .where(
                BusinessKey.key.in_(keys[start : start + BATCH]), Business.merged_into_id.is_(None)
            )
        )
        for key, business_id, name, city in hits:
            pair = (name.casefold(), (city or "").casefold())
            if pair in wanted[key]:
                found.setdefault(pair, business_id)
    return found


def _reserve_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` new businesses, safe beside concurrent writers: PostgreSQL hands
    them out from the table's sequence; SQLite has one writer at a time, so once this
    transaction holds the write lock the ids after the largest are ours."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('businesses', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    session.execute(text("UPDATE businesses SET id = id WHERE 0"))  # take the write lock
    start = (session.scalar(select(func.max(Business.id))) or 0) + 1
    return list(range(start, start + count))


def _insert_businesses(session: Session, rows: list[Row]) -> list[int]:
    ids = _reserve_ids(session, len(rows))
    now = utcnow()
    name_index.fast_insert(
        session,
        Business.__table__,  # type: ignore[arg-type]
        ("id", "name", "pan", "city", "state", "email", "mobile", "contacts_source", "created_at"),
        (
            (
                ids[i],
                r.name,
                r.pan,
                r.city,
                r.state,
                r.email,
                r.mobile,
                "import" if r.email or r.mobile else None,
                now,
            )
            for i, r in enumerate(rows)
        ),
    )
    return ids
