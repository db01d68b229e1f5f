"""Configuration read once from the environment (see API.md), never at import time.

`Settings.from_env()` is called by `create_app()` and by the CLI; tests build their own
`Settings` instead of mutating a global one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

PRODUCT_NAME = "Khata Registry"

DEFAULT_INSTANCE = Path.cwd() / "instance"


class ConfigurationError(RuntimeError):
    """The environment cannot run the app as asked (e.g. production without secrets)."""


def _index_dir(env: Mapping[str, str], instance: Path) -> Path | None:
    """`SEARCH_INDEX_DIR`: unset means the instance's `search-index` (the index costs
    memory once per machine out of the box); set empty, no file (a copy per worker)."""
    if "SEARCH_INDEX_DIR" not in env:
        return instance / "search-index"
    return Path(env["SEARCH_INDEX_DIR"]) if env["SEARCH_INDEX_DIR"] else None


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from exc


def _decimal(env: Mapping[str, str], name: str, default: str) -> Decimal:
    raw = env.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc
    if not value.is_finite() or value < 0:
        raise ConfigurationError(f"{name} must be a non-negative number, got {raw!r}")
    return value


def _template_table(env: Mapping[str, str], name: str) -> str:
    """A `kind=template` table as given, refused at start-up when it cannot be read."""
    from registry.channels.templates import TemplateTableError, parse_table

    text = env.get(name, "")
    try:
        parse_table(text, name)
    except TemplateTableError as exc:
        raise ConfigurationError(str(exc)) from exc
    return text


def _kept_secret(instance: Path, filename: str, make: Any) -> str:
    """A development secret generated once and kept in instance/ so restarts keep sessions."""
    path = instance / filename
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value: str = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


DEMO_GRIEVANCE_OFFICER = (
    "Grievance Officer (demo), Khata Registry Services Private Limited, Pune; "
    "grievance@registry.example.in, +91 20 4000 0000"
)

#: What each payment gateway needs from the environment (the test gateway: nothing).
GATEWAY_KEYS: dict[str, tuple[str, ...]] = {
    "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
    "razorpay": ("RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET"),
    "test": (),
}

#: The seller printed on tax invoices on a developer's machine (a made-up company with a
#: well-formed GSTIN); production sets its own.
DEMO_SELLER = {
    "REGISTRY_LEGAL_NAME": "Khata Registry Services Private Limited (demo)",
    "REGISTRY_GSTIN": "27AAACK1234K1ZP",
    "REGISTRY_ADDRESS": "Office 4, Demo Towers, Baner Road, Pune, Maharashtra 411045",
}


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    instance_path: Path = field(default_factory=lambda: DEFAULT_INSTANCE)
    database_url: str = ""
    #: A streaming replica of `database_url` that searches read from (optional).
    database_replica_url: str | None = None
    secret_key: str = ""
    mail_url: str = ""
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str = ""
    stripe_api_base: str | None = None
    report_price_paise: int = 49900
    notice_period_days: int = 15
    dispute_deadline_days: int = 30
    #: Withdrawn and removed complaints' personal data is erased this long after closing.
    erase_closed_after_days: int = 365
    public_base_url: str = "http://127.0.0.1:5000"
    ratelimit_enabled: bool = True
    redis_url: str | None = None
    minimum_claim_paise: int = 100000
    msme_bank_rate_percent: Decimal = Decimal("6.50")
    upload_max_bytes: int = 5 * 1024 * 1024
    trusted_proxies: int = 0
    #: Each web worker keeps a copy of the name index in memory
    #: (`registry.search_index.memory_copy`).
    search_index_copy: bool = True
    #: Where the machine's index file lives (`SEARCH_INDEX_DIR`, by default
    #: `<instance>/search-index`; `registry.search_index.index_file`): web workers map it
    #: instead of each loading a copy; the worker keeps it current. None (the variable set
    #: empty): each web worker keeps a copy of its own in memory.
    search_index_dir: Path | None = None
    #: Searches one API key may make per minute (`API_SEARCH_PER_MINUTE`).
    api_search_per_minute: int = 60
    #: `stripe`, `razorpay` or `test` (`PAYMENT_GATEWAY`; by default `stripe` when a Stripe
    #: key is set, else the local test gateway).
    payment_gateway: str = "test"
    razorpay_key_id: str | None = None
    razorpay_key_secret: str | None = None
    razorpay_webhook_secret: str | None = None
    #: A Razorpay-compatible server (tests run a local stand-in).
    razorpay_api_base: str | None = None
    #: Name and contact of the grievance officer (DPDP Act), shown on /grievance.
    grievance_officer: str = DEMO_GRIEVANCE_OFFICER
    #: The seller on GST tax invoices (`REGISTRY_LEGAL_NAME`, `REGISTRY_GSTIN`, `REGISTRY_ADDRESS`).
    registry_legal_name: str = DEMO_SELLER["REGISTRY_LEGAL_NAME"]
    registry_gstin: str = DEMO_SELLER["REGISTRY_GSTIN"]
    registry_address: str = DEMO_SELLER["REGISTRY_ADDRESS"]
    #: SMS and WhatsApp: `file:///dir` (one JSON per message) or a provider's http(s) URL.
    sms_url: str = ""
    whatsapp_url: str = ""
    #: India's DLT registration: the sender entity id, and `kind=template id` pairs for
    #: each kind of SMS (`registry.channels.templates.KINDS`); needed by an HTTP provider.
    sms_dlt_entity_id: str = ""
    sms_dlt_templates: str = ""
    #: `kind=approved template name` pairs for WhatsApp (default `khata_<kind>`).
    whatsapp_templates: str = ""
    whatsapp_template_language: str = "en"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def uploads_path(self) -> Path:
        return self.instance_path / "uploads"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, instance_path: Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(instance_path or env.get("REGISTRY_INSTANCE") or DEFAULT_INSTANCE)
        mode = env.get("REGISTRY_ENV", "development") or "development"
        production = mode == "production"
        gateway = (
            env.get("PAYMENT_GATEWAY") or ("stripe" if env.get("STRIPE_SECRET_KEY") else "test")
        ).lower()
        if gateway not in GATEWAY_KEYS:
            raise ConfigurationError(
                f"PAYMENT_GATEWAY must be one of {', '.join(GATEWAY_KEYS)}, not {gateway!r}"
            )
        if production:
            # Production never runs the local test gateway: without a choice, it is Stripe.
            keys = GATEWAY_KEYS["stripe" if gateway == "test" else gateway]
            missing = [name for name in ("SECRET_KEY", *keys) if not env.get(name)]
            if missing:
                raise ConfigurationError(
                    "REGISTRY_ENV=production refuses to start without: " + ", ".join(missing)
                )
        elif gateway == "razorpay":
            missing = [name for name in GATEWAY_KEYS["razorpay"] if not env.get(name)]
            if missing:
                raise ConfigurationError("PAYMENT_GATEWAY=razorpay needs " + ", ".join(missing))
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'registry.sqlite3'}"
        secret_key = env.get("SECRET_KEY") or _kept_secret(
            instance, "secret_key", lambda: secrets.token_urlsafe(48)
        )
        webhook_secret = env.get("STRIPE_WEBHOOK_SECRET") or _kept_secret(
            instance, "webhook_secret", lambda: "whsec_" + secrets.token_urlsafe(32)
        )
        return cls(
            env=mode,
            instance_path=instance,
            database_url=database_url,
            database_replica_url=env.get("DATABASE_REPLICA_URL") or None,
            secret_key=secret_key,
            mail_url=env.get("MAIL_URL") or f"file://{instance / 'outbox'}",
            stripe_secret_key=env.get("STRIPE_SECRET_KEY") or None,
            stripe_webhook_secret=webhook_secret,
            stripe_api_base=env.get("STRIPE_API_BASE") or None,
            report_price_paise=_int(env, "REPORT_PRICE_PAISE", 49900),
            notice_period_days=_int(env, "NOTICE_PERIOD_DAYS", 15),
            dispute_deadline_days=_int(env, "DISPUTE_DEADLINE_DAYS", 30),
            erase_closed_after_days=_int(env, "ERASE_CLOSED_AFTER_DAYS", 365),
            public_base_url=(
                env.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{env.get('PORT') or 5000}"
            ).rstrip("/"),
            ratelimit_enabled=_bool(env.get("RATELIMIT_ENABLED"), True),
            redis_url=env.get("REDIS_URL") or None,
            minimum_claim_paise=_int(env, "MINIMUM_CLAIM_PAISE", 100000),
            upload_max_bytes=_int(env, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
            msme_bank_rate_percent=_decimal(env, "MSME_BANK_RATE_PERCENT", "6.50"),
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
            search_index_copy=_bool(env.get("SEARCH_INDEX_COPY"), True),
            search_index_dir=_index_dir(env, instance),
            api_search_per_minute=_int(env, "API_SEARCH_PER_MINUTE", 60),
            grievance_officer=env.get("GRIEVANCE_OFFICER") or DEMO_GRIEVANCE_OFFICER,
            payment_gateway=gateway,
            razorpay_key_id=env.get("RAZORPAY_KEY_ID") or None,
            razorpay_key_secret=env.get("RAZORPAY_KEY_SECRET") or None,
            razorpay_webhook_secret=env.get("RAZORPAY_WEBHOOK_SECRET") or None,
            razorpay_api_base=env.get("RAZORPAY_API_BASE") or None,
            **{name.lower(): env.get(name) or demo for name, demo in DEMO_SELLER.items()},
            sms_url=env.get("SMS_URL") or f"file://{instance / 'sms'}",
            whatsapp_url=env.get("WHATSAPP_URL") or f"file://{instance / 'whatsapp'}",
            sms_dlt_entity_id=env.get("SMS_DLT_ENTITY_ID", "").strip(),
            sms_dlt_templates=_template_table(env, "SMS_DLT_TEMPLATES"),
            whatsapp_templates=_template_table(env, "WHATSAPP_TEMPLATES"),
            whatsapp_template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE") or "en",
        )

    def but(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests use this instead of mutating)."""
        return replace(self, **changes)
