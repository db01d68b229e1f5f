"""Search tests build businesses and complaints with the payment tests' factories."""

from tests.payments.conftest import make_business, make_complaint  # noqa: F401 (fixtures)
