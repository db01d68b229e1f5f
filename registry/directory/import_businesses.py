"""`registry import-businesses FILE.csv`: load a directory of known businesses.

Columns `name,gstin,pan,city,state`, optionally `email,mobile` (the business's own
contacts, authoritative: notices and claim codes go to them). A row whose GSTIN is
already known (on the registry, or earlier in the file) is matched, not duplicated; a row
whose PAN is known gets its GSTIN added to that legal entity; a row without identifiers is
matched only to a business of exactly the same name and city (anything fuzzier is for
`find-duplicates` and an admin to judge). Bad rows are reported by line
and the rest is loaded, in one transaction, in bulk and as a stream: a million rows in
minutes, in the same memory as a thousand.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import time
import weakref
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rbloom import Bloom
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from matching.keys import indexed_tokens, whole_key
from matching.normalise import canonical_city, normalise
from registry import audit
from registry.actors import Actor
from registry.errors import ValidationFailed
from registry.identifiers import (
    IdentifierError,
    compact,
    normalise_email,
    normalise_mobile,
    validate_gstin,
    validate_pan,
)
from registry.models import Business, BusinessGstin, BusinessKey, utcnow
from registry.search_index import bulk_load, name_index

COLUMNS = ("name", "gstin", "pan", "city", "state")
BATCH = 10000
#: Lines read, matched and loaded at a time (memory does not grow with the file).
CHUNK = 50_000
#: Bytes of line outcomes kept in memory before they go to a temporary file.
SPOOL_IN_MEMORY = 8 << 20
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


@dataclass(slots=True)
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

    def json_line(self) -> str:
        """`as_json` as `json.dumps(..., sort_keys=True)` writes it. A created or matched
        row's line, a million of them in a directory, is written here directly (its
        values are a number, a number and one of two words), in a tenth of the time."""
        if self.error is None and self.business_id is not None:
            return (
                f'{{"business_id": {self.business_id:d}, "line": {self.line:d}, '
                f'"status": "{self.status}"}}'
            )
        return json.dumps(self.as_json(), sort_keys=True)


class Report:
    """Counts, and each line's outcome spooled to a temporary file in line order (a
    million outcomes are not held in memory); `write_json` streams them out."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._counts = {"created": 0, "matched": 0, "error": 0}
        # In memory up to a few MB, on disk beyond; closed with the report at the latest.
        self._spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8"
        )
        weakref.finalize(self, self._spool.close)

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self._counts[outcome.status] += 1
            self._spool.write(outcome.json_line() + "\n")

    def counts(self) -> dict[str, int]:
        return {"rows": sum(self._counts.values()), **self._counts}

    def _lines(self) -> Iterator[str]:
        self._spool.flush()
        self._spool.seek(0)
        for line in self._spool:
            yield line.rstrip("\n")
        self._spool.seek(0, io.SEEK_END)

    @property
    def outcomes(self) -> list[Outcome]:
        """Every outcome (reads the spool back: for tests and small files)."""
        return [
            Outcome(o["line"], o["status"], o.get("business_id"), o.get("error"))
            for o in map(json.loads, self._lines())
        ]

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads("".join(self.json_parts()))
        return answer

    def json_parts(self) -> Iterator[str]:
        """The report as one JSON object (keys sorted, as `json.dumps(..., sort_keys=True)`
        writes it), piece by piece."""
        counts = self._counts
        yield (
            f'{{"created": {counts["created"]}, "error": {counts["error"]}, '
            f'"matched": {counts["matched"]}, "rows": ['
        )
        for i, line in enumerate(self._lines()):
            yield (", " if i else "") + line
        yield f'], "seconds": {json.dumps(round(self.seconds, 2))}}}'

    def close(self) -> None:
        self._spool.close()


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
            given = compact(record["pan"])
            # the PAN inside a valid GSTIN was checked with it
            pan = given if gstin and given == gstin[2:12] else validate_pan(given)
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
            {
                k: v
                for k, v in session.execute(
                    select(column, key).where(name_index.one_of(session, column, chunk))
                )
            }
        )
    return found


