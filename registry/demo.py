"""Demo data for a newcomer's `make run`: members, businesses, and a complaint in each
state of its life. Loading twice changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import evidence
from registry.actors import DEBTOR, SYSTEM, Actor
from registry.complaints import life as complaints
from registry.directory import businesses as directory
from registry.identifiers import gstin_for
from registry.members import accounts
from registry.models import (
    Business,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    DisputeStatus,
    EvidenceFile,
    Invoice,
    User,
    utcnow,
)
from registry.settings import Settings

ADMIN_EMAIL = "admin@demo.khata.example"
MEMBER_PASSWORD = "demo-password-2026"  # noqa: S105  (published demo login, README)
# The demo admin's two-factor key (published with the demo login, README): add it to an
# authenticator app, or run `python -c "import pyotp; print(pyotp.TOTP(KEY).now())"`.
ADMIN_TOTP_SECRET = "KHATADEMOADMINTOTPKEYTWOZEROTWOS"  # noqa: S105

DEMO_MEMBERS = [
    (
        "Shree Ganesh Textiles Pvt Ltd",
        "27",
        "AAECS1234K",
        "priya@ganesh-textiles.example",
        "Textiles",
    ),
    ("Marwar Steel Traders", "08", "AAFFM5678L", "ravi@marwar-steel.example", "Steel"),
    ("Kaveri Agro Foods LLP", "29", "AAHFK4321M", "anita@kaveri-agro.example", "Food processing"),
]
DEMO_BUSINESSES = [
    ("Lakshmi Paper Mart", "24", "ABCFL1111A", "Surat", "Gujarat"),
    ("Balaji Enterprises", "27", "ABCPB2222B", "Pune", "Maharashtra"),
    ("Sri Sai Plastics Private Limited", "36", "ABCCS3333C", "Hyderabad", "Telangana"),
    ("Agarwal Hardware & Sons", "09", "ABCFA4444D", "Kanpur", "Uttar Pradesh"),
    ("New India Packaging", "33", "ABCFN5555E", "Chennai", "Tamil Nadu"),
    ("Om Shanti Logistics", "07", "ABCFO6666F", "New Delhi", "Delhi"),
    ("Gupta Cotton Mills Ltd", "23", "ABCCG7777G", "Indore", "Madhya Pradesh"),
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def load(session: Session, settings: Settings) -> bool:
    """Load the demo set; False when it is already there."""
    if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None:
        return False
    admin = accounts.create_admin(session, ADMIN_EMAIL, MEMBER_PASSWORD, SYSTEM)
    admin.totp_secret = ADMIN_TOTP_SECRET
    users = [
        accounts.create_active(
            session,
            accounts.Application(name, gstin_for(state, pan), email, MEMBER_PASSWORD),
            SYSTEM,
            industry=industry,
        )
        for name, state, pan, email, industry in DEMO_MEMBERS
    ]
    accounts.apply(
        session,
        accounts.Application(
            "Vishwakarma Tools",
            gstin_for("06", "AAGFV9999Q"),
            "new@vishwakarma.example",
            MEMBER_PASSWORD,
        ),
    )
    businesses = [
        directory.create(
            session,
            SYSTEM,
            name,
            gstin=gstin_for(state, pan),
            city=city,
            state=state_name,
            email=f"accounts@{name.split()[0].lower()}.example",
        )
        for name, state, pan, city, state_name in DEMO_BUSINESSES
    ]

    life = [
        [ComplaintStatus.IN_NOTICE],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.LISTED],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.LISTED, ComplaintStatus.DISPUTED],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.LISTED, ComplaintStatus.SETTLED],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.DISPUTED, ComplaintStatus.REMOVED],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.WITHDRAWN],
        [ComplaintStatus.IN_NOTICE, ComplaintStatus.LISTED],
    ]
    for number, (business, path) in enumerate(zip(businesses, life, strict=True), start=1):
        user = users[number % len(users)]
        _demo_complaint(session, settings, user, business, number, path)
    return True


def _demo_complaint(
    session: Session,
    settings: Settings,
    user: User,
    business: Business,
    number: int,
    path: list[ComplaintStatus],
) -> None:
    assert user.member_id is not None
    actor = Actor.of(user)
    today = date.today()
    complaint = Complaint(
        member_id=user.member_id,
        business_id=business.id,
        filed_by_user_id=user.id,
        status=ComplaintStatus.FILED,
        note="Goods delivered and accepted; payment not received despite reminders.",
    )
    session.add(complaint)
    session.flush()
    amount = 150_000_00 + number * 37_500_00
    session.add(
        Invoice(
            complaint_id=complaint.id,
            member_id=user.member_id,
            business_id=business.id,
            number=f"INV-2026-{number:04d}",
            number_key=f"INV-2026-{number:04d}",
            invoice_date=today - timedelta(days=40 + number * 20),
            due_date=today - timedelta(days=10 + number * 20),
            amount_paise=amount,
            paid_paise=amount // 5,
        )
    )
    complaint.amount_outstanding_paise = amount - amount // 5
    stored = evidence.store(
        settings.uploads_path, f"invoice-{number}.pdf", PDF, settings.upload_max_bytes, "evidence"
    )
    session.add(
        EvidenceFile(
            complaint_id=complaint.id,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
        )
    )
    now = utcnow()
    complaint.notice_sent_at = now
    complaint.notice_ends_at = now + timedelta(days=settings.notice_period_days)
    for target in path:
        if target is ComplaintStatus.DISPUTED:
            session.add(
                Dispute(
                    complaint_id=complaint.id,
                    reason=DisputeReason.WRONG_AMOUNT,
                    statement="Part of the goods were returned; the amount is overstated.",
                    due_at=now + timedelta(days=settings.dispute_deadline_days),
                )
            )
        if target is ComplaintStatus.REMOVED:
            dispute = complaint.disputes[-1]
            dispute.decision_note = "The debtor showed a credit note for the returned goods."
            complaints.transition_dispute(
                session, dispute, DisputeStatus.UPHELD, SYSTEM, dispute.decision_note
            )
        who = {ComplaintStatus.LISTED: SYSTEM, ComplaintStatus.REMOVED: SYSTEM}.get(target, actor)
        if target is ComplaintStatus.DISPUTED:
            who = DEBTOR
        complaints.transition(session, complaint, target, who, f"demo: {target.value}")
