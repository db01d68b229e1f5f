"""The copy of the name index a process keeps (one per web worker): `IndexCopies` loads
it in a thread as the worker starts and brings it up to date before each search, and
`CopiedIndex` answers `matching.search` from it as `DatabaseIndex` does from the tables
(the copy itself, and how it catches up, are in `registry.search_index.memory_copy`).
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from matching.keys import KeptExpansions, near_rows
from matching.score import Candidate
from registry.db import READS_ONLY
from registry.search_index.database_index import CappedPostings, candidates_of
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.mapped_file import current_folder
from registry.search_index.memory_copy import Behind, IndexCopy, ReadChanges

log = logging.getLogger(__name__)


class CopiedIndex(CappedPostings):
    """`matching.search.SearchBackend` answered from an `IndexCopy`: the same lists, cut
    at the same lengths, as `DatabaseIndex` reads from the tables."""

    def __init__(self, copy: IndexCopy, city: str | None = None) -> None:
        self.copy = copy
        self.city = city
        self._local = None
        self.stats = copy.token_stats()

    def vocabulary(self, variants: Collection[str]) -> Mapping[str, Iterable[tuple[str, str]]]:
        return self.copy.vocabulary_of(variants)

    def vocabulary_near(
        self, spellings: Collection[str]
    ) -> Mapping[str, Collection[tuple[str, str]]]:
        """`matching.search.NearSpellings`: kept per spelling by the mapped file's copy."""
        if isinstance(self.copy, MappedIndexCopy):
            return self.copy.vocabulary_near(spellings, self.stats)
        return near_rows(spellings, self.vocabulary)

    def kept_expansions(self) -> KeptExpansions:
        """`matching.search.KeepsExpansions`: kept by the copy until it next changes."""
        return self.copy.kept_expansions()

    def _capped(
        self, keys: Collection[str], cap: int, city: str | None = None
    ) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        copy = self.copy
        if isinstance(copy, MappedIndexCopy):
            return copy.capped(keys, cap, city)
        everywhere = {k: ids[:cap] for k, ids in copy.postings_of(keys).items()}
        here: dict[str, Any] = {}
        if city is not None:
            for key in everywhere:
                ids = copy.in_city(key, city)
                if ids:
                    here[key] = ids[:cap]
        return everywhere, here  # type: ignore[return-value]

    def candidates(self, ids: Collection[int]) -> Mapping[int, Candidate]:
        if isinstance(self.copy, MappedIndexCopy):  # prepared in the file: no rebuilding
            return self.copy.candidates(ids, self.stats)
        names = self.copy.names
        return candidates_of(row for i in sorted(ids) for row in names.get(i, ()))


