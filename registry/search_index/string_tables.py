"""The index file's string tables (its keys, words and vocabulary variants): many
strings stored as one byte array with offsets (`Blob`), sorted by a 64-bit hash of each
(`file_hash`), and found again by that hash, then compared byte for byte (`StringTable`).

`registry.search_index.file_writer` writes them, `registry.search_index.mapped_file` maps
and reads them. A search looks up a hundred or so keys at once, so the look-up has a
compiled twin (`_string_table.pyx`, built by `make install`); `find_many_reference` stays
the reference, and `tests/search/test_string_table.py` holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from matching.compiled import compiled_twin

#: The compiled twin of the hashes and of `StringTable.find_many`, None when not built.
STRING_TABLE = compiled_twin("registry.search_index._string_table")
#: Whether hashes and look-ups take the compiled twin (False: the Python reference).
COMPILED = STRING_TABLE is not None

_BITS = (1 << 64) - 1
#: FNV-1a's 64-bit prime and offset basis; the second hash starts from another basis.
_PRIME = 0x100000001B3
_FIRST_BASIS = 0xCBF29CE484222325
_SECOND_BASIS = 0x6C62272E07BB0142


def _mixed(h: int) -> int:
    """MurmurHash3's finaliser: FNV-1a alone leaves a short key's top bits poorly spread,
    and the reader guesses a hash's place in a table from its value."""
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _BITS
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _BITS
    return h ^ (h >> 33)


def first_hash_reference(raw: bytes) -> int:
    """FNV-1a (64 bits) over the bytes, then mixed: what a table is sorted by."""
    h = _FIRST_BASIS
    for byte in raw:
        h = ((h ^ byte) * _PRIME) & _BITS
    return _mixed(h)


def second_hash_reference(raw: bytes) -> int:
    """The same over the bytes backwards from another basis: it tells apart keys of one
    `first_hash` while writing."""
    h = _SECOND_BASIS
    for byte in reversed(raw):
        h = ((h ^ byte) * _PRIME) & _BITS
    return _mixed(h)


def file_hash(key: str) -> int:
    """The hash the file sorts a string table by and a reader looks a key up with.

    The file's hash was BLAKE2b until format 3: through hashlib, one call cost about a
    microsecond, most of a look-up, and a first-time search looks up some 300 keys."""
    return int(hash_all([key.encode()])[0])


def hash_all(raws: Sequence[bytes], second: bool = False) -> npt.NDArray[np.uint64]:
    """The first (or second) hash of each of these byte strings, as the writer wants
    them: a million keys in well under a second by the compiled twin."""
    if COMPILED and STRING_TABLE is not None:
        return STRING_TABLE.hash_all(raws, second)  # type: ignore[no-any-return]
    hashed = second_hash_reference if second else first_hash_reference
    return np.fromiter(map(hashed, raws), dtype=np.uint64, count=len(raws))


class Blob:
    """Many byte strings stored as one array with offsets."""

    def __init__(self, data: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        self.data = data
        self.offsets = offsets
        # read through memoryviews: half the time of numpy's indexing for one item
        self._bytes = data.data
        self._offsets = offsets.data

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> bytes:
        offsets = self._offsets
        return bytes(self._bytes[offsets[i] : offsets[i + 1]])

    @staticmethod
    def build(items: Iterable[bytes]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        parts = list(items)
        offsets = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=offsets[1:])
        data = np.frombuffer(b"".join(parts), dtype=np.uint8)
        return data, offsets


class StringTable:
    """String keys found by their hash (a binary search in C), then checked."""

    def __init__(self, hashes: npt.NDArray[np.uint64], keys: Blob) -> None:
        self.hashes = hashes
        self.keys = keys

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, key: str) -> int:
        """The key's position, or -1."""
        return self.find_many([key])[0]

    def find_many(self, keys: Sequence[str]) -> list[int]:
        """Each key's position, or -1: in the compiled twin when built (`COMPILED`),
        else `find_many_reference`."""
        if COMPILED and STRING_TABLE is not None:
            return STRING_TABLE.find_many(  # type: ignore[no-any-return]
                keys, self.hashes, self.keys.data, self.keys.offsets
            )
        return self.find_many_reference(keys)

    def find_many_reference(self, keys: Sequence[str]) -> list[int]:
        """Each key's position, or -1: one binary search in numpy for them all."""
        if not keys:
            return []
        wanted = np.fromiter(
            (first_hash_reference(k.encode()) for k in keys), dtype=np.uint64, count=len(keys)
        )
        hashes = self.hashes
        size = len(hashes)
        found = []
        for key, h, at in zip(
            keys, wanted.tolist(), np.searchsorted(hashes, wanted).tolist(), strict=True
        ):
            raw = key.encode()
            while at < size and int(hashes[at]) == h:
                if self.keys.raw(at) == raw:
                    break
                at += 1
            else:
                at = -1
            found.append(at)
        return found
