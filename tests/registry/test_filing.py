"""Filing a complaint: what is accepted, what is refused, and that refusals write nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry.actors import Actor
from registry.complaints import filing
from registry.complaints.notices import links
from registry.directory import debtors
from registry.errors import Conflict, ValidationFailed
from registry.identifiers import gstin_for
from registry.models import (
    AuditEntry,
    Business,
    BusinessAlias,
    Complaint,
    ComplaintStatus,
    EvidenceFile,
    Invoice,
    MsmeCategory,
    OutboxMessage,
)
from tests.conftest import PDF, PNG, filing_request

TODAY = date.today()


def counts(db):
    return tuple(
        db.scalar(select(func.count()).select_from(m))
        for m in (Complaint, Invoice, EvidenceFile, Business, OutboxMessage)
    )


def uploaded(settings):
    return (
        sorted(p.name for p in settings.uploads_path.glob("*"))
        if settings.uploads_path.exists()
        else []
    )


@pytest.fixture
def member(factory):
    return Actor.of(factory.member_user(name="Shree Ganesh Textiles"))


def test_a_filing_goes_into_notice_and_the_debtor_is_emailed(db, settings, member):
    filed = filing.file_complaint(db, settings, member, filing_request())
    complaint = filed.complaint
    assert complaint.status is ComplaintStatus.IN_NOTICE
    assert complaint.amount_outstanding_paise == 400000_00
    assert complaint.notice_ends_at - complaint.notice_sent_at == timedelta(
        days=settings.notice_period_days
    )
    assert complaint.business.gstins[0].gstin == gstin_for("24", "ABCFL1111A")
    assert complaint.business.pan == "ABCFL1111A"
    assert links.complaint_for_token(db, filed.notice_token) is complaint
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "notice"))
    assert mail.to_address == "accounts@lakshmi-paper.example"
    assert "Shree Ganesh Textiles" in mail.body and f"/notice/{filed.notice_token}" in mail.body
    assert (
        "LP/2026/101" in mail.body and "₹4,00,000.00" in mail.body and "₹400,000" not in mail.body
    )
    stored = complaint.evidence[0]
    assert stored.content_type == "application/pdf" and len(stored.sha256) == 64
    assert (settings.uploads_path / stored.stored_name).read_bytes() == PDF
    actions = [
        e.action
        for e in db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "complaint"))
    ]
    assert actions == ["filed", "transition"]


def test_msme_suppliers_notice_shows_interest(db, settings, member):
    db.get(
        Complaint.member.property.mapper.class_, member.member_id
    ).msme_category = MsmeCategory.MICRO
    filing.file_complaint(db, settings, member, filing_request())
    body = db.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "notice"))
    assert "MSMED Act" in body and "micro enterprise" in body


def test_the_same_gstin_lands_on_the_same_business(db, settings, member, factory):
    first = filing.file_complaint(db, settings, member, filing_request()).complaint
    other = Actor.of(factory.member_user())
    second = filing.file_complaint(db, settings, other, filing_request()).complaint
    assert first.business_id == second.business_id


def test_another_gstin_under_the_same_pan_is_the_same_legal_entity(db, settings, member):
    first = filing.file_complaint(db, settings, member, filing_request()).complaint
    request = filing_request(
        debtor=debtors.DebtorIn(
            name="Lakshmi Paper Mart", gstin=gstin_for("27", "ABCFL1111A"), email="a@b.example"
        ),
        invoices=[
            filing.InvoiceIn(
                "MH/9", TODAY - timedelta(days=90), TODAY - timedelta(days=60), 200000_00
            )
        ],
    )
    second = filing.file_complaint(db, settings, member, request).complaint
    assert second.business_id == first.business_id
    assert sorted(g.gstin for g in second.business.gstins) == sorted(
        [gstin_for("24", "ABCFL1111A"), gstin_for("27", "ABCFL1111A")]
    )


BAD = [
    (
        {"evidence": [filing.EvidenceIn("invoice.pdf", b"MZ\x90\x00 not a pdf at all")]},
        "evidence.0",
        "not a PDF",
    ),
    ({"evidence": [filing.EvidenceIn("empty.pdf", b"")]}, "evidence.0", "empty"),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1", TODAY - timedelta(days=10), TODAY + timedelta(days=5), 500000_00
                )
            ]
        },
        "invoices.0.due_date",
        "not past",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1", TODAY - timedelta(days=10), TODAY - timedelta(days=20), 500000_00
                )
            ]
        },
        "invoices.0.due_date",
        "before the invoice date",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1", TODAY + timedelta(days=3), TODAY - timedelta(days=2), 500000_00
                )
            ]
        },
        "invoices.0.invoice_date",
        "future",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1", TODAY - timedelta(days=40), TODAY - timedelta(days=10), 50000
                )
            ]
        },
        "invoices",
        "below the registry's minimum",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1",
                    TODAY - timedelta(days=40),
                    TODAY - timedelta(days=10),
                    500000_00,
                    500000_00,
                )
            ]
        },
        "invoices.0.paid_paise",
        "paid in full",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn("A1", TODAY - timedelta(days=40), TODAY - timedelta(days=10), -5)
            ]
        },
        "invoices.0.amount_paise",
        "more than zero",
    ),
    (
        {
            "invoices": [
                filing.InvoiceIn(
                    "A1", TODAY - timedelta(days=40), TODAY - timedelta(days=10), 500000_00
                ),
                filing.InvoiceIn(
                    "a 1", TODAY - timedelta(days=40), TODAY - timedelta(days=10), 500000_00
                ),
            ]
        },
        "invoices.1.number",
        "appears twice",
    ),
    (
        {"debtor": debtors.DebtorIn(name="X Co", gstin="24ABCFL1111A1ZZ", email="a@b.example")},
        "debtor.gstin",
        "checksum",
    ),
    (
        {"debtor": debtors.DebtorIn(name="X Co", pan="ABCXL1111A", email="a@b.example")},
        "debtor.pan",
        "holder type",
    ),
    (
        {
            "debtor": debtors.DebtorIn(
                name="X Co",
                gstin=gstin_for("24", "ABCFL1111A"),
                pan="ABCFL2222B",
                email="a@b.example",
            )
        },
        "debtor.pan",
        "does not match",
    ),
    (
        {"debtor": debtors.DebtorIn(name="", gstin=gstin_for("24", "ABCFL1111A"))},
        "debtor.name",
        "business name",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"), BAD, ids=[b[1] + ":" + b[2] for b in BAD]
)
def test_bad_filings_are_refused_and_write_nothing(db, settings, member, overrides, field, message):
    before, files = counts(db), uploaded(settings)
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, member, filing_request(**overrides))
    assert message in caught.value.fields[field]
    assert counts(db) == before and uploaded(settings) == files


def test_no_evidence_is_refused(db, settings, member):
    request = filing_request()
    request = filing.FilingIn(request.debtor, request.invoices, [], None)
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, member, request)
    assert "at least one document" in caught.value.fields["evidence"]


def test_a_debtor_without_any_email_on_record_cannot_be_noticed(db, settings, member):
    request = filing_request(
        debtor=debtors.DebtorIn(name="Silent Traders", gstin=gstin_for("24", "ABCFS9999Z"))
    )
    before = counts(db)
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(db, settings, member, request)
    assert "notice" in caught.value.fields["debtor.email"]
    assert counts(db) == before  # the business it would have created included


def test_the_same_invoice_cannot_be_filed_twice(db, settings, member):
    filing.file_complaint(db, settings, member, filing_request())
    before, files = counts(db), uploaded(settings)
    again = filing_request(
        invoices=[
            filing.InvoiceIn(
                "lp-2026-101", TODAY - timedelta(days=90), TODAY - timedelta(days=60), 500000_00
            )
        ]
    )
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(db, settings, member, again)
    assert caught.value.code == "duplicate_invoice" and caught.value.extra["invoices"] == [
        "LP/2026/101"
    ]
    assert counts(db) == before and uploaded(settings) == files


def test_a_refused_duplicate_adds_no_name_or_gstin_to_the_debtor(db, settings, member):
    """Found by the life-cycle machine: resolving the debtor (a new GSTIN of its PAN, a new
    spelling of its name) used to stay written when the invoice was then refused."""
    business = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    names = [a.name for a in business.aliases]
    again = filing_request(
        debtor=debtors.DebtorIn(
            name="Laxmi Paper Mart Mumbai", gstin=gstin_for("27", "ABCFL1111A"), email="a@b.example"
        )
    )
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(db, settings, member, again)
    assert caught.value.code == "duplicate_invoice"
    db.expire_all()
    assert [g.gstin for g in business.gstins] == [gstin_for("24", "ABCFL1111A")]
    assert [a.name for a in business.aliases] == names
    assert db.scalar(select(func.count()).select_from(BusinessAlias)) == len(names)


def test_a_filing_that_loses_the_race_for_its_invoice_writes_nothing(
    db, settings, member, monkeypatch
):
    """Two requests file the same invoice at once: both pass the duplicate check and the
    database's unique constraint refuses the later one. That one's debtor rows (another
    GSTIN of the PAN, a new spelling of the name) used to stay written, and its error
    named the invoice as this filing spelled it."""
    business = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    names = sorted(a.name for a in business.aliases)
    checks = []

    def the_rival_is_not_committed_yet(*args):
        checks.append(args)
        return [] if len(checks) == 1 else real_check(*args)

    real_check = filing._duplicates
    monkeypatch.setattr(filing, "_duplicates", the_rival_is_not_committed_yet)
    before = counts(db), db.scalar(select(func.count()).select_from(AuditEntry))
    files = uploaded(settings)
    racing = filing_request(
        debtor=debtors.DebtorIn(
            name="Laxmi Paper Mart Mumbai", gstin=gstin_for("27", "ABCFL1111A"), email="a@b.example"
        ),
        invoices=[
            filing.InvoiceIn(
                "lp-2026-101", TODAY - timedelta(days=90), TODAY - timedelta(days=60), 500000_00
            )
        ],
    )
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(db, settings, member, racing)
    assert caught.value.code == "duplicate_invoice"
    assert caught.value.message == (
        "You have already reported invoice LP/2026/101 "
        "(an invoice number is reported once per financial year)."
    )
    assert caught.value.extra["invoices"] == ["LP/2026/101"]
    db.expire_all()
    assert [g.gstin for g in business.gstins] == [gstin_for("24", "ABCFL1111A")]
    assert sorted(a.name for a in business.aliases) == names
    assert db.scalar(select(func.count()).select_from(BusinessAlias)) == len(names)
    assert (counts(db), db.scalar(select(func.count()).select_from(AuditEntry))) == before
    assert uploaded(settings) == files


def test_a_failure_halfway_through_the_uploads_leaves_no_files(db, settings, member, monkeypatch):
    from registry.uploads import evidence

    real_store, calls = evidence.store, []

    def failing_store(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(evidence, "store", failing_store)
    files = uploaded(settings)
    before = counts(db)
    request = filing_request(evidence=[filing.EvidenceIn(f"doc{i}.png", PNG) for i in range(4)])
    with pytest.raises(OSError, match="disk full"):
        filing.file_complaint(db, settings, member, request)
    assert uploaded(settings) == files
    assert counts(db)[:3] == before[:3]


def test_a_name_close_to_a_known_business_must_be_confirmed(db, settings, member):
    known = filing.file_complaint(db, settings, member, filing_request()).complaint.business
    guess = debtors.DebtorIn(name="Laxmi Paper Mart", city="Surat", email="x@y.example")
    request = filing_request(
        debtor=guess,
        invoices=[
            filing.InvoiceIn(
                "B-7", TODAY - timedelta(days=50), TODAY - timedelta(days=20), 300000_00
            )
        ],
    )
    with pytest.raises(Conflict) as caught:
        filing.file_complaint(db, settings, member, request)
    assert caught.value.code == "confirm_business"
    assert caught.value.extra["candidates"][0]["business_id"] == known.id
    confirmed = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            debtor=debtors.DebtorIn(
                name="Laxmi Paper Mart", business_id=known.id, email="x@y.example"
            ),
            invoices=request.invoices,
        ),
    ).complaint
    assert confirmed.business_id == known.id
    assert "Laxmi Paper Mart" in [a.name for a in known.aliases]
    fresh = filing.file_complaint(
        db,
        settings,
        member,
        filing_request(
            debtor=debtors.DebtorIn(
                name="Laxmi Paper Mart", new_business=True, email="new@lp.example"
            ),
            invoices=[
                filing.InvoiceIn(
                    "C-1", TODAY - timedelta(days=50), TODAY - timedelta(days=20), 300000_00
                )
            ],
        ),
    ).complaint
    assert fresh.business_id != known.id


def test_an_unknown_business_id_is_a_field_error(db, settings, member):
    with pytest.raises(ValidationFailed) as caught:
        filing.file_complaint(
            db, settings, member, filing_request(debtor=debtors.DebtorIn(business_id=987654))
        )
    assert "no such business" in caught.value.fields["debtor.business_id"]
