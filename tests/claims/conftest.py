"""Claims tests reuse the payments fixtures: businesses and complaints made directly."""

from tests.payments.conftest import make_business, make_complaint

__all__ = ["make_business", "make_complaint"]
