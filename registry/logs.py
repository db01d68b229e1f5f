"""Log lines for people and for machines: plain readable lines on a terminal, one JSON
object per line otherwise (a log collector reads those). `LOG_FORMAT=plain|json`
overrides the guess. JSON lines never carry terminal colour codes, whoever wrote them
(the development server colours its own messages)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import Any, TextIO

#: ANSI escape sequences (colours, bold) that a terminal-minded library put in a message.
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def plain_text(text: str) -> str:
    return ANSI.sub("", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; structured fields passed with `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": plain_text(record.getMessage()),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = plain_text(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


class PlainFormatter(logging.Formatter):
    """`15:42:07 INFO  khata.access  GET /login 200  (request 3f2a…)` for a person."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s  %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", "-")
        return text if request_id in ("-", None) else f"{text}  [request {request_id}]"


def wants_json(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """JSON unless the stream is a terminal; `LOG_FORMAT` decides when it is set."""
    chosen = (environ if environ is not None else os.environ).get("LOG_FORMAT", "").lower()
    if chosen in {"json", "plain"}:
        return chosen == "json"
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def handler(stream: TextIO | None = None) -> logging.Handler:
    out = stream or sys.stderr
    made = logging.StreamHandler(out)
    made.setFormatter(JsonFormatter() if wants_json(out) else PlainFormatter())
    return made


def configure(stream: TextIO | None = None, level: int = logging.INFO) -> None:
    """Give the root logger our handler when nobody configured logging yet."""
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(handler(stream))
    root.setLevel(level)
