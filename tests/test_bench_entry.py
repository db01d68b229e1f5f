"""`python -m bench` starts an hour of benchmarks: asking it for help must not."""

from __future__ import annotations

import pytest

import bench.__main__ as bench_main


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def started(*_args: object) -> int:
        raise AssertionError("a benchmark started")

    monkeypatch.setattr(bench_main.matching_quality, "main", started)
    monkeypatch.setattr(bench_main.registry_scale, "main", started)
    monkeypatch.setattr(bench_main.load, "main", started)


@pytest.mark.usefixtures("nothing_runs")
def test_help_says_what_runs_and_runs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_main.main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert "BENCH_SIZE" in out and "BENCH_LOAD=0" in out


@pytest.mark.usefixtures("nothing_runs")
def test_an_unknown_option_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        bench_main.main(["--size", "10"])
    assert stopped.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_the_scale_step_prints_every_figure(tmp_path, capfd: pytest.CaptureFixture[str]) -> None:
    """`make bench SCALE=N` at a tiny N, on a tiny labelled set: every figure the issue asks
    for is printed, measured in a worker process of its own."""
    import csv
    import json

    from bench import index_scale
    from bench.synthetic import generate

    labelled = list(generate(40, seed=3, first_id=1))
    with (tmp_path / "businesses.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "gstin", "pan", "city", "state"])
        for b in labelled:
            out.writerow([b.id, b.name, b.gstin or "", b.pan or "", b.city, b.state])
    with (tmp_path / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for b in labelled[:20]:
            handle.write(
                json.dumps({"q": b.name, "truth": b.id, "kinds": ["exact"], "city": b.city}) + "\n"
            )

    assert index_scale.main(["--size", "300", "--data", str(tmp_path)]) == 0
    printed = capfd.readouterr().out
    figures = dict(
        line.split(": ", 1)
        for line in printed.splitlines()
        if ": " in line and not line.startswith("==")
    )
    for name in (
        "import",
        "index file build",
        "index file size",
        "index file build peak memory",
        "worker ready",
        "worker memory of its own",
        "search p50",
        "search p95",
        "hit@1",
        "hit@5",
    ):
        assert name in figures, (name, printed)
    assert float(figures["hit@5"]) == 1.0  # exact names, each with its city


@pytest.mark.parametrize(
    ("size", "bench"), [(1_000_000, "index_scale"), (15_000_000, "scale_file")]
)
def test_a_directory_too_large_to_import_is_built_from_the_generated_csv(
    monkeypatch: pytest.MonkeyPatch, size: int, bench: str
) -> None:
    """`make bench SCALE=15000000` runs on one machine: no import of 15M rows first."""
    ran: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(bench_main.matching_quality, "main", lambda _argv: 0)
    for name in ("index_scale", "scale_file"):
        monkeypatch.setattr(
            getattr(bench_main, name), "main", lambda argv, name=name: ran.append((name, argv)) or 0
        )
    assert bench_main.main(["--scale", str(size)]) == 0
    assert [name for name, _ in ran] == [bench]
    assert str(size) in ran[0][1]
