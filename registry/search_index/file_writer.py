"""Writing the machine's index file with bounded memory, whatever the directory's size.

The file (`registry.search_index.index_file` describes its layout, `mapped_file` reads it)
holds each string table sorted by the keys' hashes, posting lists ascending by business id,
and each business's name rows in id order. Holding all of that in Python objects costs some
40 GB at 15 million businesses, so `Writer` takes the index in chunks, in any order, encodes
each chunk into flat arrays (`registry.search_index.file_encoding`: pure functions, so a
pool of processes can run them), and spills them to scratch files partitioned by the top
bits of the keys' hashes. `Writer.finish` then sorts one partition at a time: the partitions
follow each other in hash order, so each one's sorted arrays are simply appended to the
file. Peak memory is one partition's arrays and a few integers per business (to put the name
rows in id order), about 1 GB at 15 million businesses.

The file is the one `index_file` always wrote (format 2): the same arrays, byte for byte
(`tests/search/test_file_writer.py` holds them equal to the in-memory writer it replaces).
Two keys of one 64-bit hash (the file's own) are told apart by a second hash here; the
file orders such keys by that second hash, and a reader compares the key itself anyway.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from registry.search_index.database_index import NameRow
from registry.search_index.file_encoding import (
    FORMAT,
    KEY_RECORD,
    PAIRS,
    Encoded,
    EncodedNames,
    encode_frequencies,
    encode_names,
    encode_pair,
    encode_postings,
    encode_vocabulary,
)

#: Partitions of each string table: 64 keeps each one a few hundred MB at 15 million
#: businesses (about 170 million posting entries).
PARTITIONS = 64


class NpyStream:
    """A one-dimensional .npy file written piece by piece: the same bytes `np.save` writes
    for the whole array (the header, whose length does not depend on the shape, is
    written again with the final length when closed)."""

    def __init__(self, path: Path, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)
        self.count = 0
        self.handle = path.open("wb")
        self.header = self._header()
        self.handle.write(self.header)

    def _header(self) -> bytes:
        out = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            out,
            {
                "descr": np.lib.format.dtype_to_descr(self.dtype),
                "fortran_order": False,
                "shape": (self.count,),
            },
        )
        return out.getvalue()

    def append(self, values: Any) -> None:
        array = np.ascontiguousarray(values, dtype=self.dtype)
        self.handle.write(array.tobytes())
        self.count += len(array)

    def append_bytes(self, raw: bytes | memoryview) -> None:
        assert self.dtype == np.uint8
        self.handle.write(raw)
        self.count += len(raw)

    def close(self) -> None:
        header = self._header()
        assert len(header) == len(self.header), "the .npy header changed length"
        self.handle.seek(0)
        self.handle.write(header)
        self.handle.close()


class _Offsets:
    """An offsets array (first 0, then each item's end) written as lengths arrive."""

    def __init__(self, path: Path) -> None:
        self.out = NpyStream(path, np.int64)
        self.out.append([0])
        self.end = 0

    def extend(self, lengths: npt.NDArray[Any]) -> None:
        if len(lengths):
            ends = np.cumsum(lengths, dtype=np.int64) + self.end
            self.out.append(ends)
            self.end = int(ends[-1])

    def close(self) -> None:
        self.out.close()


@dataclass
class _Segment:
    """Where one chunk's share of a partition lies in its spill file."""

    at: int
    keys: int
    key_bytes: int
    entries: int


#: A partition sorted: its distinct keys' hashes, bytes and lengths in the file's order,
#: each entry's key rank, and the entries' values.
_Ranked = tuple[
    npt.NDArray[np.uint64],
    npt.NDArray[np.uint8],
    npt.NDArray[Any],
    npt.NDArray[np.int64],
    list[Any],
]


def _gather(data: npt.NDArray[np.uint8], starts: Any, lengths: Any) -> npt.NDArray[np.uint8]:
    """The byte strings data[start:start+length], one after another."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.uint8)
    ends = np.cumsum(lengths)
    shift = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - lengths), lengths)
    gathered: npt.NDArray[np.uint8] = data[np.arange(total, dtype=np.int64) + shift]
    return gathered


class Writer:
    """Builds one generation's arrays in `folder` from chunks given in any order.

    `add_*` (or `spill` with chunks encoded elsewhere) may be called any number of times;
    `finish` writes the file. Scratch files live in `folder/.spill` until then."""

    def __init__(
        self, folder: Path, generation: int, stamp: int, partitions: int | None = None
    ) -> None:
        partitions = partitions or PARTITIONS
        if partitions < 1 or partitions & (partitions - 1):
            raise ValueError("partitions must be a power of two")
        self.folder = folder
        self.generation = generation
        self.stamp = stamp
        self.partitions = partitions
        self.bits = partitions.bit_length() - 1
        self.scratch = folder / ".spill"
        self.scratch.mkdir(parents=True, exist_ok=True)
        self.files: dict[tuple[str, int], IO[bytes]] = {}
        self.segments: dict[tuple[str, int], list[_Segment]] = {}
        #: a city's number while spilling (the file numbers them in order of first use)
        self.city_numbers: dict[str, int] = {}
        #: vocabulary (spelling, token) pairs by number
        self.pair_numbers: dict[tuple[str, str], int] = {}
        self.names = {hidden: self._open_names(hidden) for hidden in (False, True)}

    # -- taking chunks --

    def add_postings(self, rows: Iterable[tuple[str, int, str | None]]) -> None:
        self.spill(encode_postings(rows))

    def add_frequencies(self, counts: Mapping[str, int]) -> None:
        self.spill(encode_frequencies(counts))

    def add_vocabulary(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.spill(encode_vocabulary(rows))

    def add_names(self, items: Iterable[tuple[int, tuple[NameRow, ...]]], hidden: bool) -> None:
        self.spill(encode_names(items, hidden))

    def spill(self, chunk: Encoded | EncodedNames) -> None:
        """Append an encoded chunk to the scratch files: each of its keys, with the entries
        under it, to its partition's file (cities and vocabulary pairs numbered here, as
        chunks encoded in other processes number them each their own way)."""
        if isinstance(chunk, EncodedNames):
            self._spill_names(chunk)
            return
        first = chunk.first
        if chunk.table == "postings":
            assert chunk.names is not None and chunk.second is not None
            numbers = np.array(
                [self.city_numbers.setdefault(c, len(self.city_numbers)) for c in chunk.names]
                + [-1],
                dtype=np.int32,
            )
            second: npt.NDArray[Any] | None = numbers[chunk.second]  # -1 picks the last: none
        elif chunk.table == "vocabulary":
            assert chunk.names is not None
            numbers = np.array(
                [self.pair_numbers.setdefault(p, len(self.pair_numbers)) for p in chunk.names],
                dtype=np.int32,
            )
            first, second = numbers[first], None
        else:
            second = chunk.second
        keys = chunk.keys
        part_of_key = self._part_of(keys.table["h1"])
        key_starts = np.zeros(len(keys.table) + 1, dtype=np.int64)
        np.cumsum(keys.table["length"], out=key_starts[1:])
        data = np.frombuffer(keys.data, dtype=np.uint8)
        part_of_entry = part_of_key[chunk.key_of]
        entry_order = np.argsort(part_of_entry, kind="stable")
        entry_bounds = np.searchsorted(part_of_entry[entry_order], np.arange(self.partitions + 1))
        for part in np.unique(part_of_key).tolist():
            selected = np.flatnonzero(part_of_key == part)
            local = np.full(len(keys.table), -1, dtype=np.int32)
            local[selected] = np.arange(len(selected), dtype=np.int32)
            entries = entry_order[entry_bounds[part] : entry_bounds[part + 1]]
            raw = _gather(data, key_starts[selected], keys.table["length"][selected])
            handle = self._file(chunk.table, part)
            at = handle.tell()
            handle.write(keys.table[selected].tobytes())
            handle.write(raw.tobytes())
            handle.write(local[chunk.key_of[entries]].tobytes())
            handle.write(np.ascontiguousarray(first[entries]).tobytes())
            if second is not None:
                handle.write(np.ascontiguousarray(second[entries]).tobytes())
            self.segments[(chunk.table, part)].append(
                _Segment(at, len(selected), len(raw), len(entries))
            )

    def _part_of(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """The partition of each hash: its top bits, so partitions follow in hash order."""
        if self.bits == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        return (hashes >> np.uint64(64 - self.bits)).astype(np.int64)

    def _file(self, table: str, part: int) -> IO[bytes]:
        handle = self.files.get((table, part))
        if handle is None:
            handle = self.files[(table, part)] = (self.scratch / f"{table}.{part}").open("w+b")
            self.segments[(table, part)] = []
        return handle

    def _open_names(self, hidden: bool) -> dict[str, Any]:
        stem = "hidden" if hidden else "names"
        return {
            "ids": (self.scratch / f"{stem}.ids").open("w+b"),
            "rows": (self.scratch / f"{stem}.rows").open("w+b"),
            "row_lengths": (self.scratch / f"{stem}.row_lengths").open("w+b"),
            "candidates": (self.scratch / f"{stem}.candidates").open("w+b"),
            "candidate_lengths": (self.scratch / f"{stem}.candidate_lengths").open("w+b"),
        }

    def _spill_names(self, chunk: EncodedNames) -> None:
        files = self.names[chunk.hidden]
        files["ids"].write(chunk.ids.tobytes())
        files["rows"].write(chunk.rows)
        files["row_lengths"].write(chunk.row_lengths.tobytes())
        files["candidates"].write(chunk.candidates)
        files["candidate_lengths"].write(chunk.candidate_lengths.tobytes())

    # -- writing the file --

    def finish(self) -> None:
        """Write every array and the header into `folder`, and remove the scratch files."""
        for handle in self.files.values():
            handle.flush()
        cities = self._write_postings()
        self._write_frequencies()
        self._write_vocabulary()
        businesses = self._write_names(hidden=False)
        self._write_names(hidden=True)
        header = {
            "format": FORMAT,
            "generation": self.generation,
            "stamp": self.stamp,
            "cities": cities,
            "businesses": businesses,
        }
        (self.folder / "header.json").write_text(json.dumps(header))
        self.close()

    def close(self) -> None:
        """Drop the scratch files (after `finish`, or on giving up)."""
        for handle in self.files.values():
            handle.close()
        for files in self.names.values():
            for handle in files.values():
                handle.close()
        self.files.clear()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _partition(
        self, table: str, part: int, values: tuple[Any, ...]
    ) -> tuple[npt.NDArray[Any], npt.NDArray[np.uint8], npt.NDArray[Any], list[Any]] | None:
        """One partition read back: its keys (records) and their bytes, each entry's
        key number within the partition, and its value arrays (of these dtypes)."""
        segments = self.segments.get((table, part))
        if not segments:
            return None
        handle = self.files[(table, part)]
        handle.flush()
        mapped = np.memmap(handle.name, dtype=np.uint8, mode="r")
        keys, raws, key_of = [], [], []
        columns: list[list[Any]] = [[] for _ in values]
        base = 0
        for s in segments:
            at = s.at
            size = s.keys * KEY_RECORD.itemsize
            keys.append(mapped[at : at + size].view(KEY_RECORD))
            at += size
            raws.append(mapped[at : at + s.key_bytes])
            at += s.key_bytes
            key_of.append(mapped[at : at + 4 * s.entries].view(np.int32) + base)
            at += 4 * s.entries
            for column, dtype in zip(columns, values, strict=True):
                size = np.dtype(dtype).itemsize * s.entries
                column.append(mapped[at : at + size].view(dtype))
                at += size
            base += s.keys
        joined = [np.concatenate(c) for c in columns]
        result = (np.concatenate(keys), np.concatenate(raws), np.concatenate(key_of), joined)
        del mapped
        return result

    def _ranked(self, table: str, part: int, values: tuple[Any, ...]) -> _Ranked | None:
        """A partition with its distinct keys in the file's order: their hashes, bytes and
        lengths, and each entry's key rank."""
        read = self._partition(table, part, values)
        if read is None:
            return None
        keys, raw, key_of, columns = read
        order = np.lexsort((keys["h2"], keys["h1"]))
        ordered = keys[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (ordered["h1"][1:] != ordered["h1"][:-1]) | (
            ordered["h2"][1:] != ordered["h2"][:-1]
        )
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.cumsum(new) - 1
        firsts = order[new]
        starts = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(keys["length"], out=starts[1:])
        lengths = keys["length"][firsts].astype(np.int64)
        data = _gather(raw, starts[firsts], lengths)
        return keys["h1"][firsts], data, lengths, rank[key_of], columns

    def _strings(self, name: str) -> tuple[NpyStream, NpyStream, _Offsets]:
        return (
            NpyStream(self.folder / f"{name}.hash.npy", np.uint64),
            NpyStream(self.folder / f"{name}.keys.npy", np.uint8),
            _Offsets(self.folder / f"{name}.keys.off.npy"),
        )

    def _write_postings(self) -> list[str]:
        hashes, keys, key_offsets = self._strings("postings")
        ids_out = NpyStream(self.folder / "postings.ids.npy", np.int32)
        cities_out = NpyStream(self.folder / "postings.city.npy", np.int32)
        offsets = _Offsets(self.folder / "postings.off.npy")
        by_number = {n: c for c, n in self.city_numbers.items()}
        final = np.full(len(self.city_numbers) + 1, -1, dtype=np.int32)  # [-1]: none
        cities: list[str] = []
        for part in range(self.partitions):
            ranked = self._ranked("postings", part, (np.int32, np.int32))
            if ranked is None:
                continue
            h1, data, lengths, rank, (ids, numbers) = ranked
            order = np.argsort((rank << 32) | ids.astype(np.int64), kind="stable")
            ids, numbers = ids[order], numbers[order]
            seen, first = np.unique(numbers, return_index=True)
            for number in seen[np.argsort(first)].tolist():
                if number >= 0 and final[number] < 0:
                    final[number] = len(cities)
                    cities.append(by_number[number])
            hashes.append(h1)
            keys.append(data)
            key_offsets.extend(lengths)
            offsets.extend(np.bincount(rank, minlength=len(h1)))
            ids_out.append(ids)
            cities_out.append(final[numbers])
        for out in (hashes, keys, key_offsets, ids_out, cities_out, offsets):
            out.close()
        return cities

    def _write_frequencies(self) -> None:
        hashes, keys, key_offsets = self._strings("frequencies")
        counts = NpyStream(self.folder / "frequencies.npy", np.int64)
        for part in range(self.partitions):
            ranked = self._ranked("frequencies", part, (np.int64,))
            if ranked is None:
                continue
            h1, data, lengths, rank, (values,) = ranked
            summed = np.zeros(len(h1), dtype=np.int64)
            np.add.at(summed, rank, values)
            hashes.append(h1)
            keys.append(data)
            key_offsets.extend(lengths)
            counts.append(summed)
        for out in (hashes, keys, key_offsets, counts):
            out.close()

    def _write_vocabulary(self) -> None:
        hashes, keys, key_offsets = self._strings("vocabulary")
        values = NpyStream(self.folder / "vocabulary.npy", np.uint8)
        value_offsets = _Offsets(self.folder / "vocabulary.off.npy")
        pairs = sorted(self.pair_numbers, key=self.pair_numbers.__getitem__)
        # a pair's place in (spelling, token) order: each variant lists its pairs so
        pair_rank = np.empty(len(pairs), dtype=np.int64)
        pair_rank[sorted(range(len(pairs)), key=pairs.__getitem__)] = np.arange(len(pairs))
        encoded = [encode_pair(*p) for p in pairs]
        for part in range(self.partitions):
            ranked = self._ranked("vocabulary", part, (np.int32,))
            if ranked is None:
                continue
            h1, data, lengths, rank, (numbers,) = ranked
            combined = np.unique((rank << 32) | pair_rank[numbers])
            rows = combined >> 32
            pair_of = np.argsort(pair_rank)[combined & 0xFFFFFFFF]
            bounds = np.searchsorted(rows, np.arange(len(h1) + 1))
            parts = [
                PAIRS.join(encoded[p] for p in pair_of[start:end].tolist()).encode()
                for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
            ]
            hashes.append(h1)
            keys.append(data)
            key_offsets.extend(lengths)
            values.append_bytes(b"".join(parts))
            value_offsets.extend(np.array([len(p) for p in parts], dtype=np.int64))
        for out in (hashes, keys, key_offsets, values, value_offsets):
            out.close()

    def _write_names(self, hidden: bool) -> int:
        """The name rows (and for shown businesses the candidates) in id order, and each
        id's position; how many businesses."""
        stem = "hidden" if hidden else "names"
        files = self.names[hidden]
        for handle in files.values():
            handle.flush()

        def read(name: str, dtype: Any) -> Any:
            return np.fromfile(files[name].name, dtype=dtype)

        ids = read("ids", np.int32)
        order = np.argsort(ids, kind="stable")
        ordered = ids[order]
        if len(ordered) > 1 and not (ordered[1:] > ordered[:-1]).all():
            raise ValueError(f"a business's {stem} rows were given twice")
        positions = np.full(int(ordered[-1]) + 1 if len(ordered) else 0, -1, dtype=np.int32)
        positions[ordered] = np.arange(len(ordered), dtype=np.int32)
        np.save(self.folder / f"{stem}.pos.npy", positions)
        in_order = bool((order == np.arange(len(order))).all())
        count = len(ordered)
        del ids, ordered, positions
        blobs = [("rows", stem)] + ([] if hidden else [("candidates", "candidates")])
        for source, target in blobs:
            lengths = read(f"{source[:-1]}_lengths", np.int64)
            out = NpyStream(self.folder / f"{target}.npy", np.uint8)
            offsets = _Offsets(self.folder / f"{target}.off.npy")
            if in_order:  # as spilled: copied through in blocks, never mapped whole
                with open(files[source].name, "rb") as spilled:
                    while block := spilled.read(1 << 24):
                        out.append_bytes(block)
                offsets.extend(lengths)
            elif len(lengths):
                data = np.memmap(files[source].name, dtype=np.uint8, mode="r")
                starts = np.zeros(len(lengths) + 1, dtype=np.int64)
                np.cumsum(lengths, out=starts[1:])
                step = 100_000
                for start in range(0, len(order), step):
                    chosen = order[start : start + step]
                    out.append(_gather(data, starts[chosen], lengths[chosen]))
                    offsets.extend(lengths[chosen])
                del data
            out.close()
            offsets.close()
        return count
