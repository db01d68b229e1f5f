"""`make test` runs the tests that touch no database once, in its SQLite half: the
PostgreSQL half passes `--database-tests-only` (tests/conftest.py). These run pytest on
small test files with the suite's conftest as a plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.database_independent

ROOT = Path(__file__).resolve().parent.parent

PURE = """
import pytest

pytestmark = pytest.mark.database_independent


def test_pure():
    assert 1 + 1 == 2


def test_pure_too():
    assert "a" < "b"
"""

PLAIN = """
def test_plain():
    assert True
"""

MISLABELLED = """
import pytest


@pytest.mark.database_independent
def test_reads_the_database(db):
    assert db is not None
"""


def run_pytest(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", "tests.conftest", *args)


def test_database_independent_tests_are_left_out_only_when_asked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_pure=PURE, test_plain=PLAIN)
    run_pytest(pytester).assert_outcomes(passed=3)
    run_pytest(pytester, "--database-tests-only").assert_outcomes(passed=1, deselected=2)


def test_a_database_independent_test_asking_for_the_database_is_refused(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_mislabelled=MISLABELLED)
    refused = run_pytest(pytester)
    assert refused.ret == pytest.ExitCode.USAGE_ERROR
    refused.stderr.fnmatch_lines(
        ["*test_reads_the_database is marked database_independent but asks for*db*"]
    )


def test_the_matching_packages_tests_are_all_database_independent(
    pytester: pytest.Pytester,
) -> None:
    folder = str(ROOT / "tests" / "matching")
    # (inline_genitems lists what was collected, before any was left out)
    everything, _ = pytester.inline_genitems(folder, "--rootdir", str(ROOT))
    _, recorded = pytester.inline_genitems(folder, "--rootdir", str(ROOT), "--database-tests-only")
    assert len(everything) > 100
    left_out = [item for call in recorded.getcalls("pytest_deselected") for item in call.items]
    assert sorted(item.nodeid for item in left_out) == sorted(i.nodeid for i in everything)
