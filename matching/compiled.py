"""The compiled twins (Cython, built by `make install` where gcc and the Python headers
are): each module that has one keeps its pure-Python reference and takes the twin only
when it was built."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType


def compiled_twin(name: str) -> ModuleType | None:
    """The compiled module `name` when it was built, else None."""
    try:
        return import_module(name)
    except ImportError:
        return None
