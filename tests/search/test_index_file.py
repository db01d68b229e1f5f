"""The machine's index file, mapped, plus each process's overlay of the changes since its
generation answers exactly what the tables answer (`registry.search_index.mapped_copy`, `mapped_file`)."""

from __future__ import annotations

import contextlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.keys import near_rows
from matching.search import search_name
from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.directory import import_businesses, merges, search
from registry.errors import InvalidTransition
from registry.search_index import index_file, kept_answers, mapped_file
from registry.search_index.database_index import DatabaseIndex
from registry.search_index.mapped_copy import MappedIndexCopy
from registry.search_index.memory_copy import IndexCopy
from registry.search_index.process_index import CopiedIndex, IndexCopies
from tests.search.test_index_copy import QUERIES, WORDS, agree, answers, operations


def write_file(db, folder):
    return index_file.write(IndexCopy.load(db.connection()), folder)


#: Words whose vocabulary rows nearby are compared: the names' words, as written and
#: misspelt (a letter dropped, one doubled), folded as a query's are.
NEAR_WORDS = sorted(
    {form for w in WORDS for form in (w.lower(), w.lower()[:-1], w.lower() + w.lower()[-1])}
)


def near_agree(db, copy):
    """The vocabulary rows the mapped copy finds near each word are the tables'."""
    tables = near_rows(NEAR_WORDS, DatabaseIndex(db).vocabulary)
    found = copy.vocabulary_near(NEAR_WORDS)
    assert {w: set(found[w]) for w in NEAR_WORDS} == tables


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_the_file_and_its_overlay_agree_with_the_tables_after_any_changes(db, tmp_path, steps):
    savepoint = db.begin_nested()
    folder = tmp_path / "index"
    try:
        businesses = [
            directory.create(db, SYSTEM, name, city=city)
            for name, city in [("Shree Balaji Traders", "Pune"), ("Laxmi Paper Mart", "Surat")]
        ]
        write_file(db, folder)
        merged: list[int] = []
        copies = IndexCopies(background=False, directory=folder)
        agree(db, copies)
        assert isinstance(copies.copy, MappedIndexCopy)
        for step in steps:
            match step:
                case ("create", name, city):
                    businesses.append(directory.create(db, SYSTEM, name, city=city))
                case ("alias", at, name):
                    directory.add_alias(db, businesses[at % len(businesses)], name, "filing")
                case ("merge", a, b):
                    keep = businesses[a % len(businesses)]
                    gone = businesses[b % len(businesses)]
                    if keep.id != gone.id and None is keep.merged_into_id is gone.merged_into_id:
                        merged.append(merges.merge(db, keep.id, gone.id, SYSTEM).id)
                case ("undo", at):
                    if merged:
                        with contextlib.suppress(InvalidTransition):
                            merges.undo(db, merged[at % len(merged)], SYSTEM)
                case ("import", rows):
                    listing = tmp_path / "import.csv"
                    body = "".join(f"{n},,,Pune,Maharashtra\n" for n in rows)
                    listing.write_text("name,gstin,pan,city,state\n" + body)
                    import_businesses.import_file(db, listing, SYSTEM)
                    # a large import lists everything as changed: searches then read the
                    # tables until the worker writes a new file
                    assert answers(db, copies) == answers(db, None)
                    write_file(db, folder)
                case ("search",):
                    agree(db, copies)
                    near_agree(db, copies.copy)
        agree(db, copies)
        assert isinstance(copies.copy, MappedIndexCopy)
        near_agree(db, copies.copy)
    finally:
        savepoint.rollback()
        db.expunge_all()


def test_without_a_file_searches_read_the_tables(db, tmp_path):
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    copies = IndexCopies(background=False, directory=tmp_path / "none")
    assert answers(db, copies) == answers(db, None)
    assert copies.copy is None


def test_a_new_generation_is_swapped_in_whole_and_old_ones_removed(db, tmp_path):
    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    first = write_file(db, folder)
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    second = write_file(db, folder)
    assert first != second
    assert os.readlink(folder / "current") == second.name
    assert sorted(p.name for p in folder.iterdir()) == sorted(["current", second.name])
    copy = MappedIndexCopy.open(folder)
    assert copy is not None and copy.generation > 0
    hits = search.search(db, QUERIES[1][0], limit=3, copies=IndexCopies(False, directory=folder))
    assert [h.business.name for h in hits.hits][:1] == ["Laxmi Paper Mart"]