class IndexCopies:
    """The copy a process keeps (one per web worker), loaded when first wanted: in a
    thread of its own (`background`, as in the web workers: searches use the tables
    meanwhile) or at once, on the search's own connection.

    With a `directory` (`SEARCH_INDEX_DIR`) the copy is the machine's index file there,
    mapped, plus the changes since its generation; while there is no file, or it is too
    far behind to catch up, searches read the tables (the worker writes a new one)."""

    def __init__(
        self,
        background: bool = True,
        connect: Callable[[], Connection] | None = None,
        directory: Path | None = None,
    ) -> None:
        self.background = background
        self.connect = connect
        self.directory = directory
        #: the generation folder last found unusable (too far behind, or of another
        #: format), as its path and inode: not opened again unless written anew
        self._stale: tuple[Path, int] | None = None
        self.copy: IndexCopy | None = None
        self._loading: threading.Thread | None = None
        self._lock = threading.Lock()

    def caught_up(self, session: Session, read: ReadChanges | None = None) -> IndexCopy | None:
        """The copy, brought up to date on this session's connection (with the changes in
        `read` when they were read already, see `generation_to_read`); None while there
        is no copy to use (the caller reads the tables)."""
        copy = self.copy
        connection = session.connection()
        if copy is None and self.directory is not None:
            copy = self.copy = self._from_file(connection)
            return copy
        if copy is None:
            if not self.background:
                copy = self.copy = IndexCopy.load(connection)
            else:
                self.start(connection.engine.connect)
                return None
        try:
            copy.catch_up(connection, read)
        except Behind as why:
            log.info("index copy is loaded afresh: %s", why)
            self.copy = None
            if self.directory is not None or not self.background:
                return self.caught_up(session)
            self.start(connection.engine.connect)
            return None
        return copy

    def _from_file(self, connection: Connection) -> MappedIndexCopy | None:
        """The index file, mapped and brought up to date; None when there is none, or it
        is too far behind (then it is not opened again until a newer one is written)."""
        assert self.directory is not None
        folder = current_folder(self.directory)
        if folder is None:
            return None
        # A folder is named after its generation, and the worker may write the same
        # generation again under the same name (after a release that changed the
        # file's format, or `registry reindex`): told apart by inode, it is opened.
        try:
            found = (folder, folder.stat().st_ino)
        except OSError:  # replaced meanwhile: the next search looks again
            return None
        if found == self._stale:
            return None
        try:
            copy = MappedIndexCopy.open(self.directory)
        except OSError as exc:  # replaced by a newer one while being opened: next search
            log.info("index file %s could not be opened: %s", folder, exc)
            return None
        except ValueError as exc:  # of an older format: the worker writes a new one
            log.info("index file %s is not used: %s", folder, exc)
            self._stale = found
            return None
        if copy is None:
            return None
        try:
            copy.catch_up(connection)
        except Behind as why:
            log.info("index file %s is not used: %s", folder, why)
            self._stale = found
            return None
        return copy

    def generation_to_read(self) -> int | None:
        """The generation whose changes a search will ask for (None: no copy yet), so a
        request may read them together with what it reads first (`backend`'s `read`)."""
        copy = self.copy
        return None if copy is None else copy.generation

    @property
    def state(self) -> str:
        """ "ready", or "loading" (searches read the tables meanwhile)."""
        return "ready" if self.copy is not None else "loading"

    def ready(self, connection: Connection) -> str:
        """`state`, once the machine's index file is mapped if there is one and nothing
        is mapped yet (`/readyz`): mapping costs milliseconds, so a worker is ready before
        its first search rather than after it."""
        if self.copy is None and self.directory is not None:
            self.copy = self._from_file(connection)
        return self.state

    def start(self, connect: Callable[[], Connection]) -> None:
        """Load the copy in a thread of its own (unless a load is under way), on a
        connection from `connect` (`self.connect` when given). With an index file there
        is nothing to load: the first search maps it."""
        if self.directory is not None:
            return
        with self._lock:
            if self._loading is not None and self._loading.is_alive():
                return
            connect = self.connect or connect
            self._loading = threading.Thread(
                target=self._load, args=(connect,), name="index-copy", daemon=True
            )
            self._loading.start()

    def _load(self, connect: Callable[[], Connection]) -> None:
        started = time.perf_counter()
        try:
            with connect() as connection:
                connection.execution_options(**READS_ONLY)
                copy = IndexCopy.load(connection)
        except Exception as exc:  # the database is away: the next search tries again
            # No traceback: formatting one parses source into AST objects, which Python
            # 3.11 cannot do safely beside another thread doing the same.
            log.error("could not load the index copy: %s: %s", type(exc).__name__, exc)
            return
        self.copy = copy
        # Millions of long-lived objects: keep the garbage collector's full collections
        # from walking them all (they are freed by reference counting when replaced).
        gc.freeze()
        log.info(
            "index copy loaded: generation %d, %d businesses, %.1f s",
            copy.generation,
            len(copy.names),
            time.perf_counter() - started,
        )

    def wait(self, timeout: float | None = None) -> None:
        """Until a load under way has finished (for tests and benchmarks)."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout)
