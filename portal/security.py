"""Browser-facing protections added to every response: a strict Content-Security-Policy
(no inline scripts or styles anywhere in the templates), no sniffing, no framing, HSTS
when the request really came over TLS, and `no-store` on anything private.

Behind a reverse proxy, `TRUSTED_PROXIES` says how many proxies in front of the app may
be believed about the client's address and scheme (`X-Forwarded-For`/`-Proto`/`-Host`);
with the default 0 those headers are ignored, so a client cannot claim to be on TLS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request, session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response as BaseResponse

from registry.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# Pages a debtor opens with its private link: the token is the credential.
PRIVATE_PREFIXES = ("/notice/", "/api/v1/notices/")


# The largest id a PostgreSQL `integer` column holds: a bigger one in an address is no
# record of ours (404), rather than a database error.
MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route, bounded to what the id columns can hold."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        # Named, not *args: a positional `max` in a rule would otherwise reach the base
        # class twice (mypy's "multiple values for keyword argument").
        super().__init__(url_map, fixed_digits, min, MAX_ID if max is None else max, signed)


def install_id_converter(app: Flask) -> None:
    """Before any blueprint adds its rules."""
    app.url_map.converters["int"] = DatabaseIdConverter


def init_app(app: Flask, settings: Settings) -> None:
    proxies = max(0, settings.trusted_proxies)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.after_request(secure_headers)


def _private() -> bool:
    """Whoever asked was signed in, sent an API key, or holds a notice token."""
    return (
        "_user_id" in session
        or "Authorization" in request.headers
        or request.path.startswith(PRIVATE_PREFIXES)
    )


def secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if _private() and "no-store" not in headers.get("Cache-Control", ""):
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def allow_form_action(response: BaseResponse, target: str) -> BaseResponse:
    """This one page may post a form to `target`'s origin (a gateway's hosted checkout);
    every other rule of the policy stays."""
    parts = urlsplit(target)
    origin = f"{parts.scheme}://{parts.netloc}"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {origin}"
    )
    return response
