"""Search on the database index answers like the matcher's reference index."""

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from matching.index import InMemoryIndex
from matching.keys import name_keys, whole_key
from matching.normalise import VERSION, NormalName, normalise
from registry.actors import SYSTEM
from registry.directory import businesses as directory
from registry.directory import import_businesses, merges, search
from registry.directory.identities import Counts
from registry.identifiers import gstin_for
from registry.models import Business, NameTokenStat, NormalNameRecord
from registry.search_index import database_index

BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "matching"


def make(db, name, city=None, state=None, gstin=None):
    return directory.create(db, SYSTEM, name, gstin=gstin, city=city, state=state)


def test_gstin_pan_and_name_queries(db):
    hegde = make(
        db,
        "Hegde Hosiery Private Limited",
        "Durgapur",
        "West Bengal",
        gstin_for("19", "FZQCH7795U"),
    )
    branch = make(db, "Hegde Hosiery Pvt Ltd", "Kolkata", "West Bengal")
    directory.add_gstin(db, branch, gstin_for("19", "FZQCH7795U", entity="2"))
    make(db, "Marwar Steel Traders", "Jodhpur", "Rajasthan")
    by_gstin = search.search(db, gstin_for("19", "FZQCH7795U").lower())
    assert by_gstin.kind == "gstin" and [h.business.id for h in by_gstin.hits] == [hegde.id]
    assert set(by_gstin.hits[0].gstins) == {
        gstin_for("19", "FZQCH7795U"),
        gstin_for("19", "FZQCH7795U", entity="2"),
    }
    by_pan = search.search(db, "fzqch7795u")
    assert by_pan.kind == "pan" and {h.business.id for h in by_pan.hits} == {hegde.id, branch.id}
    by_name = search.search(db, "M/s Marvar Steel Trader")
    assert by_name.kind == "name" and by_name.hits[0].business.name == "Marwar Steel Traders"
    assert 0 < by_name.hits[0].score <= 100


def test_city_decides_between_namesakes(db):
    pune = make(db, "Sai Krupa Enterprises", "Pune", "Maharashtra")
    surat = make(db, "Sai Krupa Enterprises", "Surat", "Gujarat")
    assert search.search(db, "Sai Kripa Enterprises", city="Surat").hits[0].business.id == surat.id
    assert search.search(db, "Sai Kripa Enterprises", city="Pune").hits[0].business.id == pune.id


def test_a_long_posting_list_arrives_as_its_head_in_id_order(db, monkeypatch):
    """The matcher counts the head of a long list (a common name's namesakes), so the
    tables must give the head the index file gives: the lowest ids, whichever of its
    indexes the database reads the key by, and the same within a city."""
    monkeypatch.setattr(database_index, "FETCH_LIMIT", 2)
    cities = ["Surat", "Pune", "Agra", "Pune", "Surat", "Pune"]
    ids = [make(db, "Malhotra Steels", city).id for city in cities]
    rare = make(db, "Zorawar Steels", "Pune")
    key = whole_key(normalise("Malhotra Steels").folded_tokens)
    other = next(k for k in name_keys(normalise(rare.name)) if k.startswith("n:"))
    index = search.DatabaseIndex(db, city="pune")  # canonical, as a search asks
    found = index.postings([key, other])
    assert found[key] == sorted(ids)[:3]  # cut at FETCH_LIMIT + 1: "long"
    in_pune = [i for i, city in zip(ids, cities, strict=True) if city == "Pune"]
    # within the city, cut at FETCH_LIMIT, read along with the lists or on their own
    assert index.local_postings([key], "pune")[key] == in_pune[:2]
    alone = search.DatabaseIndex(db).local_postings([key], "pune")[key]
    assert alone == in_pune[:2]


def test_aliases_are_found(db):
    business = make(db, "Shree Ganesh Textile Mills", "Ichalkaranji")
    directory.add_alias(db, business, "SGT Mills", "filing")
    assert search.search(db, "SGT Mills").hits[0].business.id == business.id


def test_a_merged_business_is_not_a_result_but_its_id_answers(db):
    keep = make(db, "Om Sai Traders", "Nagpur")
    gone = make(db, "Om Sai Trader", "Nagpur")
    merges.merge(db, keep.id, gone.id, SYSTEM)
    hits = search.search(db, "Om Sai Traders").hits
    assert [h.business.id for h in hits] == [keep.id]
    assert directory.get(db, gone.id).id == keep.id


@pytest.mark.skipif(
    not BENCH.exists(), reason="the shared benchmark data is not beside the project"
)
def test_database_index_agrees_with_the_reference_index(db):
    with (BENCH / "businesses.csv").open() as handle:
        rows = list(csv.DictReader(handle))[:1500]
    with (BENCH / "queries.jsonl").open() as handle:
        all_queries = [json.loads(line) for line in handle]
    memory = InMemoryIndex()
    ids = {}
    for row in rows:
        business = make(db, row["name"], row["city"], row["state"])
        ids[business.id] = int(row["id"])
        memory.add(int(row["id"]), row["name"], row["city"], row["state"])
    wanted = {int(r["id"]) for r in rows}
    queries = [q for q in all_queries if q["truth"] in wanted][:80]
    assert len(queries) >= 40
    agree = hits = 0
    for query in queries:
        ours = [
            ids[h.business.id]
            for h in search.search(db, query["q"], city=query.get("city"), limit=5).hits
        ]
        reference = [i for i, _ in memory.search(query["q"], city=query.get("city"), limit=5)]
        agree += ours[:1] == reference[:1]
        hits += bool(ours) and ours[0] == query["truth"]
    assert agree == len(queries)
    assert hits / len(queries) >= 0.95


