"""Which of the matcher's modules `setup.py` compiles as they are (Cython's pure-Python
mode), and the import hook that keeps their sources the reference.

A compiled module is taken only when it is newer than its source: a source edited since
`make install` is loaded as it is (correct, slower) until the next install. With
`MATCHING_PURE=1` in the environment every one of them is loaded from source, which is
how `tests/matching/test_compiled_modules.py` runs the reference beside the compiled
modules. This module imports nothing of `matching`, so `setup.py` can read it before
anything is built; importing it (`matching/__init__.py` does, first) installs the finder.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

#: Reading names: words, legal forms, the phonetic fold, normal forms and keys.
COMPILED_MODULES = (
    "matching.indic",
    "matching.phonetic",
    "matching.legal_words",
    "matching.legal",
    "matching.words",
    "matching.normalise",
    "matching.keys",
)


class SourceWhenNewer:
    """A meta path finder: for the modules above, the source when the compiled module is
    older than it, or when `pure`; otherwise it leaves the choice to the usual finders."""

    def __init__(self, pure: bool) -> None:
        self.pure = pure

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name not in COMPILED_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            return None
        assert spec.origin is not None
        compiled = Path(spec.origin)
        source = compiled.with_name(name.rsplit(".", 1)[1] + ".py")
        if not source.exists():
            return None
        if self.pure or source.stat().st_mtime > compiled.stat().st_mtime:
            return importlib.util.spec_from_file_location(name, source)
        return None


def install() -> None:
    """Put the finder first (once)."""
    if not any(isinstance(finder, SourceWhenNewer) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceWhenNewer(os.environ.get("MATCHING_PURE") == "1"))


install()


def is_compiled(module: ModuleType) -> bool:
    """Whether `module` was loaded from its compiled form."""
    return isinstance(getattr(module, "__loader__", None), importlib.machinery.ExtensionFileLoader)