def test_the_worker_writes_the_file_when_missing_or_too_far_behind(db, tmp_path):
    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    assert index_file.refresh(db.connection(), folder, rewrite_after=2)
    assert not index_file.refresh(db.connection(), folder, rewrite_after=2)  # current
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    assert not index_file.refresh(db.connection(), folder, rewrite_after=2)  # overlay of one
    directory.create(db, SYSTEM, "Ganesh Steel", city="Surat")
    assert index_file.refresh(db.connection(), folder, rewrite_after=2)
    copy = MappedIndexCopy.open(folder)
    assert copy is not None
    copy.catch_up(db.connection())
    assert not copy.changed  # the new file holds every business


def test_a_file_of_an_older_format_is_not_used_and_the_worker_writes_a_new_one(db, tmp_path):
    """After a release that changes the file's layout, web workers search the tables
    until the worker has written the new file, then map it."""
    import json

    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    written = write_file(db, folder)
    header = json.loads((written / "header.json").read_text())
    (written / "header.json").write_text(json.dumps({**header, "format": 1}))
    copies = IndexCopies(background=False, directory=folder)
    assert answers(db, copies) == answers(db, None)  # from the tables meanwhile
    assert copies.copy is None
    assert index_file.refresh(db.connection(), folder)
    # the worker's new file, of the same generation, is mapped by the web worker that
    # set the old one aside (it kept reading the tables until it restarted)
    assert answers(db, copies) == answers(db, None)
    assert isinstance(copies.copy, MappedIndexCopy)
    fresh = IndexCopies(background=False, directory=folder)
    assert answers(db, fresh) == answers(db, None)
    assert isinstance(fresh.copy, MappedIndexCopy)


def test_candidates_come_prepared_from_the_file_and_changed_ones_from_the_overlay(db, tmp_path):
    folder = tmp_path / "index"
    kept = directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    changed = directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")
    write_file(db, folder)
    directory.add_alias(db, changed, "Lakshmi Papers", "filing")
    copy = MappedIndexCopy.open(folder)
    assert copy is not None
    copy.catch_up(db.connection())
    assert copy.changed == {changed.id}

    tables = DatabaseIndex(db).candidates([kept.id, changed.id])
    assert copy.candidates([kept.id, changed.id]) == tables
    assert [a.core for a in tables[changed.id].aliases] == ["lakshmi papers"]


def test_word_frequencies_read_together_are_those_read_one_by_one(db, tmp_path):
    """`frequencies_of` (what a search's weights are worked out from at once) answers what
    `doc_freq` answers for each word: from the file, from the overlay where a change since
    moved it (new words, a word more names hold now), 0 for one never seen, whether it was
    at hand already or not."""
    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    gone = directory.create(db, SYSTEM, "Zanskar Paper Mart", city="Surat")
    write_file(db, folder)
    directory.add_alias(db, gone, "Vastralaya Balaji", "filing")
    directory.create(db, SYSTEM, "Marwar Balaji Steels", city="Jodhpur")
    copy = MappedIndexCopy.open(folder)
    assert copy is not None
    copy.catch_up(db.connection())
    words = ["balaji", "trader", "vastralaya", "marvar", "zanskar", "papr", "never-seen"]
    expected = {word: copy.doc_freq.get(word, 0) for word in words}
    assert expected["balaji"] == 3 and expected["never-seen"] == 0
    assert copy.frequencies_of(words) == expected
    fresh = MappedIndexCopy.open(folder)  # nothing at hand yet
    assert fresh is not None
    fresh.catch_up(db.connection())
    assert fresh.frequencies_of(words) == expected


