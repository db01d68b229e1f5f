"""Plain lines for a person at a terminal, JSON lines (without colour codes) otherwise."""

from __future__ import annotations

import io
import json
import logging

from registry import logs
from registry.settings import Settings


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("khata.access", logging.INFO, __file__, 1, message, (), None)


def test_a_terminal_gets_plain_lines_and_a_pipe_gets_json():
    assert isinstance(logs.handler(Terminal()).formatter, logs.PlainFormatter)
    assert isinstance(logs.handler(io.StringIO()).formatter, logs.JsonFormatter)
    plain = logs.PlainFormatter().format(record("GET /login 200"))
    assert "INFO" in plain and plain.endswith("GET /login 200") and "{" not in plain


def test_log_format_overrides_the_guess():
    assert logs.wants_json(Terminal(), {"LOG_FORMAT": "json"})
    assert not logs.wants_json(io.StringIO(), {"LOG_FORMAT": "plain"})
    assert not logs.wants_json(Terminal(), {})


def test_json_lines_carry_no_colour_codes():
    coloured = "\x1b[31m\x1b[1mWARNING: This is a development server.\x1b[0m"
    line = json.loads(logs.JsonFormatter().format(record(coloured)))
    assert line["message"] == "WARNING: This is a development server."


def test_links_follow_the_port_unless_public_base_url_is_set(tmp_path):
    assert Settings.from_env({"PORT": "8123"}, tmp_path).public_base_url == "http://127.0.0.1:8123"
    assert Settings.from_env({}, tmp_path).public_base_url == "http://127.0.0.1:5000"
    chosen = {"PORT": "8123", "PUBLIC_BASE_URL": "https://khata.example/"}
    assert Settings.from_env(chosen, tmp_path).public_base_url == "https://khata.example"
