"""Two writers adding the same new word to the name index at once (PostgreSQL, two
sessions): the second waits for the first's index state row, then finds the word stored
and writes none of its vocabulary rows again. The vocabulary goes in by plain COPY, so
without that wait the second would trip on the first's rows and its filing would fail."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from matching.keys import vocabulary_entries, vocabulary_keys
from registry.actors import SYSTEM
from registry.db import make_sessionmaker
from registry.directory import businesses
from registry.search_index import name_index
from tests.integrity.test_merge_races import own_database, wait_until_blocked  # noqa: F401


def test_a_second_writer_of_a_new_word_waits_and_writes_none_of_it_again(
    own_database,  # noqa: F811
):
    sessions = make_sessionmaker(own_database)
    with sessions.begin() as session:
        first = businesses.create(session, SYSTEM, "Om Steel Traders", city="Pune").id
        second = businesses.create(session, SYSTEM, "Jai Steel Traders", city="Surat").id
    new_word = {entry for entry in vocabulary_entries("Zorawar Steel") if "zorawar" in entry}
    assert new_word
    outcome: dict[str, object] = {}

    def second_writer():
        try:
            with sessions.begin() as session:
                name_index.add_names(session, second, ["Zorawar Traders"], "Surat")
            outcome["ok"] = True
        except Exception as exc:  # reported below, where the test can say what went wrong
            outcome["error"] = exc

    holder = sessions()
    holder.begin()
    name_index.add_names(holder, first, ["Zorawar Steel"], "Pune")  # holds the state row
    thread = threading.Thread(target=second_writer)
    thread.start()
    wait_until_blocked(own_database)
    holder.commit()
    holder.close()
    thread.join(timeout=30)
    assert outcome == {"ok": True}
    with sessions() as session:
        for spelling, token in new_word:
            stored = session.scalar(
                select(func.count())
                .select_from(name_index.VOCABULARY)
                .where(
                    name_index.VOCABULARY.c.spelling == spelling,
                    name_index.VOCABULARY.c.token == token,
                )
            )
            assert stored == len(vocabulary_keys(spelling))
