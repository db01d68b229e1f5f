"""`bench.ambiguity`: a miss at scale is excused only when a generated business is, by plain
edit distance and not by the matcher, at least as close to what was typed."""

from __future__ import annotations

from bench.ambiguity import Outcome, closeness, excused, report, tied_first

TYPED = "Shree Balajee Vastra Bhandar"
LABELLED = "Sri Balaji Vastra Bhandar & Co"


def miss(winner: str, city: str | None = None, *, generated: bool = True, asked_in=None):
    return Outcome(
        TYPED,
        asked_in,
        LABELLED,
        hit=False,
        winner_name=winner,
        winner_city=city,
        winner_generated=generated,
    )


def test_legal_forms_and_punctuation_do_not_count_as_distance() -> None:
    assert closeness("M/s M.K. Polymers", "M K Polymers Pvt. Ltd.") == 1.0
    assert closeness("Sharma Steel", "Steel Sharma") == 1.0
    assert closeness("Sharma Steel", "Verma Steel") < 1.0


def test_a_generated_name_nearer_to_what_was_typed_excuses_the_miss() -> None:
    assert excused(miss("Shree Balaji Vastra Bhandar", "Cuttack"))


def test_a_generated_name_further_from_what_was_typed_does_not() -> None:
    assert not excused(miss("Shree Ganesh Vastra Bhandar", "Cuttack"))


def test_a_labelled_winner_is_a_real_miss_however_close() -> None:
    assert not excused(miss("Shree Balaji Vastra Bhandar", "Cuttack", generated=False))


def test_a_winner_outside_the_city_the_query_names_is_a_real_miss() -> None:
    assert not excused(miss("Shree Balaji Vastra Bhandar", "Cuttack", asked_in="Mumbai"))
    assert excused(miss("Shree Balaji Vastra Bhandar", "Mumbai", asked_in="mumbai"))


def test_a_hit_is_never_excused_and_counts() -> None:
    hit = Outcome(TYPED, None, LABELLED, hit=True)
    assert not excused(hit)


def test_the_report_compares_both_sizes_on_the_same_queries_only() -> None:
    outcomes = [
        Outcome(TYPED, None, LABELLED, hit=True),
        miss("Shree Balaji Vastra Bhandar", "Cuttack"),  # excused: left out of both
        miss("Shree Ganesh Vastra Bhandar", "Cuttack"),  # counts: a miss here
        Outcome(TYPED, None, LABELLED, hit=True),
    ]
    at_small = [True, True, True, False]
    line = report(outcomes, at_small, 20_000)
    assert "on the 3 queries" in line and "1 misses excused" in line
    assert "hit@1 0.6667 here, 0.6667 at 20,000 (met)" in line
    assert "(missed)" in report(outcomes, [True, True, True, True], 20_000)


def test_a_hit_first_by_its_lower_id_alone_is_told_apart() -> None:
    assert tied_first([7, 9], [97.04, 96.96], 7)  # the same score as a search shows it
    assert not tied_first([7, 9], [97.0, 96.9], 7)
    assert not tied_first([9, 7], [97.0, 97.0], 7)  # a miss, not a tied hit
    assert not tied_first([7], [97.0], 7)
    outcomes = [
        Outcome(TYPED, None, LABELLED, hit=True, tied=True),
        Outcome(TYPED, None, LABELLED, hit=True),
        miss("Shree Ganesh Vastra Bhandar", "Cuttack"),
        Outcome(TYPED, None, LABELLED, hit=True, tied=True),
    ]
    line = report(outcomes, [True] * 4, 20_000)
    assert "2 hits tie on score with the next result" in line
    assert "hit@1 0.2500 with each counted a miss" in line
    assert "tie on score" not in report(outcomes[1:3], [True] * 2, 20_000)
