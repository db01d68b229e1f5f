"""Languages, Indian dates and human words (registry.language), without HTTP."""

from __future__ import annotations

import enum
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from registry import language, models
from registry.actors import Actor
from registry.complaints import filing
from registry.complaints.notices.mail import notice_email
from tests.conftest import filing_request

CATALOGUE = language.CATALOGUES / "hi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_english_and_hindi_are_spoken():
    assert language.available()[:2] == ("en", "hi")
    assert language.chosen("hi") == "hi" and language.chosen("xx") == "en"
    assert language.chosen(None) == "en"


@pytest.mark.parametrize(
    ("value", "code", "expected"),
    [
        (date(2026, 12, 4), "en", "4 Dec 2026"),
        (date(2026, 7, 31), "en", "31 Jul 2026"),
        (date(2026, 12, 4), "hi", "4 दिस॰ 2026"),
        # 20:00 UTC on 3 Dec is already 4 Dec in India.
        (datetime(2026, 12, 3, 20, 0, tzinfo=UTC), "en", "4 Dec 2026"),
        (None, "en", ""),
    ],
)
def test_dates_read_day_first_with_the_month_in_words(value, code, expected):
    assert language.day(value, code) == expected


def test_times_are_shown_in_indian_standard_time():
    at = datetime(2026, 12, 4, 10, 15, tzinfo=UTC)
    assert language.moment(at) == "4 Dec 2026, 3:45 PM IST"
    naive = datetime(2026, 12, 4, 10, 15)  # stored times are UTC
    assert language.moment(naive) == "4 Dec 2026, 3:45 PM IST"


#: Every kind of state or reason a page, an email or a PDF shows.
SHOWN = (
    models.ComplaintStatus,
    models.DisputeReason,
    models.DisputeStatus,
    models.MemberStatus,
    models.MsmeCategory,
    models.OrderStatus,
    models.ImportStatus,
    models.PairStatus,
)


def _enums() -> list[enum.Enum]:
    return [value for kind in SHOWN for value in kind]


@pytest.mark.parametrize("code", ["en", "hi"])
def test_no_internal_name_reaches_a_reader(code):
    for value in _enums():
        shown = language.words(value, code)
        assert shown and "_" not in shown, (value, shown)
        if code == "hi":
            assert shown != language.words(value, "en"), value


def test_the_same_state_reads_by_its_kind():
    assert language.words(models.MemberStatus.PENDING) == "awaiting verification"
    assert language.words(models.OrderStatus.PENDING) == "awaiting payment"
    assert language.words("some_new_state") == "some new state"


def test_every_hindi_message_is_translated_with_the_same_placeholders():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(texts), f"untranslated: {ids[0]!r}"
        for text in texts:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(ids[-1])), ids[0]
            assert text % {name: 1 for name in PLACEHOLDER.findall(ids[-1])}


def test_a_translator_adds_a_language_without_touching_code(tmp_path, monkeypatch):
    catalogues = tmp_path / "translations"
    shutil.copytree(language.CATALOGUES, catalogues)
    marathi = catalogues / "mr" / "LC_MESSAGES"
    marathi.mkdir(parents=True)
    (marathi / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "listed"\nmsgstr "सूचीबद्ध केले"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(language, "CATALOGUES", catalogues)
    language.available.cache_clear()
    language.translations.cache_clear()
    try:
        assert "mr" in language.available()
        assert language.words(models.ComplaintStatus.LISTED, "mr") == "सूचीबद्ध केले"
        assert language.day(date(2026, 12, 4), "mr").startswith("4 ")
    finally:
        language.available.cache_clear()
        language.translations.cache_clear()


def test_the_notice_goes_out_in_english_and_hindi(db, factory, settings):
    reporter = Actor.of(factory.member_user("Om Shanti Logistics"))
    filed = filing.file_complaint(db, settings, reporter, filing_request())
    subject, body = notice_email(
        settings, filed.complaint, filed.notice_token, date.today(), reminder=0
    )
    assert "Notice of unpaid invoices reported by Om Shanti Logistics" in subject
    assert "Om Shanti Logistics द्वारा बताए गए बकाया बिलों की सूचना" in subject
    english, hindi = body.split("\n\n---\n\n")
    assert "To Lakshmi Paper Mart," in english and "सेवा में, Lakshmi Paper Mart," in hindi
    link = f"/notice/{filed.notice_token}"
    assert link in english and link in hindi
    assert "₹4,00,000.00" in english and "₹4,00,000.00" in hindi
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", english)  # 4 Dec 2026, not 2026-12-04
    assert not re.search(r"\d{4}-\d{2}-\d{2}", body)


def test_catalogue_files_sit_where_the_readme_says():
    assert Path(language.CATALOGUES, "messages.pot").exists()
    assert CATALOGUE.exists()
