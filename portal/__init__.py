"""The Flask portal: `create_app()` wires settings, database, extensions and blueprints.

No migrations and no `create_all()` here: `registry init-db` owns the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal import (
    admin,
    auth,
    database,
    errors,
    health,
    hostile,
    i18n,
    reports,
    request_log,
    security,
    web,
    webhooks,
)
from portal.api import RegistryApi
from portal.api import bp as api_bp
from portal.extensions import csrf, limiter, login_manager
from registry.money import rupees
from registry.payments.gateways import gateway_for
from registry.settings import PRODUCT_NAME, Settings

API_DESCRIPTION = (
    "Khata Registry JSON API. Authenticate with `Authorization: Bearer <api key>`. "
    "Money is integer paise, dates ISO-8601, times UTC. Errors: "
    '`{"error": {"code", "message", "fields"?}}`.'
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` may carry `REGISTRY_SETTINGS` (a `Settings`, else read from
    the environment), `SESSION_FACTORY` (tests bind sessions to one connection) and any
    Flask setting."""
    config = dict(config or {})
    settings: Settings = config.pop("REGISTRY_SETTINGS", None) or Settings.from_env()
    session_factory = config.pop("SESSION_FACTORY", None)
    gateway = config.pop("PAYMENT_GATEWAY", None)  # tests hand in a fake one

    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=8 * settings.upload_max_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        # Only a refusal says when to retry (`portal.errors`): the X-RateLimit-* headers on
        # every answer cost two more round trips to the limiter's storage per request.
        RATELIMIT_HEADERS_ENABLED=False,
        API_TITLE=PRODUCT_NAME,
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": API_DESCRIPTION}},
        PRODUCT_NAME=PRODUCT_NAME,
    )
    app.config.update(config)

    database.init_app(app, settings, session_factory)
    app.extensions["gateway"] = gateway or gateway_for(settings)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = "Please log in to see that page."
    auth.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.install_id_converter(app)
    _register_blueprints(app)
    errors.register(app)
    security.init_app(app, settings)
    hostile.init_app(app)
    request_log.init_app(app, configure_handler=not app.testing)
    app.jinja_env.globals.update(rupees=rupees)
    app.context_processor(lambda: {"notice_days": settings.notice_period_days})
    # Last, once the app is built: Python 3.11's AST objects are not safe to build in two
    # threads at once (werkzeug builds its routing rules as AST objects while the app is
    # created), and the loading thread must never run beside that.
    database.start_index_copy(app)
    return app


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(health.bp)
    app.register_blueprint(web.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(reports.test_gateway_bp)
    app.register_blueprint(reports.razorpay_checkout_bp)
    csrf.exempt("portal.reports.razorpay_checkout.returned")  # Razorpay posts it, signed
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
    csrf.exempt(api_bp)
    api = RegistryApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme(
        "businessToken",
        {"type": "http", "scheme": "bearer", "description": "a claimed business's token"},
    )
    api.register_blueprint(api_bp)
