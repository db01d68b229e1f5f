"""The name index as one read-only file per machine: its generations, written and published.

A copy of the index in each web worker's memory (`registry.search_index.memory_copy`) costs
gigabytes per worker at a million businesses. Here the same content is written once per
index generation into a directory of flat numpy arrays, which every web worker and the CLI
map read-only (`registry.search_index.mapped_file`): the page cache holds it once per
machine. The worker and `registry reindex` stream the tables into it (`write_from_tables`;
`write` takes a copy already loaded), through `registry.search_index.file_writer`, whose
memory stays bounded at any number of businesses; `refresh` decides when a generation is
too far behind the tables and writes the next.

Layout of one generation, `<dir>/g<generation>-<stamp>/`: for each string table (keys,
frequencies, vocabulary) the keys' 64-bit hashes in ascending order (`*.hash.npy`), the
keys themselves as one UTF-8 blob with offsets, and the values (posting lists as one flat
int32 array with offsets and a parallel array of city numbers; frequencies as int64;
vocabulary rows, by spelling and word, and name rows as JSON blobs with offsets), and each
business's candidate record prepared for scoring (`candidates.npy`: canonical city and
state and its names' stored normal forms, own name first, as one line that `Candidate` is
built from without JSON or normalising). `current` (a symbolic link) names the newest
generation and is swapped atomically; a file of an older format is not used (the worker
writes a new one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from registry.search_index.database_index import NameRow
from registry.search_index.file_writer import Writer
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.mapped_file import CURRENT
from registry.search_index.memory_copy import STREAM, Behind, IndexCopy, table_statement
from registry.search_index.name_index import STATE

#: The file is written afresh once this many businesses changed since its generation (each
#: process keeps them in its overlay), or as soon as it cannot catch up at all.
REWRITE_AFTER = 500


def write(copy: IndexCopy, directory: Path) -> Path:
    """Write the index as `copy` holds it into a new generation directory under
    `directory` (through a temporary name, then renamed), point `current` at it, remove
    older generations, and return its path."""

    def fill(writer: Writer) -> None:
        rows = ((k, b, copy._city(b, k)) for k, ids in copy.postings.items() for b in ids)
        for chunk in _chunks(rows):
            writer.add_postings(chunk)
        for chunk in _chunks(copy.doc_freq.items()):
            writer.add_frequencies(dict(chunk))
        variants = ((v, s, t) for v, pairs in copy.vocabulary.items() for s, t in pairs)
        for chunk in _chunks(variants):
            writer.add_vocabulary(chunk)
        for hidden, table in ((False, copy.names), (True, copy.hidden)):
            for chunk in _chunks(((b, table[b]) for b in sorted(table)), NAMES_CHUNK):
                writer.add_names(chunk, hidden)

    return publish(directory, copy.generation, copy.stamp, fill)


def write_from_tables(connection: Connection, directory: Path) -> Path:
    """What `write(IndexCopy.load(connection), directory)` writes, streamed from the
    tables in chunks instead of loaded whole first: memory stays bounded at any size."""
    state = connection.execute(select(STATE.c.generation, STATE.c.stamp)).first()
    generation, stamp = (int(state[0]), int(state[1])) if state else (0, 0)
    dialect = connection.dialect.name

    def stream(name: str) -> Any:
        return connection.execute(table_statement(name, dialect), execution_options=STREAM)

    def fill(writer: Writer) -> None:
        for chunk in _chunks((k, b, c) for b, k, c in stream("every key")):
            writer.add_postings(chunk)
        for chunk in _chunks(stream("every frequency")):
            writer.add_frequencies(dict(chunk))
        for chunk in _chunks(tuple(row) for row in stream("every variant")):
            writer.add_vocabulary(chunk)
        by_business = groupby(stream("every name"), key=lambda row: row[0])
        shown: list[tuple[int, tuple[NameRow, ...]]] = []
        merged: list[tuple[int, tuple[NameRow, ...]]] = []
        for business_id, group in by_business:
            rows = list(group)
            (merged if rows[0][-1] else shown).append(
                (business_id, tuple(tuple(row[:-1]) for row in rows))
            )
            for hidden, items in ((False, shown), (True, merged)):
                if len(items) >= NAMES_CHUNK:
                    writer.add_names(items, hidden)
                    items.clear()
        writer.add_names(shown, False)
        writer.add_names(merged, True)

    return publish(directory, generation, stamp, fill)


#: Entries handed to the writer at once, and businesses' names.
CHUNK = 200_000
NAMES_CHUNK = 20_000


def _chunks(items: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size or CHUNK)):
        yield chunk


def publish(directory: Path, generation: int, stamp: int, fill: Callable[[Writer], None]) -> Path:
    """Write a generation with `fill` feeding the writer, in a scratch directory renamed
    into place, point `current` at it, remove older generations; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"g{generation}-{stamp}"
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=directory))
    try:
        writer = Writer(scratch, generation, stamp)
        try:
            fill(writer)
            writer.finish()
        finally:
            writer.close()
        scratch.chmod(0o755)  # mkdtemp's 0700 would hide it from web workers of another user
        if final.exists():
            shutil.rmtree(final)
        os.rename(scratch, final)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    link = directory / f".{CURRENT}-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(final.name, link)
    os.replace(link, directory / CURRENT)  # atomic: a reader sees the old or the new
    for other in directory.iterdir():
        if other.is_dir() and other.name.startswith("g") and other != final:
            shutil.rmtree(other, ignore_errors=True)  # mapped files stay readable
    return final


def refresh(connection: Connection, directory: Path, rewrite_after: int = REWRITE_AFTER) -> bool:
    """Write the index file afresh from the tables when there is none, or it is too far
    behind them (the worker, each round; `registry reindex`). Whether it was written."""
    try:
        copy = MappedIndexCopy.open(directory)
    except ValueError:  # written by a release of another format
        copy = None
    if copy is not None:
        try:
            copy.catch_up(connection)
            if len(copy.changed) < rewrite_after:
                return False
        except Behind:
            pass
    write_from_tables(connection, directory)
    return True
