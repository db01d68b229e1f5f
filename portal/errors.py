"""Every error answered in one place: JSON in the API's one shape under /api/ and
/webhooks/, a friendly page elsewhere. Never a bare 500 for bad input."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.api.errors import ApiError, flatten_messages
from portal.extensions import limiter, login_manager
from portal.i18n import said
from portal.request_log import route_template
from registry.errors import (
    Conflict,
    InvalidTransition,
    NotAllowed,
    NotFound,
    RateLimited,
    RegistryError,
    ValidationFailed,
)
from registry.language import N_

log = logging.getLogger(__name__)

CODES = {
    400: "validation",
    401: "unauthorized",
    403: "not_found",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "validation",
    422: "validation",
    429: "rate_limited",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def _from_domain(exc: RegistryError) -> ApiError:
    if isinstance(exc, ValidationFailed):
        return ApiError(422, "validation", exc.message, exc.fields)
    if isinstance(exc, NotFound):
        return ApiError(404, "not_found", exc.message)
    if isinstance(exc, InvalidTransition):
        return ApiError(409, "invalid_transition", exc.message)
    if isinstance(exc, Conflict):
        return ApiError(409, exc.code, exc.message, **exc.extra)
    if isinstance(exc, NotAllowed):
        return ApiError(404, "not_found", exc.message)
    if isinstance(exc, RateLimited):
        return ApiError(429, "rate_limited", exc.message)
    return ApiError(400, exc.code, exc.message)


def _from_http(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    if status in {400, 422}:
        data = getattr(exc, "data", None) or {}
        fields = flatten_messages(data.get("messages", {})) if data else {}
        if not fields and status == 400:
            fields = {"_body": exc.description or "the request body is not valid JSON"}
        return ApiError(422, "validation", "The request has invalid fields.", fields)
    if status == 413:
        return ApiError(413, "validation", "The request is too large.")
    if status == 403:
        return ApiError(404, "not_found", "Not found.")
    code = CODES.get(status, "server_error" if status >= 500 else "error")
    return ApiError(status, code, exc.description or exc.name)


#: What an HTML error page says for an HTTP status (werkzeug's own words are English only).
PAGES = {
    400: (N_("That cannot be done"), N_("The request was not understood. Go back and try again.")),
    403: (N_("Not allowed"), N_("This page is not open to you.")),
    404: (
        N_("Page not found"),
        N_("There is no page at this address. Check the link, or start again from the start page."),
    ),
    405: (N_("That cannot be done"), N_("This page cannot be used that way.")),
    413: (N_("Too large"), N_("What was sent is larger than the registry accepts.")),
    429: (N_("Too many attempts"), N_("Please wait a few minutes and try again.")),
}


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    """The error page, its title and message in the reader's language (`message` may be
    a `Said` or a service's message: `said` translates either)."""
    page = render_template(
        "errors/error.html", status=status, title=said(title), message=said(message)
    )
    return page, status


def _say_when_to_retry(response: Response) -> None:
    """`Retry-After` on a refusal: the seconds until the breached limit's window ends.
    Only refusals carry it (the limiter's headers on every answer, `X-RateLimit-*`, cost
    two more trips to its storage per request, a search's included)."""
    breached = limiter.current_limit
    if breached is not None:
        response.headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        return exc.response()

    @app.errorhandler(RegistryError)
    def domain_error(exc: RegistryError) -> Response | tuple[str, int]:
        api = _from_domain(exc)
        if wants_json():
            return api.response()
        return _page(api.status, N_("That cannot be done"), said(exc))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            N_("Form expired"),
            N_(
                "The form was open too long or came from elsewhere. "
                "Go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if wants_json():
            response = _from_http(exc).response()
        else:
            status = exc.code or 500
            title, message = PAGES.get(
                status, (N_("That cannot be done"), N_("The request could not be answered."))
            )
            response = make_response(_page(status, title, message))
        if isinstance(exc, RateLimitExceeded):
            _say_when_to_retry(response)
        return response

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError) -> Response | tuple[str, int]:
        log.error("database unavailable: %s", exc)
        if wants_json():
            return ApiError(503, "unavailable", "The registry is briefly unavailable.").response()
        # The page's layout asks who is signed in; that needs the database, so show it
        # as to a visitor rather than fail again while rendering.
        g._login_user = login_manager.anonymous_user()
        return _page(503, N_("Briefly unavailable"), N_("Please try again in a minute."))

    @app.errorhandler(DataError)
    def out_of_range(exc: DataError) -> Response | tuple[str, int]:
        """A value the database cannot hold (an id beyond its integer range, say): the
        client's mistake, not ours."""
        log.warning("value refused by the database: %s", exc.orig)
        message = N_("A value is out of the range the registry accepts.")
        if wants_json():
            return ApiError(422, "validation", message).response()
        return _page(422, N_("That cannot be done"), message)

    @app.errorhandler(IntegrityError)
    def refused_by_a_constraint(exc: IntegrityError) -> Response | tuple[str, int]:
        """A uniqueness or reference rule the database enforced where no service caught
        it first (two requests racing, say): a conflict, not a crash."""
        log.warning("change refused by a database constraint: %s", type(exc.orig).__name__)
        message = N_("That conflicts with something already recorded.")
        if wants_json():
            return ApiError(409, "conflict", message).response()
        return _page(409, N_("That cannot be done"), message)

    @app.errorhandler(OverflowError)
    def too_large(exc: OverflowError) -> Response | tuple[str, int]:
        """A number too large for the database's driver (SQLite's 64-bit integers)."""
        message = N_("A value is out of the range the registry accepts.")
        if wants_json():
            return ApiError(422, "validation", message).response()
        return _page(422, N_("That cannot be done"), message)

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error on %s %s", request.method, route_template())
        if wants_json():
            return ApiError(500, "server_error", "Something went wrong on our side.").response()
        return _page(500, N_("Something went wrong"), N_("The error was logged; please try again."))
