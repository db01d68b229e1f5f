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
