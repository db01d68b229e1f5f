"""The matcher's name reading, compiled as it is written (Cython's pure-Python mode).

`pyproject.toml` holds everything else, the `.pyx` twins included. These modules are the
CPU of a bulk load (every name normalised, keyed and entered in the vocabulary) and of a
search's query; compiled unchanged they run about 1.5 times as fast. The `.py` files stay
the reference: `matching.compiled_modules` loads a source instead of its compiled module when the
source is newer (edited since `make install`) or when `MATCHING_PURE=1`, and
`tests/matching/test_compiled_modules.py` holds both to the same answers.
"""

import importlib.util
import os
from pathlib import Path

from Cython.Build import cythonize
from setuptools import setup

# read without importing the package (which needs its dependencies installed first)
_spec = importlib.util.spec_from_file_location(
    "compiled_modules", Path(__file__).parent / "matching" / "compiled_modules.py"
)
assert _spec is not None and _spec.loader is not None
_list = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_list)
COMPILED_MODULES: tuple[str, ...] = _list.COMPILED_MODULES

setup(
    ext_modules=cythonize(
        [f"{name.replace('.', '/')}.py" for name in COMPILED_MODULES],
        compiler_directives={
            "language_level": 3,
            # annotations are documentation here: a `str` parameter may get a subclass
            "annotation_typing": False,
        },
        quiet=True,
        # a core each: the build is most of `make install` on a fresh clone (CI's too)
        nthreads=os.cpu_count() or 1,
    ),
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
