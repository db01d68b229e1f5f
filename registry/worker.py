"""`registry worker`: sends the outbox, applies the moves that time makes, and clears
what nobody will use: abandoned imports, and uploaded files that no row names."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from registry import faults, idempotency, outbox
from registry.bulk import batches
from registry.channels.templates import Templates, parse_table
from registry.channels.transports import Channel, channel_from_url
from registry.complaints import disputes, life
from registry.complaints.notices import reminders
from registry.db import READS_ONLY
from registry.directory import aliases
from registry.mailer import Mailer
from registry.payments import orders
from registry.rights import requests as privacy_requests
from registry.rights import retention
from registry.search_index import index_file, name_index
from registry.settings import Settings
from registry.uploads import orphans

log = logging.getLogger(__name__)

#: How often `run_forever` looks for orphan files: listing a large (perhaps network)
#: uploads folder every few seconds would be waste, and they wait `orphans.MIN_AGE` anyway.
SWEEP_EVERY = 15 * 60.0
#: Businesses whose pre-provenance names one round re-judges (init-db does them all).
REJUDGE_PER_ROUND = 50


@dataclass
class Round:
    listed: int = 0
    reminders: int = 0
    disputes_overdue: int = 0
    dispute_reminders: int = 0
    complaints_erased: int = 0
    messages_forgotten: int = 0
    documents_forgotten: int = 0
    aliases_rejudged: int = 0
    idempotency_keys_forgotten: int = 0
    orders_expired: int = 0
    imports_expired: int = 0
    privacy_escalations: int = 0
    orphan_files_removed: int = 0
    index_changes_pruned: int = 0
    index_file_written: int = 0
    emails_sent: int = 0
    emails_failed: int = 0


def channels_of(settings: Settings) -> dict[str, Channel | None]:
    """The SMS and WhatsApp channels the settings name (None where no URL is set)."""
    urls = {"sms": settings.sms_url, "whatsapp": settings.whatsapp_url}
    templates = templates_of(settings)
    return {
        name: channel_from_url(name, url, templates) if url else None for name, url in urls.items()
    }


def templates_of(settings: Settings) -> Templates:
    """The provider template tables the settings configure."""
    return Templates(
        dlt_entity_id=settings.sms_dlt_entity_id or None,
        sms=parse_table(settings.sms_dlt_templates, "SMS_DLT_TEMPLATES"),
        whatsapp=parse_table(settings.whatsapp_templates, "WHATSAPP_TEMPLATES"),
        whatsapp_language=settings.whatsapp_template_language,
    )


def run_once(
    sessions: sessionmaker[Session], mailer: Mailer, settings: Settings, *, sweep: bool = True
) -> Round:
    """One round: time-based transitions first (they queue emails), then the outbox, then
    (when `sweep`) the orphan files and the index's oldest listed changes. Each part
    commits on its own."""
    result = Round()
    with sessions() as session:
        with session.begin():
            if _this_worker_does_the_round(session):
                result.reminders = reminders.send_due_reminders(session, settings)
                result.listed = life.list_notice_period_over(session)
                result.dispute_reminders = disputes.remind_admins(session)
                result.disputes_overdue = disputes.flag_overdue(session)
                result.privacy_escalations = privacy_requests.escalate(session)
                result.orders_expired = orders.expire_overdue(session)
                result.imports_expired = batches.expire_abandoned(session, settings)
                result.complaints_erased = retention.erase_closed(session, settings)
                result.messages_forgotten = retention.forget_messages(session, settings)
                result.documents_forgotten = retention.forget_refused_documents(session, settings)
                result.aliases_rejudged = aliases.rejudge(session, limit=REJUDGE_PER_ROUND)
                result.idempotency_keys_forgotten = idempotency.purge(session)
            faults.pause("worker-round")
        delivered = outbox.deliver_due(session, mailer, channels=channels_of(settings))
    result.emails_sent, result.emails_failed = delivered.sent, delivered.failed
    if sweep:
        with sessions() as session:
            session.connection(execution_options=READS_ONLY)
            result.orphan_files_removed = orphans.sweep(session, settings)
        with sessions() as session, session.begin():
            result.index_changes_pruned = name_index.prune_changes(session)
    if settings.search_index_dir is not None:
        with sessions() as session:
            result.index_file_written = int(
                index_file.refresh(
                    session.connection(execution_options=READS_ONLY), settings.search_index_dir
                )
            )
    return result


#: The PostgreSQL advisory lock one worker holds while it makes time's moves.
ROUND_LOCK = 7_418_203_117


def _this_worker_does_the_round(session: Session) -> bool:
    """Whether this worker makes this round's time-based moves: on PostgreSQL the one
    holding a transaction-scoped advisory lock does, and another worker running at the
    same moment skips them (each move happens once); SQLite lets one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ROUND_LOCK}))


def run_forever(
    sessions: sessionmaker[Session], mailer: Mailer, settings: Settings, interval: float = 5.0
) -> None:
    log.info("worker started")
    try:
        with sessions.begin() as session:
            outbox.recover_interrupted(session)
    except Exception:  # the database is away: the claims expire on their own instead
        log.exception("could not release emails interrupted by a stopped worker")
    next_sweep = 0.0
    while True:
        try:
            sweep = time.monotonic() >= next_sweep
            done = run_once(sessions, mailer, settings, sweep=sweep)
            if sweep:
                next_sweep = time.monotonic() + SWEEP_EVERY
            if any(asdict(done).values()):
                log.info("worker round: %s", asdict(done))
        except Exception:
            log.exception("worker round failed; retrying")
        time.sleep(interval)