@pytest.mark.parametrize("mapped", [True, False], ids=["file", "in memory"])
def test_word_weights_kept_from_search_to_search_follow_a_change_in_the_names(db, tmp_path, mapped):
    """A copy works its words' weights out once for the searches that follow
    (`IndexCopy.token_stats`). Once a filing changes how many names hold a word, and how
    many names there are, the next search weighs every word as the tables do, and
    answers as the tables do."""
    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    directory.create(db, SYSTEM, "Marwar Paper Mart", city="Surat")
    write_file(db, folder)
    copies = IndexCopies(background=False, directory=folder if mapped else None)
    words = ["balaji", "marwar", "paper", "steel", "trader"]

    def weights(stats):
        return {word: stats.weight(word) for word in words}

    kept = copies.caught_up(db).token_stats()
    before = weights(kept)
    assert before == weights(DatabaseIndex(db).stats)
    assert answers(db, copies) == answers(db, None)
    assert copies.caught_up(db).token_stats() is kept  # nothing changed: the same weights

    directory.create(db, SYSTEM, "Marwar Balaji Steels", city="Jodhpur")
    after = weights(copies.caught_up(db).token_stats())
    assert after == weights(DatabaseIndex(db).stats)
    assert after["balaji"] < before["balaji"] and after["trader"] > before["trader"]
    assert answers(db, copies) == answers(db, None)


def test_kept_candidates_words_are_weighed_by_new_weights_and_scored_alike_without(db, tmp_path):
    """A copy's candidates kept from an earlier search had their words weighed then: the
    same weights are asked only about candidates read afresh, new weights (after a change
    in the names) about every candidate. Weights let go meanwhile are worked out as the
    scorer asks: the answers stay the tables'."""
    folder = tmp_path / "index"
    ids = [
        directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune").id,
        directory.create(db, SYSTEM, "Marwar Paper Mart", city="Surat").id,
    ]
    write_file(db, folder)
    copy = MappedIndexCopy.open(folder)
    assert copy is not None
    copy.catch_up(db.connection())
    asked: list[set[str]] = []
    read = copy.frequencies_of

    def counted(tokens):
        asked.append(set(tokens))
        return read(tokens)

    copy.frequencies_of = counted  # type: ignore[method-assign]
    kept = copy.token_stats()
    copy.candidates(ids, kept)
    assert asked[-1] >= {"balaji", "marvar", "paper"}
    copy.candidates(ids, kept)  # read a second time: kept from now on (`SEEN_ONCE`)
    asked.clear()
    kept._cache.clear()  # as when the weights past their bound are let go
    copy.candidates(ids, kept)
    assert asked == []  # both kept: nothing gathered, nothing read
    tables = DatabaseIndex(db)
    assert [m.id for m in search_name("Balaji Traders", tables)][:1] == ids[:1]
    for query in ("Balaji Traders", "Marwar Paper", "Shri Balaji"):
        assert search_name(query, CopiedIndex(copy, None)) == search_name(query, tables)

    other = copy.token_stats().__class__(copy.doc_freq, kept.total)
    copy.candidates(ids, other)
    assert asked[-1] >= {"balaji", "marvar", "paper"}
    assert {"balaji", "marvar", "paper"} <= other._cache.keys()


@pytest.mark.parametrize("block", [1, 2, mapped_file.CITY_BLOCK])
def test_posting_lists_cut_short_from_the_file_are_the_heads_of_the_tables_lists(
    db, tmp_path, monkeypatch, block
):
    """Whether a city's ids are read in one block or many, early or late."""
    from matching.normalise import canonical_city

    monkeypatch.setattr(mapped_file, "CITY_BLOCK", block)
    from registry.search_index.process_index import CopiedIndex

    folder = tmp_path / "index"
    for city in ["Surat", "Pune", "Surat", "Surat", "Pune"]:
        directory.create(db, SYSTEM, "Laxmi Paper Mart", city=city)
    write_file(db, folder)
    directory.create(db, SYSTEM, "Laxmi Paper Mart", city="Surat")  # in the overlay only
    mapped = MappedIndexCopy.open(folder)
    assert mapped is not None
    mapped.catch_up(db.connection())
    assert mapped.own_postings
    in_memory = IndexCopy.load(db.connection())
    keys = sorted(in_memory.postings)

    def lists(found):
        return [{key: list(ids) for key, ids in part.items()} for part in found]

    for cap in (1, 2, 4, 10):
        for city in (None, canonical_city("Surat"), canonical_city("Pune")):
            expected = lists(CopiedIndex(in_memory)._capped(keys, cap, city))
            assert lists(CopiedIndex(mapped)._capped(keys, cap, city)) == expected
            assert any(len(ids) == min(cap, 6) for ids in expected[0].values())
            if city == canonical_city("Surat"):
                assert any(len(ids) == min(cap, 4) for ids in expected[1].values())


