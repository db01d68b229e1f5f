"""SMS and WhatsApp messages go through the outbox like email: own rows, retries, sent
once each even with two workers running."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry import outbox, worker
from registry.channels.transports import TextMessage
from registry.db import make_engine, make_sessionmaker
from registry.models import OutboxMessage, utcnow


class NoMail:
    def send(self, message):
        raise AssertionError("a text message went to the mailer")


class Recorder:
    def __init__(self, failures=0, pause=0.0):
        self.failures, self.pause = failures, pause
        self.sent: list[TextMessage] = []
        self.lock = threading.Lock()

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise ConnectionError("provider down")
        time.sleep(self.pause)
        with self.lock:
            self.sent.append(message)


def test_sms_and_whatsapp_rows_reach_their_file_sinks(db, settings, tmp_path):
    outbox.queue_text(db, "sms", "notice", "+919876543210", "Notice ₹ 500", "1107160000000001")
    outbox.queue_text(db, "whatsapp", "notice", "+919876543210", "Notice", "payment_notice")
    settings = settings.but(
        sms_url=f"file://{tmp_path}/sms", whatsapp_url=f"file://{tmp_path}/whatsapp"
    )
    report = outbox.deliver_due(db, NoMail(), channels=worker.channels_of(settings))
    assert (report.sent, report.failed) == (2, 0)
    [sms] = (tmp_path / "sms").glob("*.json")
    [whatsapp] = (tmp_path / "whatsapp").glob("*.json")
    assert json.loads(sms.read_text(encoding="utf-8")) == {
        "to": "+919876543210",
        "text": "Notice ₹ 500",
        "template": "1107160000000001",
    }
    assert json.loads(whatsapp.read_text())["template"] == "payment_notice"
    assert outbox.deliver_due(db, NoMail(), channels=worker.channels_of(settings)).sent == 0


def test_default_settings_put_texts_under_the_instance_folder(tmp_path):
    from registry.settings import Settings

    settings = Settings.from_env({"SECRET_KEY": "x" * 40}, instance_path=tmp_path)
    assert settings.sms_url == f"file://{tmp_path / 'sms'}"
    assert settings.whatsapp_url == f"file://{tmp_path / 'whatsapp'}"


def test_a_failed_text_is_kept_and_retried(db):
    message = outbox.queue_text(db, "sms", "notice", "+919876543210", "hi")
    channel = Recorder(failures=1)
    first = outbox.deliver_due(db, NoMail(), channels={"sms": channel})
    db.refresh(message)
    assert (first.sent, first.failed) == (0, 1)
    assert message.sent_at is None and "provider down" in message.last_error
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert outbox.deliver_due(db, NoMail(), channels={"sms": channel}).sent == 1
    assert [m.to for m in channel.sent] == ["+919876543210"]


def test_a_text_for_an_unconfigured_channel_waits_rather_than_being_lost(db):
    message = outbox.queue_text(db, "whatsapp", "notice", "+919876543210", "hi")
    report = outbox.deliver_due(db, NoMail(), channels={"whatsapp": None})
    db.refresh(message)
    assert report.failed == 1 and message.sent_at is None
    assert "WHATSAPP_URL" in message.last_error


def test_unknown_channels_are_refused_when_queued(db):
    with pytest.raises(ValueError, match="pigeon"):
        outbox.queue_text(db, "pigeon", "notice", "+919876543210", "hi")


def test_two_workers_send_each_message_once(database_server):
    url = database_server.migrated_url()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions.begin() as session:
            for n in range(12):
                outbox.queue_text(session, "sms", "notice", f"+91987654{n:04d}", f"m{n}")
        channel = Recorder(pause=0.01)
        errors: list[BaseException] = []

        def one_worker() -> None:
            try:
                with sessions() as session:
                    outbox.deliver_due(session, NoMail(), channels={"sms": channel})
            except BaseException as exc:  # reported below
                errors.append(exc)

        workers = [threading.Thread(target=one_worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(30)
        assert errors == []
        assert sorted(m.text for m in channel.sent) == sorted(f"m{n}" for n in range(12))
        with sessions() as session:
            rows = session.scalars(select(OutboxMessage)).all()
            assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    finally:
        engine.dispose()