def test_names_are_stored_normalised_and_a_search_reads_them(db, tmp_path):
    business = make(db, "M/s Shree Laxmi Paper Mart (P) Ltd", "Pune", "Maharashtra")
    directory.add_alias(db, business, "SLP Mart", "filing")
    listing = tmp_path / "directory.csv"
    listing.write_text("name,gstin,pan,city,state\nMarwar Steel Traders,,,Jodhpur,Rajasthan\n")
    import_businesses.import_file(db, listing, SYSTEM)
    stored = dict(
        db.execute(
            select(NormalNameRecord.name, NormalNameRecord.encoded).where(
                NormalNameRecord.version == VERSION
            )
        ).all()
    )
    for written in ("M/s Shree Laxmi Paper Mart (P) Ltd", "SLP Mart", "Marwar Steel Traders"):
        assert NormalName.decode(stored[written]) == normalise(written)

    # The words of a candidate's name come with their frequencies (to weigh them by).
    index = search.DatabaseIndex(db)
    index.candidates([business.id])
    words = normalise(business.name).folded_tokens
    stored_frequencies = dict(
        db.execute(
            select(NameTokenStat.token, NameTokenStat.doc_freq).where(
                NameTokenStat.token.in_(words)
            )
        ).all()
    )
    assert stored_frequencies and all(
        index.frequencies.known[word] == stored_frequencies[word] for word in words
    )

    # A search takes a candidate's names from the stored forms, not from normalising again:
    # a stored form that says something else shows through...
    db.execute(
        update(NormalNameRecord)
        .where(NormalNameRecord.name == business.name)
        .values(encoded=normalise("Zenith Cables").encode())
    )
    candidate = search.DatabaseIndex(db).candidates([business.id])[business.id]
    assert candidate.name == normalise("Zenith Cables")
    assert candidate.aliases == (normalise("SLP Mart"),)
    assert candidate.city == "pune" and candidate.state == "maharashtra"
    # ...and one written by another version of the normaliser is ignored.
    db.execute(
        update(NormalNameRecord)
        .where(NormalNameRecord.name == business.name)
        .values(version=VERSION + 1)
    )
    candidate = search.DatabaseIndex(db).candidates([business.id])[business.id]
    assert candidate.name == normalise(business.name)


def test_a_name_search_reads_gstins_and_listed_counts_as_the_other_searches_do(db):
    """On PostgreSQL a name search reads its results' GSTINs and listed complaints with the
    businesses, in one statement: they must be what `directory.legal_entity_gstins` and
    `complaint_counts` answer."""
    pan = "FZQCH7795U"
    head = make(db, "Hegde Hosiery Private Limited", "Durgapur", gstin=gstin_for("19", pan))
    branch = make(db, "Hegde Hosiery Pvt Ltd", "Kolkata", gstin=gstin_for("27", pan))
    directory.add_gstin(db, branch, gstin_for("19", pan, entity="2"))
    gone = make(db, "Hegde Hosiery Traders", "Kolkata", gstin=gstin_for("29", pan))
    merges.merge(db, head.id, gone.id, SYSTEM)
    make(db, "Hegde Hosiery Mills", "Surat")
    hits = search.search(db, "Hegde Hosiery", limit=10).hits
    businesses = [h.business for h in hits]
    assert len(businesses) >= 3 and {head.id, branch.id} <= {b.id for b in businesses}
    assert {h.business.id: h.gstins for h in hits} == directory.legal_entity_gstins(db, businesses)
    counts = search.complaint_counts(db, [b.id for b in businesses])
    assert {h.business.id: h.counts for h in hits} == {
        b.id: counts.get(b.id, Counts()) for b in businesses
    }
    assert len(next(h for h in hits if h.business.id == head.id).gstins) == 4


def test_lists_given_to_a_statement_arrive_intact(db):
    """`among` sends a list as one array on PostgreSQL (written out as text): every
    string arrives as it was, whatever it holds."""
    from registry.db import among

    dialect = db.get_bind().dialect.name
    words = ["plain", "two words", 'a "quote"', "back\\slash", "NULL", "", "{x,y}", "ü"]
    by_word = select(NameTokenStat.token).where(among(NameTokenStat.token, "values", dialect))
    assert db.scalars(by_word, {"values": words}).all() == []
    db.add_all(NameTokenStat(token=word, doc_freq=1) for word in words)
    db.flush()
    assert sorted(db.scalars(by_word, {"values": words}).all()) == sorted(words)
    assert db.scalars(by_word, {"values": []}).all() == []
    business = make(db, "Marwar Steel Traders", "Jodhpur")
    by_id = select(Business.id).where(among(Business.id, "values", dialect))
    assert db.scalars(by_id, {"values": [business.id, 2**31 - 1]}).all() == [business.id]


def test_what_a_search_shows_includes_changes_not_yet_flushed(db):
    """The businesses shown are read as plain rows on the session's connection, after the
    session's pending changes, as its own statements would see them."""
    business = make(db, "Marwar Steel Traders", city="Jodhpur", state="Rajasthan")
    business.city = "Pali"
    assert search.identity_hit(db, business).business.city == "Pali"
    business.city = "Barmer"
    assert [h.business.city for h in search.search(db, "Marwar Steel Traders").hits] == ["Barmer"]