def import_file(
    session: Session, path: Path, actor: Actor, progress: Progress | None = None
) -> Report:
    """Load a directory of known businesses: a row whose GSTIN (else PAN, else exact name
    and city) is already known is matched, not duplicated; bad rows are reported by line
    and the rest loaded. The file is read as a stream, `CHUNK` lines at a time, so memory
    stays the same whatever its length (but for a first load's filter of the names it
    made, about 3% of the file's size, see `_load`): each chunk is matched against the
    registry (which by then holds the chunks before it, in this same transaction), its
    new businesses and GSTINs go in by COPY on PostgreSQL, and its names into the search
    index in bulk (into an empty index, the key table's primary key and indexes, and the
    GSTINs' indexes when it is empty too, are built once at the end:
    `bulk_load.first_load`);
    the planner's statistics are refreshed once at the end."""
    started = time.perf_counter()
    report = Report()
    total = _count_lines(path) if progress else 0  # a second pass only for a progress bar
    with bulk_load.first_load(session, BusinessGstin.__table__) as first:  # type: ignore[arg-type]
        created, matched = _load(session, path, report, progress, total, first)
    audit.record(
        session,
        actor,
        "business",
        "import",
        "imported",
        note=f"{path.name}: {created} created, {matched} matched, "
        f"{report.counts()['error']} refused",
    )
    bulk_load.refresh_statistics(session)
    report.seconds = time.perf_counter() - started
    return report


def _load(
    session: Session,
    path: Path,
    report: Report,
    progress: Progress | None,
    total: int,
    first: bool = False,
) -> tuple[int, int]:
    """Each chunk of the file matched, loaded and indexed; returns how many businesses
    were created and how many rows matched known ones. A chunk's index rows are computed
    by other processes while this one reads and matches the next chunk, then written.

    A `first` load (into an empty index) can only match a row without identifiers to a
    business it created itself: a Bloom filter of the names and cities it created
    (`made`) tells which rows to look up at all. A first directory of a million rows is
    spared some 100,000 look-ups, each a name to normalise, for a filter of about 3% of
    the file's size (2 MB)."""
    created = matched = 0
    recent: dict[tuple[str, str], int] = {}
    made = Bloom(_most_rows(path), 0.01, hash_func=hash) if first else None
    with name_index.bulk_indexer(session) as indexer:
        for done, rows, refused in _chunks(path):
            plan = _plan(session, rows, recent, made)
            if made is not None:
                for row in plan.new_rows:
                    made.add(_name_key(row))
            ids = _insert_businesses(session, plan.new_rows)
            holder_id = plan.ids_of(ids)
            outcomes = refused + [
                Outcome(row.line, "matched", holder_id(hit)) for row, hit in plan.matched
            ]
            outcomes += [Outcome(row.line, "created", holder_id(row)) for row in plan.new_rows]
            report.add(sorted(outcomes, key=lambda o: o.line))
            _update_contacts(session, [(row, holder_id(hit)) for row, hit in plan.matched])
            bulk_load.fast_insert(
                session,
                BusinessGstin.__table__,  # type: ignore[arg-type]
                ("gstin", "business_id"),
                [(gstin, holder_id(holder)) for gstin, holder in plan.gstins()],
            )
            indexer.then(  # writes the chunk before's index rows
                session, [(holder_id(row), [row.name], row.city) for row in plan.new_rows]
            )
            # Until its index rows are written, this chunk's names are matched from here.
            recent = {}
            for row in plan.new_rows:
                recent.setdefault(_name_key(row), holder_id(row))
            session.flush()
            created, matched = created + len(plan.new_rows), matched + len(plan.matched)
            if progress:
                progress(min(done, total), total)
        indexer.finish(session)
    return created, matched


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


