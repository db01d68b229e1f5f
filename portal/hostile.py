"""Input no honest client sends, refused before any view sees it, in the one error shape
(API) or as a plain error page (portal): NUL bytes in any text (PostgreSQL cannot store
them, and they hide the end of a string from other programs), JSON nested deeper than
`MAX_DEPTH` (Python's parser would run out of stack) and integers beyond what the
database's columns hold (`MAX_INTEGER`)."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import NotFound, UnprocessableEntity

MAX_DEPTH = 32
#: A PostgreSQL `bigint`; every amount and id column fits in it.
MAX_INTEGER = 2**63 - 1


class HostileInput(UnprocessableEntity):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.data = {"messages": {field: [problem]}}


def _has_nul(value: str) -> bool:
    return "\x00" in value


def _check_text() -> None:
    if _has_nul(request.path):
        raise NotFound()  # no address of ours has one
    for name, value in request.args.items(multi=True):
        if _has_nul(name) or _has_nul(value):
            raise HostileInput(name.replace("\x00", "") or "_query", "contains a NUL character")
    if request.mimetype in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        for name, value in request.form.items(multi=True):
            if _has_nul(name) or _has_nul(value):
                raise HostileInput(name.replace("\x00", "") or "_form", "contains a NUL character")
        for name, upload in request.files.items(multi=True):
            if _has_nul(upload.filename or ""):
                raise HostileInput(name, "the file name contains a NUL character")


def _walk(document: Any) -> None:
    """Depth first, without recursion: depth, NUL bytes and integer sizes."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HostileInput(path or "_body", f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            for key, item in value.items():
                if _has_nul(key):
                    raise HostileInput(path or "_body", "a key contains a NUL character")
                stack.append((item, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{path}.{n}" if path else str(n), depth + 1) for n, item in enumerate(value)
            )
        elif isinstance(value, str) and _has_nul(value):
            raise HostileInput(path or "_body", "contains a NUL character")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
            raise HostileInput(path or "_body", "the number is too large")
        elif isinstance(value, float) and not math.isfinite(value):
            raise HostileInput(path or "_body", "not a finite number")


def _check_json() -> None:
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        document = json.loads(raw)
    except RecursionError as exc:
        raise HostileInput("_body", f"nested deeper than {MAX_DEPTH} levels") from exc
    except json.JSONDecodeError:
        return  # not JSON: the view's parser says so in its own words
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise HostileInput("_body", "a number is too large") from exc
    _walk(document)


def guard() -> None:
    _check_text()
    _check_json()


def init_app(app: Flask) -> None:
    app.before_request(guard)