def test_the_setting_names_the_directory(tmp_path):
    from registry.settings import Settings

    assert Settings.from_env({}, tmp_path).search_index_dir == tmp_path / "search-index"
    assert Settings.from_env({"SEARCH_INDEX_DIR": ""}, tmp_path).search_index_dir is None
    chosen = Settings.from_env({"SEARCH_INDEX_DIR": str(tmp_path)}, tmp_path).search_index_dir
    assert chosen == tmp_path


def test_the_worker_round_keeps_the_machine_file(session_factory, db, settings, tmp_path):
    from dataclasses import replace

    from registry import worker
    from registry.mailer import FileMailer

    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    db.commit()
    chosen = replace(settings, search_index_dir=tmp_path / "index")
    mailer = FileMailer(tmp_path / "mail")
    assert worker.run_once(session_factory, mailer, chosen).index_file_written == 1
    assert worker.run_once(session_factory, mailer, chosen).index_file_written == 0
    assert worker.run_once(session_factory, mailer, settings).index_file_written == 0
    assert MappedIndexCopy.open(tmp_path / "index") is not None


def test_a_web_worker_with_an_index_file_loads_no_copy_of_its_own(tmp_path):
    copies = IndexCopies(background=True, directory=tmp_path)
    copies.start(lambda: None)  # type: ignore[arg-type,return-value]
    assert copies._loading is None and copies.copy is None


def test_a_web_worker_is_ready_once_the_machine_file_is_there_before_any_search(
    settings, session_factory, db, tmp_path
):
    """`/readyz` maps the file itself: a load balancer waiting for "ready" would otherwise
    wait for a search that it does not send until the worker is ready."""
    from dataclasses import replace

    from tests.conftest import build_app

    folder = tmp_path / "index"
    app = build_app(replace(settings, search_index_dir=folder), session_factory)
    copies = app.extensions["registry"].index_copies
    assert app.test_client().get("/readyz").json["index_copy"] == "loading"  # no file yet
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    db.flush()
    write_file(db, folder)
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200 and answer.json["index_copy"] == "ready"
    assert isinstance(copies.copy, MappedIndexCopy)


def test_a_word_first_written_after_the_file_is_found_misspelt_by_a_process_that_searched_before(
    db, tmp_path
):
    """The vocabulary rows near a query's words are kept per word between searches: a
    business added since the file was written brings new spellings, which a search for
    the same misspelt words must find, not the rows kept from before."""
    from matching.search import search_name
    from registry.search_index.process_index import CopiedIndex

    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    write_file(db, folder)
    mapped = MappedIndexCopy.open(folder)
    assert mapped is not None
    mapped.catch_up(db.connection())
    query = "Marwri Txtiles"
    assert search_name(query, CopiedIndex(mapped)) == []
    added = directory.create(db, SYSTEM, "Marwari Textiles", city="Jodhpur")
    mapped.catch_up(db.connection())
    found = search_name(query, CopiedIndex(mapped))
    assert [m.id for m in found] == [added.id]
    tables = IndexCopy.load(db.connection())
    assert found == search_name(query, CopiedIndex(tables))


def test_words_every_search_uses_stay_at_hand_while_rare_ones_pass_through():
    """The file's answers a process keeps: a word asked again and again is not dropped
    when a run of words asked once fills the cache (clearing it when full dropped them)."""
    recent = kept_answers.Recent(8)
    recent.put("traders", 1.0)
    for n in range(100):
        assert recent.get("traders") == 1.0
        assert recent.get(f"rare{n}") is kept_answers.MISSING
        recent.put(f"rare{n}", 2.0)
        assert len(recent) <= 8
    assert recent.get("rare99") == 2.0 and recent.get("rare0") is kept_answers.MISSING


