"""The load benchmark's name searches: how many of a phase's searches asked a term sent
before in the run (a web worker answers those from its kept answers when it took the
earlier one), so its search figure can be read for what it is."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

from bench.load import SearchRequests
from bench.synthetic import generate


def test_the_share_of_repeated_terms_is_counted_per_phase():
    directory = list(generate(40, seed=3, first_id=1))
    names = SearchRequests(directory, ["key-a", "key-b"], random.Random(5))
    assert len(names.terms) == 40
    sent = [names() for _ in range(100)]
    terms = [parse_qs(urlsplit(path).query)["q"][0] for _, path, _, _ in sent]
    firsts = len(set(terms))
    assert names.repeated() == (100 - firsts) / 100
    assert firsts <= 40 < 100
    # the next phase counts its own searches, against every term sent before
    _, path, _, _ = names()
    again = parse_qs(urlsplit(path).query)["q"][0] in terms
    assert names.repeated() == (1.0 if again else 0.0)
    assert names.repeated() == 0.0  # nothing sent since
    assert {key for _, _, _, key in sent} <= {"key-a", "key-b"}
