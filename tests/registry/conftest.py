"""The life-cycle machine's helper modules assert what users see: pytest rewrites their
asserts as it does a test module's, so a failure shows the values it compared."""

import pytest

pytest.register_assert_rewrite(
    "tests.registry.life_cycle_model",
    "tests.registry.life_cycle_checks",
    "tests.registry.life_cycle_filing",
)
