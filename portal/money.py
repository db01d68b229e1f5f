"""Rupees as people type them, paise as the registry stores them (shown by
`registry.money.rupees`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_paise(rupees: Decimal | str | None) -> int:
    if rupees is None or rupees == "":
        return 0
    try:
        value = Decimal(str(rupees).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError("not an amount") from exc
    return int((value * 100).to_integral_value())
