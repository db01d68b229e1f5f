"""The name index in the database: blocking keys per business, the vocabulary of
spelling variants, and word frequencies. Shared by every web worker and the CLI.

Rows are only ever inserted with "on conflict do nothing" or incremented in place, so
concurrent filings cannot trip over each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from matching.keys import indexed_tokens, name_keys, vocabulary_entries, vocabulary_keys
from matching.normalise import normalise
from registry.models import BusinessKey, NameTokenStat, NameVocabulary

#: The row of `name_token_stats` that counts indexed names (the N of the IDF weights).
TOTAL = "#names"
BATCH = 5000


def _insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = list(rows[start : start + BATCH])
        if chunk:
            session.execute(_insert(session, table).on_conflict_do_nothing(), chunk)


def _increment(session: Session, counts: Mapping[str, int], sign: int = 1) -> None:
    table: Table = NameTokenStat.__table__  # type: ignore[assignment]
    for start in range(0, len(counts), BATCH):
        items = sorted(counts.items())[start : start + BATCH]
        if sign > 0:
            statement = _insert(session, table)
            statement = statement.on_conflict_do_update(
                index_elements=["token"],
                set_={"doc_freq": table.c.doc_freq + statement.excluded.doc_freq},
            )
            session.execute(statement, [{"token": t, "doc_freq": n} for t, n in items])
        else:
            for token, n in items:
                session.execute(
                    update(table)
                    .where(table.c.token == token)
                    .values(doc_freq=table.c.doc_freq - n)
                )


def add_names(session: Session, business_id: int, names: Iterable[str]) -> None:
    """Index names (a business's own or aliases) under `business_id`."""
    names = [n for n in names if n and n.strip()]
    if not names:
        return
    keys: set[str] = set()
    tokens: Counter[str] = Counter()
    entries: set[tuple[str, str]] = set()
    for name in names:
        normal = normalise(name)
        keys |= name_keys(normal)
        tokens.update(set(indexed_tokens(normal)))
        entries |= vocabulary_entries(normal)
    insert_ignoring_duplicates(
        session,
        BusinessKey.__table__,  # type: ignore[arg-type]
        [{"key": k, "business_id": business_id} for k in sorted(keys)],
    )
    add_vocabulary(session, entries)
    tokens[TOTAL] += len(names)
    _increment(session, tokens)
    session.flush()


def add_vocabulary(session: Session, entries: Iterable[tuple[str, str]]) -> None:
    """Store the spelling variants of (spelling, word) entries the vocabulary lacks. An
    entry is known when its spelling is stored as a variant of its word."""
    wanted = {(s, t) for s, t in entries if len(s) <= 64 and len(t) <= 64}
    if not wanted:
        return
    found = session.execute(
        select(NameVocabulary.variant, NameVocabulary.token).where(
            tuple_(NameVocabulary.variant, NameVocabulary.token).in_(sorted(wanted))
        )
    )
    known = {(variant, token) for variant, token in found}
    rows = [
        {"variant": variant, "token": token}
        for spelling, token in sorted(wanted - known)
        for variant in sorted(vocabulary_keys(spelling))
        if len(variant) <= 64
    ]
    insert_ignoring_duplicates(session, NameVocabulary.__table__, rows)  # type: ignore[arg-type]


def remove_business(session: Session, business_id: int, names: Iterable[str]) -> None:
    """Take a business's names out of the index (before a merge or a rename)."""
    names = [n for n in names if n and n.strip()]
    session.execute(delete(BusinessKey).where(BusinessKey.business_id == business_id))
    tokens: Counter[str] = Counter()
    for name in names:
        tokens.update(set(indexed_tokens(normalise(name))))
    tokens[TOTAL] += len(names)
    _increment(session, tokens, sign=-1)
    session.flush()
