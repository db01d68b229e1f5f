"""Files sent inside JSON as base64."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any

from registry.errors import ValidationFailed


def decode_files(field: str, items: Iterable[Mapping[str, Any]]) -> list[tuple[str, bytes]]:
    """(filename, content) pairs; a bad encoding is a 422 naming the item."""
    out: list[tuple[str, bytes]] = []
    errors: dict[str, str] = {}
    for i, item in enumerate(items):
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            errors[f"{field}.{i}.content_base64"] = "is not valid base64"
            continue
        out.append((str(item["filename"]), content))
    if errors:
        raise ValidationFailed(errors)
    return out
