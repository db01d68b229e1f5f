"""SMS and WhatsApp channels: mobile numbers, segment counting and both transports."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from registry.channels.segments import count_segments, fit_sms
from registry.channels.templates import Templates, TemplateTableError, parse_table
from registry.channels.transports import (
    FileChannel,
    HttpChannel,
    PermanentFailure,
    ProviderRefused,
    ProviderRejected,
    TemplateMissing,
    TextMessage,
    channel_from_url,
)
from registry.errors import ValidationFailed
from registry.identifiers import normalise_mobile

LINK = "http://localhost:5000/notices/AbCdEf0123456789AbCdEf"


@pytest.mark.parametrize(
    "typed", ["98765 43210", "+91 98765-43210", "09876543210", "919876543210", " 9876543210 "]
)
def test_indian_mobiles_are_accepted_however_typed(typed):
    assert normalise_mobile(typed) == "+919876543210"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("12345", "not a valid"),
        ("not a number", "Enter a mobile"),
        ("", "Enter a mobile"),
        ("+91 11 2345 6789", "not a mobile"),  # a Delhi landline
        ("98765432101234", "not a valid"),
    ],
)
def test_bad_and_landline_numbers_are_refused_with_words(typed, words):
    with pytest.raises(ValidationFailed) as caught:
        normalise_mobile(typed)
    assert words in caught.value.fields["mobile"]


def test_gsm7_segments_are_160_then_153():
    assert count_segments("a" * 160).count == 1
    assert count_segments("a" * 161).count == 2
    assert count_segments("a" * 306).count == 2
    assert count_segments("a" * 307).count == 3
    assert count_segments("a" * 160).encoding == "GSM-7"


def test_extension_characters_count_twice():
    assert count_segments("€" * 80).count == 1
    assert count_segments("€" * 81).count == 2


def test_hindi_and_rupee_are_ucs2_at_70_then_67():
    assert count_segments("क" * 70).encoding == "UCS-2"
    assert count_segments("क" * 70).count == 1
    assert count_segments("क" * 71).count == 2
    assert count_segments("₹" * 134).count == 2
    assert count_segments("₹" * 135).count == 3
    # one character outside GSM-7 turns the whole text into UCS-2
    assert count_segments("a" * 69 + "₹").count == 1
    assert count_segments("a" * 70 + "₹").count == 2


def test_long_texts_are_shortened_to_two_segments_and_keep_the_link():
    text = "Notice from Khata Registry: " + "an unpaid invoice of Rs 1,20,000 " * 20
    fitted = fit_sms(text, LINK)
    assert fitted.endswith(LINK)
    assert "..." in fitted
    assert count_segments(fitted).count <= 2
    hindi = "खाता रजिस्ट्री से सूचना: " * 20
    fitted = fit_sms(hindi, LINK)
    assert fitted.endswith(LINK) and count_segments(fitted).count <= 2


def test_short_texts_are_sent_whole():
    assert fit_sms("You have a notice.", LINK) == f"You have a notice. {LINK}"


def test_file_channel_writes_one_json_per_message_and_a_resend_overwrites(tmp_path):
    channel = channel_from_url("sms", f"file://{tmp_path}/sms")
    assert isinstance(channel, FileChannel)
    message = TextMessage(7, "+919876543210", "नमस्ते ₹500", "1107160000000012345")
    channel.send(message)
    channel.send(message)
    files = list((tmp_path / "sms").iterdir())
    assert [f.name for f in files] == ["00000007.json"]
    assert json.loads(files[0].read_text(encoding="utf-8")) == {
        "to": "+919876543210",
        "text": "नमस्ते ₹500",
        "template": "1107160000000012345",
    }


def test_file_channel_leaves_out_an_absent_template(tmp_path):
    FileChannel("whatsapp", tmp_path).send(TextMessage(1, "+919876543210", "hi"))
    assert json.loads((tmp_path / "00000001.json").read_text()) == {
        "to": "+919876543210",
        "text": "hi",
    }


def test_unknown_url_schemes_are_refused():
    with pytest.raises(ValueError, match="SMS_URL"):
        channel_from_url("sms", "ftp://example.invalid/")


class _Provider:
    """A stand-in provider on a local port: records what it is sent, answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.status = 200
        self.answer = b""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                provider.received.append((dict(self.headers), body))
                self.send_response(provider.status)
                self.send_header("Content-Length", str(len(provider.answer)))
                self.end_headers()
                self.wfile.write(provider.answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    stand_in = _Provider()
    yield stand_in
    stand_in.close()


TEMPLATES = Templates(
    dlt_entity_id="1101234567890123456",
    sms={"notice": "1107160000000012345"},
    whatsapp={"notice": "payment_notice_v2"},
    whatsapp_language="en",
)


def test_http_sms_carries_the_dlt_ids_with_a_token_and_idempotency_key(provider):
    channel = channel_from_url("sms", f"http://s3cret@127.0.0.1:{provider.port}/v1/sms", TEMPLATES)
    assert isinstance(channel, HttpChannel)
    channel.send(TextMessage(42, "+919876543210", "सूचना ₹500 " + LINK, "notice"))
    headers, body = provider.received[0]
    assert body == {
        "to": "+919876543210",
        "text": "सूचना ₹500 " + LINK,
        "unicode": True,
        "segments": 1,
        "dlt_entity_id": "1101234567890123456",
        "dlt_template_id": "1107160000000012345",
    }
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["Idempotency-Key"] == "khata-sms-42"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert "s3cret" not in channel.url  # type: ignore[attr-defined]


def test_http_whatsapp_names_the_approved_template_and_its_parameters(provider):
    channel = channel_from_url("whatsapp", f"http://127.0.0.1:{provider.port}/send", TEMPLATES)
    channel.send(TextMessage(5, "+919876543210", f"You have a notice.\n\n{LINK}", "notice"))
    channel.send(TextMessage(6, "+919876543210", "Your dispute was upheld", "dispute_decided"))
    (_, first), (_, second) = provider.received
    assert first["type"] == "template"
    assert first["template"] == {
        "name": "payment_notice_v2",
        "language": "en",
        "parameters": ["You have a notice.", LINK],
    }
    assert second["template"]["name"] == "khata_dispute_decided"
    assert second["template"]["parameters"] == ["Your dispute was upheld"]


def test_an_sms_kind_without_a_dlt_template_is_kept_for_later_not_sent(provider):
    channel = channel_from_url("sms", f"http://127.0.0.1:{provider.port}/sms", TEMPLATES)
    with pytest.raises(TemplateMissing, match="SMS_DLT_TEMPLATES"):
        channel.send(TextMessage(1, "+919876543210", "hi", "notice_reminder"))
    assert provider.received == []
    assert isinstance(TemplateMissing("x"), ProviderRefused)  # retried, never dropped


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_5xx_or_busy_answer_is_retried(provider, status):
    provider.status = status
    channel = channel_from_url("whatsapp", f"http://127.0.0.1:{provider.port}/send", TEMPLATES)
    with pytest.raises(ProviderRefused, match=str(status)) as caught:
        channel.send(TextMessage(1, "+919876543210", "hi", "notice"))
    assert not isinstance(caught.value, PermanentFailure)


def test_a_4xx_is_a_final_rejection_with_the_providers_reason(provider):
    provider.status, provider.answer = 400, b'{"error": "template not approved"}'
    channel = channel_from_url("sms", f"http://127.0.0.1:{provider.port}/sms", TEMPLATES)
    with pytest.raises(ProviderRejected, match=r"400.*template not approved"):
        channel.send(TextMessage(1, "+919876543210", "hi", "notice"))


def test_http_channel_raises_when_the_provider_is_down():
    channel = HttpChannel("whatsapp", "http://127.0.0.1:9/nothing-listens", timeout=2)
    with pytest.raises(OSError):
        channel.send(TextMessage(1, "+919876543210", "hi"))


def test_template_tables_are_read_and_bad_ones_refused():
    table = parse_table(" notice=1107160000000012345 , dispute_decided=1107160000000099999", "X")
    assert table == {"notice": "1107160000000012345", "dispute_decided": "1107160000000099999"}
    assert parse_table("", "X") == {}
    with pytest.raises(TemplateTableError, match="unknown message kind"):
        parse_table("hello=1", "X")
    with pytest.raises(TemplateTableError, match="not kind=template"):
        parse_table("notice", "X")


def test_a_hindi_text_has_its_own_template():
    """DLT registers one wording in one language: the Hindi SMS of a kind goes under
    `<kind>_hi`, configured beside the English one."""
    from registry.channels.templates import template_kind

    table = parse_table("notice=1107000000000000001,notice_hi=1107000000000000002", "X")
    assert table == {"notice": "1107000000000000001", "notice_hi": "1107000000000000002"}
    assert (
        template_kind("notice", "en") == "notice" and template_kind("notice", "hi") == "notice_hi"
    )
    with pytest.raises(TemplateTableError, match="unknown message kind"):
        parse_table("notice_xx=1", "X")
