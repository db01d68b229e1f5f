"""`python -m bench --scale N`: the index file built straight from a generated CSV, and a
fresh worker mapping it; at a tiny size it prints every figure and finds the planted names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench import scale_file

LABELLED = [
    ("Hegde Hosiery Private Limited", "Durgapur", "West Bengal"),
    ("Sharma Steel Traders", "Pune", "Maharashtra"),
    ("Kaveri Cold Storage", "Mysuru", "Karnataka"),
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "matching"
    folder.mkdir()
    lines = ["id,name,gstin,pan,city,state"]
    lines += [f"{i},{name},,,{city},{state}" for i, (name, city, state) in enumerate(LABELLED, 1)]
    (folder / "businesses.csv").write_text("\n".join(lines) + "\n")
    queries = [
        {"q": name.lower(), "truth": i, "kinds": ["exact"], "city": city}
        for i, (name, city, _) in enumerate(LABELLED, 1)
    ]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries) + "\n")
    return folder


def test_scale_bench_prints_each_figure(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scale_file.main(["--scale", "2000", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "2,000 businesses" in out
    assert re.search(
        r"index file: \d[\d,]* MB, built in \d+\.\d s \(\d[\d,]* CPU seconds; peak memory", out
    )
    assert re.search(r"worker: ready in \d+\.\d\d s from its start, -?\d[\d,]* MB of its own", out)
    assert re.search(r"p50 \d+\.\d\d ms  p95 \d+\.\d\d ms", out)
    # the planted names are found among 2,000 generated ones
    assert "(3 labelled queries)" in out
    assert "hit@1 1.0000  hit@5 1.0000" in out
