"""The matcher's name reading compiled as it is written (`setup.py`,
`matching.compiled_modules`) reads every name as its source does: the same normal forms,
keys, vocabulary rows and variants, city canonical forms and search results, on the dev
set's names and queries and on generated text of every alphabet the matcher reads. The
source runs in a second process with `MATCHING_PURE=1`."""

from __future__ import annotations

import importlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bench.matching_quality import DEFAULT_DATA, load_businesses, load_queries
from matching import compiled_modules

DATA = Path(os.environ.get("MATCHING_DATA", DEFAULT_DATA))
ROOT = Path(__file__).resolve().parents[2]


def texts() -> list[str]:
    """The dev set's names, cities and queries, and generated text: Latin letters with
    dots, ampersands and brackets, Devanagari, Gujarati, Tamil, digits and accents."""
    businesses = load_businesses(DATA)
    out = [row["name"] for row in businesses] + sorted({row["city"] for row in businesses})
    out += [query.q for query in load_queries(DATA)]
    pick = random.Random(19)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ ..&&()-/',0123456789 "
        "अआइईउऊएऐओऔकखगघचछजझटठडढणतथदधनपफबभमयरलवशषसह ािीुूेैोौंः्"
        "અઆઇઈઉકખગઘચછજઝટઠડઢણતથદધનપફબભમયરલવશષસહ ાિીુૂેૈોૌં્"
        "அஆஇஈஉஊஎஏஐஒஓகஙசஞடணதநபமயரலவழளறன ாிீுூெேைொோௌ்éèüñ"
    )
    for _ in range(3000):
        out.append("".join(pick.choice(alphabet) for _ in range(pick.randint(1, 40))))
    return out


def readings() -> dict[str, object]:
    """What the modules say of every text (run in each process)."""
    from matching.keys import name_keys, query_keys, vocabulary_entries, vocabulary_keys
    from matching.normalise import canonical_city, normalise

    out: dict[str, object] = {
        "compiled": [
            compiled_modules.is_compiled(importlib.import_module(name))
            for name in compiled_modules.COMPILED_MODULES
        ]
    }
    for text in texts():
        normal = normalise(text)
        tokens = sorted({t for t in normal.folded_tokens + normal.spelled_tokens if t})
        out[text] = [
            normal.encode(),
            repr(normal),
            sorted(name_keys(normal)),
            sorted(repr(key) for key in query_keys(normal)),
            sorted(vocabulary_entries(normal)),
            [sorted(vocabulary_keys(t)) for t in tokens],
            canonical_city(text),
        ]
    return out


def _in_process(pure: bool) -> dict[str, object]:
    env = {**os.environ, "MATCHING_PURE": "1" if pure else "0", "PYTHONHASHSEED": "0"}
    script = (
        "import json, tests.matching.test_compiled_modules as t; print(json.dumps(t.readings()))"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, our own script, no shell)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_the_modules_are_compiled():
    """`make install` builds them; loaded from source they answer the same, slower."""
    for name in compiled_modules.COMPILED_MODULES:
        assert compiled_modules.is_compiled(importlib.import_module(name)), name


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="touches no database: the SQLite pass of `make test` runs it, the second would repeat it",
)
def test_compiled_and_source_read_every_name_alike():
    compiled, source = _in_process(pure=False), _in_process(pure=True)
    assert compiled.pop("compiled") == [True] * len(compiled_modules.COMPILED_MODULES)
    assert source.pop("compiled") == [False] * len(compiled_modules.COMPILED_MODULES)
    assert len(compiled) > 20_000
    differ = [text for text in compiled if compiled[text] != source.get(text)]
    assert not differ, differ[:5]


def test_a_source_newer_than_its_compiled_module_is_loaded_instead(tmp_path, monkeypatch):
    """Edited since `make install`: the source is the truth until the next install."""
    finder = compiled_modules.SourceWhenNewer(pure=False)
    name = "matching.normalise"
    spec = importlib.machinery.PathFinder.find_spec(
        name, importlib.import_module("matching").__path__
    )
    assert spec is not None and spec.origin is not None and spec.origin.endswith(".so")
    assert finder.find_spec(name, importlib.import_module("matching").__path__) is None
    source = Path(spec.origin).with_name("normalise.py")
    later = Path(spec.origin).stat().st_mtime + 10
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        result = real_stat(self, *args, **kwargs)
        if self == source:
            fields = list(result)
            fields[8] = later  # st_mtime
            return os.stat_result(fields)
        return result

    monkeypatch.setattr(Path, "stat", stat)
    chosen = finder.find_spec(name, importlib.import_module("matching").__path__)
    assert chosen is not None and chosen.origin == str(source)
    assert finder.find_spec("matching.score", importlib.import_module("matching").__path__) is None
