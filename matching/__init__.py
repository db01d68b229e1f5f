"""Name matching for Indian businesses: pure Python, plain strings and records in, scores out.

- `normalise`: names into core words, folded words, legal form, city and owner notes;
- `kinds`: is a query a GSTIN, a PAN or a name (stdnum validation);
- `keys`: blocking keys stored in the registry's tables;
- `score`: 0..100 match score with IDF weights, legal form and place signals;
- `search`: the search pipeline over any `SearchBackend` (tables or memory);
- `index`: the in-memory backend; `dedupe`: probable duplicate pairs.

The modules that read names are compiled as they are written when `make install` could
build them (`matching.compiled_modules`: the sources stay the reference).
"""

# First: importing it puts its finder in place, before any module it compiles is loaded.
from matching import compiled_modules  # noqa: F401
from matching.dedupe import DedupeRecord, DuplicatePair, find_duplicates
from matching.index import InMemoryIndex
from matching.keys import name_keys, query_keys, vocabulary_entries, vocabulary_keys
from matching.kinds import QueryKind, detect_kind, pan_of_gstin
from matching.normalise import NormalName, canonical_city, normalise
from matching.score import Candidate, TokenStats, score
from matching.search import Match, SearchBackend, search_name

__all__ = [
    "Candidate",
    "DedupeRecord",
    "DuplicatePair",
    "InMemoryIndex",
    "Match",
    "NormalName",
    "QueryKind",
    "SearchBackend",
    "TokenStats",
    "canonical_city",
    "detect_kind",
    "find_duplicates",
    "name_keys",
    "normalise",
    "pan_of_gstin",
    "query_keys",
    "score",
    "search_name",
    "vocabulary_entries",
    "vocabulary_keys",
]
