"""A request id on every log line, and one JSON access line per request.

The id comes from a sane incoming `X-Request-ID` (a proxy or a client's own trace id) or
is made here; it is echoed in the response so a member can quote it to support. Every
log record made during a request carries it as `record.request_id` (a record factory, so
loggers of any library get it, not only ours); `registry.logs` prints it
(as JSON, or as plain lines on a terminal).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, has_request_context, request

from registry.logs import JsonFormatter, PlainFormatter, handler

ACCESS = logging.getLogger("khata.access")
HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
__all__ = ["JsonFormatter", "PlainFormatter", "RequestIdFilter", "init_app"]
_installed: list[Callable[..., logging.LogRecord]] = []


def current_request_id() -> str:
    if has_request_context():
        request_id: str | None = g.get("request_id")
        if request_id:
            return request_id
    return "-"


class RequestIdFilter(logging.Filter):
    """For handlers configured elsewhere (e.g. gunicorn's dictConfig): stamps the id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


def _install_record_factory() -> None:
    """Wrap the process's record factory once, however many apps are built."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    _installed.append(previous)
    logging.setLogRecordFactory(factory)


def _incoming_id() -> str:
    offered = request.headers.get(HEADER, "")
    if SANE_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _start() -> None:
    g.request_id = _incoming_id()
    g.request_started = time.perf_counter()


def _user_id() -> int | None:
    """The signed-in or key-holding user, without loading one just to log it."""
    api_user_id = g.get("api_user_id")
    if api_user_id is not None:
        return int(api_user_id)
    signed_in = g.get("_login_user")
    user = getattr(signed_in, "user", None)
    return int(user.id) if user is not None else None


#: The WSGI environ key where the request's route template is left for the server's own
#: access log (gunicorn: `portal.gunicorn_logging`).
ROUTE_KEY = "khata.route"
UNMATCHED = "<no route>"


def route_template() -> str:
    """The path as its route's template (`/notice/<token>`), never the path itself: a
    path may carry a notice token or a reset link. A path no route matched is not
    logged at all (it may be such a link mistyped)."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _finish(response: Response) -> Response:
    if "request_id" not in g:  # a before_request ahead of ours answered first
        _start()
    response.headers[HEADER] = g.request_id
    duration_ms = (time.perf_counter() - g.request_started) * 1000
    route = route_template()
    request.environ[ROUTE_KEY] = route
    fields = {
        "method": request.method,
        "path": route,
        "status": response.status_code,
        "duration_ms": round(duration_ms, 2),
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    ACCESS.info("%s %s %s", request.method, route, response.status_code, extra={"fields": fields})
    return response


def init_app(app: Flask, *, configure_handler: bool) -> None:
    """Our hooks run first before the request and last after it, so the id is set before
    anything can log, and the access line shows the status actually sent (after the
    database commit, which can still turn a success into an error)."""
    _install_record_factory()
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    if configure_handler:
        _configure_handler()


def _configure_handler() -> None:
    """Log lines on stderr when nobody configured logging (gunicorn, `flask run`): JSON,
    or plain lines when stderr is a terminal (`registry.logs`)."""
    root = logging.getLogger()
    if root.handlers:
        return
    ours = handler(sys.stderr)
    ours.addFilter(RequestIdFilter())
    root.addHandler(ours)
    logging.getLogger("khata").setLevel(logging.INFO)