def test_candidates_every_search_reads_stay_at_hand_while_rare_ones_pass_through(
    db, tmp_path, monkeypatch
):
    """The candidates a process keeps (`MappedIndexCopy.candidates`, the cache's halves
    handled inline): one asked by every search is read from the file twice (a candidate
    read once is not kept: `SEEN_ONCE`), those asked once pass through without being kept,
    the cache stays within its size, and every answer is the file's."""
    folder = tmp_path / "index"
    made = [directory.create(db, SYSTEM, f"Balaji Traders {n}", city="Pune").id for n in range(30)]
    write_file(db, folder)
    mapped = MappedIndexCopy.open(folder)
    assert mapped is not None
    monkeypatch.setattr(mapped, "_candidates", kept_answers.Recent(8))
    monkeypatch.setattr(mapped_file, "COMPILED", False)  # reads go through `candidate`
    read: list[int] = []
    reference = mapped.file.candidate

    def counted(business_id):
        read.append(business_id)
        return reference(business_id)

    monkeypatch.setattr(mapped.file, "candidate", counted)
    common, rare = made[0], made[1:]
    for n, business_id in enumerate(rare):
        found = mapped.candidates([common, business_id, 10**6])
        assert found == {b: reference(b) for b in (common, business_id)}
        assert len(mapped._candidates) <= 8
        assert read.count(common) == min(n + 1, 2), n
        assert business_id not in mapped._candidates  # asked once: not kept
    assert sorted(b for b in read if b in made) == sorted([common, *made])  # the rare once


def test_the_near_rows_of_a_few_thousand_query_words_are_read_from_the_file_once(db, tmp_path):
    """A process keeps the vocabulary rows near each query word it was asked: the 3,800
    distinct words of the dev set's 2,000 queries, asked again, are not read from the file
    again, and the rows kept are the ones `near_rows` reads. (With room for 4,000, the
    newer half held 2,000 of them, and a second pass read most of them again.)"""

    folder = tmp_path / "index"
    directory.create(db, SYSTEM, "Shree Balaji Traders", city="Pune")
    directory.create(db, SYSTEM, "Balaji Steel Works", city="Pune")
    write_file(db, folder)
    mapped = MappedIndexCopy.open(folder)
    assert mapped is not None
    mapped.catch_up(db.connection())
    words = ["balaji", "balagi", "traders", "steel"] + [f"w{n}x" for n in range(3_800)]
    queries = [words[n : n + 3] for n in range(0, len(words), 3)]
    first = [mapped.vocabulary_near(q) for q in queries]
    read: list[str] = []
    reads = mapped._variants_read

    def counted(variants):
        read.extend(variants)
        return reads(variants)

    mapped._variants_read = counted  # type: ignore[method-assign]
    again = [mapped.vocabulary_near(q) for q in queries]
    assert read == []
    assert again == first
    expected = near_rows(words[:3], reads)
    assert {w: set(first[0][w]) for w in words[:3]} == {w: expected[w] for w in words[:3]}
    assert ("balaji", "balaji") in set(first[0]["balagi"])


@st.composite
def lists_and_changes(draw):
    """A posting list, changed businesses (mostly on the list: early, late, all of it;
    some not) and how many of its first ids are wanted (None: all)."""
    ids = sorted(draw(st.sets(st.integers(0, 400), max_size=120)))
    on_list = draw(st.sets(st.sampled_from(ids), max_size=60)) if ids else set()
    elsewhere = draw(st.sets(st.integers(0, 400), max_size=10))
    cap = draw(st.one_of(st.none(), st.integers(0, len(ids) + 2)))
    return ids, sorted(on_list | elsewhere), cap


@settings(max_examples=400, deadline=None)
@given(lists=lists_and_changes())
def test_a_posting_lists_head_less_the_changed_businesses_is_the_whole_lists_filtered(lists):
    """`head_without` looks at the list's first `cap + len(changed)` ids only: the same
    head as filtering the whole list, whatever falls where."""
    ids, changed, cap = lists
    listed = np.array(ids, dtype=np.int32)
    gone = np.array(changed, dtype=np.int32) if changed else None
    whole = listed if gone is None else listed[~np.isin(listed, gone)]
    assert mapped_file.head_without(listed, gone, cap)[:cap].tolist() == whole[:cap].tolist()
