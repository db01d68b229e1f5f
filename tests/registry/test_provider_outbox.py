"""Texts through a provider's HTTP API end to end: the worker's settings name the DLT and
WhatsApp templates, a 5xx is retried until it goes, a 4xx is marked failed with the
provider's reason and never retried, and a bad template table stops the start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from registry import outbox, worker
from registry.models import OutboxMessage, utcnow
from registry.settings import ConfigurationError, Settings
from tests.registry.test_channels import _Provider


class NoMail:
    def send(self, message):
        raise AssertionError("a text message went to the mailer")


@pytest.fixture
def provider():
    stand_in = _Provider()
    yield stand_in
    stand_in.close()


def configured(settings, provider):
    return settings.but(
        sms_url=f"http://127.0.0.1:{provider.port}/sms",
        whatsapp_url=f"http://127.0.0.1:{provider.port}/whatsapp",
        sms_dlt_entity_id="1101234567890123456",
        sms_dlt_templates="notice=1107160000000012345",
        whatsapp_templates="notice=payment_notice_v2",
    )


def due_now(db):
    db.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.commit()


def test_a_5xx_is_retried_and_a_4xx_is_failed_for_good(db, settings, provider):
    channels = worker.channels_of(configured(settings, provider))
    sms = outbox.queue_text(db, "sms", "notice", "+919876543210", "Notice", "notice")
    db.commit()
    provider.status = 503
    assert outbox.deliver_due(db, NoMail(), channels=channels).failed == 1
    db.refresh(sms)
    assert sms.sent_at is None and sms.failed_at is None and "503" in sms.last_error
    provider.status = 200
    due_now(db)
    assert outbox.deliver_due(db, NoMail(), channels=channels).sent == 1
    headers, body = provider.received[-1]
    assert body["dlt_template_id"] == "1107160000000012345"
    assert headers["Idempotency-Key"] == f"khata-sms-{sms.id}"

    chat = outbox.queue_text(db, "whatsapp", "notice", "+919876543210", "Notice", "notice")
    db.commit()
    provider.status, provider.answer = 400, b"invalid recipient"
    assert outbox.deliver_due(db, NoMail(), channels=channels).failed == 1
    db.refresh(chat)
    assert chat.failed_at is not None and chat.sent_at is None
    assert "400" in chat.last_error and "invalid recipient" in chat.last_error
    provider.status = 200
    due_now(db)
    before = len(provider.received)
    assert outbox.deliver_due(db, NoMail(), channels=channels).sent == 0
    assert len(provider.received) == before  # never retried


def test_a_kind_without_a_dlt_template_waits_for_one(db, settings, provider):
    channels = worker.channels_of(configured(settings, provider))
    sms = outbox.queue_text(
        db, "sms", "notice_reminder", "+919876543210", "Reminder", "notice_reminder"
    )
    db.commit()
    assert outbox.deliver_due(db, NoMail(), channels=channels).failed == 1
    db.refresh(sms)
    assert sms.failed_at is None and "SMS_DLT_TEMPLATES" in sms.last_error
    assert provider.received == []
    fixed = configured(settings, provider).but(
        sms_dlt_templates="notice=1107160000000012345,notice_reminder=1107160000000022222"
    )
    due_now(db)
    assert outbox.deliver_due(db, NoMail(), channels=worker.channels_of(fixed)).sent == 1
    assert provider.received[0][1]["dlt_template_id"] == "1107160000000022222"


def test_template_tables_come_from_the_environment(tmp_path):
    env = {
        "REGISTRY_INSTANCE": str(tmp_path),
        "SMS_DLT_ENTITY_ID": "1101234567890123456",
        "SMS_DLT_TEMPLATES": "notice=1107160000000012345",
        "WHATSAPP_TEMPLATES": "notice=payment_notice_v2",
        "WHATSAPP_TEMPLATE_LANGUAGE": "hi",
    }
    settings = Settings.from_env(env)
    templates = worker.templates_of(settings)
    assert templates.dlt_entity_id == "1101234567890123456"
    assert templates.dlt_template("notice") == "1107160000000012345"
    assert templates.whatsapp_template("notice") == "payment_notice_v2"
    assert templates.whatsapp_language == "hi"
    with pytest.raises(ConfigurationError, match="SMS_DLT_TEMPLATES"):
        Settings.from_env(env | {"SMS_DLT_TEMPLATES": "notice:123"})