def _most_rows(path: Path) -> int:
    """More rows than the file can hold in practice (a directory's line is rarely under 40
    bytes; with more, a Bloom filter sized by this only errs more often)."""
    return max(1000, path.stat().st_size // 40)


def _count_lines(path: Path) -> int:
    """The file's data lines (for progress), counted in one pass of constant memory."""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def _chunks(path: Path) -> Iterator[tuple[int, list[Row], list[Outcome]]]:
    """The file's rows, `CHUNK` lines at a time: how many lines are read so far, the valid
    rows and the refused ones (each with its line)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows: list[Row] = []
            refused: list[Outcome] = []
            read = 0
            for line, record in read_rows(handle):
                parsed = parse(line, record)
                if isinstance(parsed, Outcome):
                    refused.append(parsed)
                else:
                    rows.append(parsed)
                read += 1
                if read % CHUNK == 0:
                    yield read, rows, refused
                    rows, refused = [], []
            if rows or refused:
                yield read, rows, refused
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is not UTF-8 text") from exc
    except csv.Error as exc:
        raise ImportFileError(f"the file is not CSV: {exc}") from exc


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

    def gstins(self) -> list[tuple[str, Holder]]:
        return self.added_gstins + [(row.gstin, row) for row in self.new_rows if row.gstin]

    def ids_of(self, ids: list[int]) -> Callable[[Holder], int]:
        """Once the new rows are inserted (`ids` in their order): a holder's business id."""
        by_line = {
            row.line: business_id for row, business_id in zip(self.new_rows, ids, strict=True)
        }
        return lambda holder: holder if isinstance(holder, int) else by_line[holder.line]


def _plan(
    session: Session,
    rows: list[Row],
    recent: Mapping[tuple[str, str], int] | None = None,
    made: Container[tuple[str, str]] | None = None,
) -> _Plan:
    """Match each row by GSTIN, else PAN, else (with neither) exact name and city, against
    the registry and the rows before it in the file (`recent`: the businesses the chunk
    before created, by name and city, whose names are not in the search index yet).
    `made`, when given, holds every (name, city) a known business may have (perhaps some
    more): a row whose name and city are not there is not looked up by name."""
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
    unnamed = [r for r in rows if not r.gstin and not r.pan]
    if made is not None:
        unnamed = [r for r in unnamed if _name_key(r) in made]
    by_name: dict[tuple[str, str], Holder] = dict(_known_names(session, unnamed, recent or {}))
    plan = _Plan()
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
        # A later row without identifiers matches it by exact name and city, as it would
        # match it on the registry: the answer does not depend on where chunks end.
        by_name.setdefault(_name_key(row), row)
    return plan


def _name_key(row: Row) -> tuple[str, str]:
    return (row.name.casefold(), (row.city or "").casefold())


def _known_names(
    session: Session, rows: list[Row], recent: Mapping[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Businesses with exactly a row's name and city (case aside), for rows without any
    identifier, so that loading the same directory twice does not duplicate them. Found
    through the whole-name key of the index (and the city its rows carry), then compared
    exactly, or among `recent` ones not indexed yet. Two statements a batch, each on one
    table's index: a join let SQLite, with no statistics in the middle of a load, walk the
    growing business table instead. A name of one word has no whole-name key: it is never
    matched by name."""
    wanted: dict[str, set[tuple[str, str]]] = {}
    places: dict[str, set[str | None]] = {}
    found: dict[tuple[str, str], int] = {}
    unindexed: dict[tuple[str, str], int] = {}
    for row in rows:
        tokens = indexed_tokens(normalise(row.name))
        if len(tokens) > 1:
            key = whole_key(tokens)
            wanted.setdefault(key, set()).add(_name_key(row))
            places.setdefault(key, set()).add(canonical_city(row.city))
            if _name_key(row) in recent:
                unindexed[_name_key(row)] = recent[_name_key(row)]
    keys = sorted(wanted)
    for start in range(0, len(keys), BATCH):
        batch = keys[start : start + BATCH]
        # Only hits in the rows' cities come back: a common name is in hundreds of them.
        cities = {place for key in batch for place in places[key]}
        in_cities = name_index.one_of(session, BusinessKey.city, sorted(cities - {None}))
        if None in cities:
            in_cities = or_(in_cities, BusinessKey.city.is_(None))
        hits = session.execute(
            select(BusinessKey.key, BusinessKey.business_id, BusinessKey.city).where(
                name_index.one_of(session, BusinessKey.key, batch),
                bulk_load.whole_name_keys(session),  # a first load's index of them
                in_cities,
            )
        )
        candidates = {b: k for k, b, city in hits if city in places[k]}
        ids = sorted(candidates)
        for first in range(0, len(ids), BATCH):
            businesses = session.execute(
                select(Business.id, Business.name, Business.city).where(
                    name_index.one_of(session, Business.id, ids[first : first + BATCH]),
                    Business.merged_into_id.is_(None),
                )
            )
            for business_id, name, city in businesses:
                pair = (name.casefold(), (city or "").casefold())
                if pair in wanted[candidates[business_id]]:
                    found.setdefault(pair, business_id)
    for pair, business_id in unindexed.items():  # the older, indexed business comes first
        found.setdefault(pair, business_id)
    return found


def _reserve_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` new businesses, safe beside concurrent writers: PostgreSQL hands
    them out from the table's sequence; SQLite has one writer at a time, so once this
    transaction holds the write lock the ids after the largest are ours."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # The sequence is found once: named inside the select list, it was looked up
        # again for every id (0.4 s instead of 0.1 s for 50,000 ids).
        sequence = session.scalar(text("SELECT pg_get_serial_sequence('businesses', 'id')"))
        return list(
            session.scalars(
                text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)"),
                {"sequence": sequence, "n": count},
            )
        )
    session.execute(text("UPDATE businesses SET id = id WHERE 0"))  # take the write lock
    start = (session.scalar(select(func.max(Business.id))) or 0) + 1
    return list(range(start, start + count))


def _insert_businesses(session: Session, rows: list[Row]) -> list[int]:
    ids = _reserve_ids(session, len(rows))
    now = utcnow()
    bulk_load.fast_insert(
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
