"""Demo data for a newcomer's `make run`: members, businesses (one named in Devanagari),
complaints in every state of their life at realistic ages over the last four months (the
complaints' dates are back-dated; the audit log, a hash chain, keeps the time the demo
was loaded), a dispute decided "corrected", probable duplicates in the admins' queue and
a notice waiting in the outbox. Loading twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import language
from registry.actors import DEBTOR, SYSTEM, Actor
from registry.complaints import disputes, filing
from registry.complaints import life as complaints
from registry.directory import businesses as directory
from registry.directory import duplicates
from registry.identifiers import gstin_for
from registry.language import N_, Said
from registry.members import accounts
from registry.models import (
    Business,
    Complaint,
    ComplaintStatus,
    Dispute,
    DisputeReason,
    EvidenceFile,
    Invoice,
    User,
    utcnow,
)
from registry.settings import Settings
from registry.uploads import evidence

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
    ("श्री गणेश ट्रेडर्स", "08", "ABCFS8888H", "Jaipur", "Rajasthan"),
    ("Mahalaxmi Dyes & Chemicals", "24", "ABCFM9999J", "Ahmedabad", "Gujarat"),
    ("Annapurna Rice Mill", "29", "ABCFA1212K", "Mysuru", "Karnataka"),
    ("Deccan Auto Components", "27", "ABCFD3434L", "Aurangabad", "Maharashtra"),
]
#: Spellings of demo businesses as other members typed them (no GSTIN): the probable
#: duplicates an admin sees in the queue after `find-duplicates`.
DEMO_LOOKALIKES = [
    ("Laxmi Paper Mart", "Surat", "Gujarat"),
    ("Shri Balaji Enterprise", "Pune", "Maharashtra"),
    ("Agarwal Hardware and Sons", "Kanpur", "Uttar Pradesh"),
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

C = ComplaintStatus


@dataclass(frozen=True)
class Story:
    """One demo complaint: filed `filed` days ago, then each (state, days ago) in order.
    `decision` decides its dispute ("upheld" or "corrected") on the last step's day."""

    filed: int
    steps: tuple[tuple[ComplaintStatus, int], ...] = ()
    decision: str | None = None


#: A complaint in every state, at realistic ages over the last four months; none is
#: listed before its notice period (15 days) ended.
STORIES = [
    Story(0),  # filed today: its notice waits in the outbox for the worker
    Story(9),
    Story(95, ((C.LISTED, 80),)),
    Story(70, ((C.LISTED, 55),)),
    Story(62, ((C.LISTED, 47), (C.DISPUTED, 12))),
    Story(11, ((C.DISPUTED, 4),)),
    Story(120, ((C.LISTED, 105), (C.SETTLED, 33))),
    Story(50, ((C.WITHDRAWN, 46),)),
    Story(85, ((C.DISPUTED, 78), (C.REMOVED, 60)), decision="upheld"),
    Story(110, ((C.LISTED, 95), (C.DISPUTED, 70), (C.LISTED, 52)), decision="corrected"),
    Story(40, ((C.LISTED, 25),)),
]


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
            email=f"accounts@{pan.lower()}.example",
        )
        for name, state, pan, city, state_name in DEMO_BUSINESSES
    ]
    for name, city, state_name in DEMO_LOOKALIKES:
        directory.create(session, SYSTEM, name, city=city, state=state_name)
    for number, (business, story) in enumerate(zip(businesses, STORIES, strict=True), start=1):
        user = users[number % len(users)]
        _demo_complaint(session, settings, user, admin, business, number, story)
    duplicates.refresh(session)
    return True


def _at(days_ago: int, now: datetime) -> datetime:
    return now - timedelta(days=days_ago)


def _demo_complaint(
    session: Session,
    settings: Settings,
    user: User,
    admin: User,
    business: Business,
    number: int,
    story: Story,
) -> None:
    assert user.member_id is not None
    actor = Actor.of(user)
    now = utcnow()
    filed_at = _at(story.filed, now)
    filed_day = filed_at.date()
    complaint = Complaint(
        member_id=user.member_id,
        business_id=business.id,
        filed_by_user_id=user.id,
        status=ComplaintStatus.FILED,
        debtor_email=business.email,
        note="Goods delivered and accepted; payment not received despite reminders.",
        created_at=filed_at,
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
            invoice_date=filed_day - timedelta(days=75 + number * 3),
            due_date=filed_day - timedelta(days=45 + number * 3),
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
    session.flush()
    if story.filed == 0:
        filing.send_notice(session, settings, complaint)  # the notice email is queued
        return
    complaint.notice_sent_at = filed_at
    complaint.notice_ends_at = filed_at + timedelta(days=settings.notice_period_days)
    complaints.transition(
        session, complaint, C.IN_NOTICE, SYSTEM, Said(N_("demo data: notice sent")), now=filed_at
    )
    for target, days_ago in story.steps:
        when = _at(days_ago, now)
        if target is C.LISTED and complaint.listed_at is None:
            assert when >= complaint.notice_ends_at, "never listed before the notice ended"
        if target is C.DISPUTED:
            session.add(
                Dispute(
                    complaint_id=complaint.id,
                    reason=DisputeReason.WRONG_AMOUNT,
                    statement="Part of the goods were returned; the amount is overstated.",
                    opened_at=when,
                    due_at=when + timedelta(days=settings.dispute_deadline_days),
                )
            )
            session.flush()
            complaints.transition(
                session, complaint, target, DEBTOR, Said(N_("demo data: disputed")), now=when
            )
        elif story.decision and complaint.status is C.DISPUTED:
            dispute = complaint.disputes[-1]
            if story.decision == "upheld":
                note = "The debtor showed a credit note for the returned goods."
                disputes.decide(session, dispute, "upheld", note, Actor.of(admin))
            else:
                note = "A credit note covers part of the claim; the rest stands."
                stands = complaint.amount_outstanding_paise * 3 // 5
                disputes.decide(session, dispute, "corrected", note, Actor.of(admin), stands)
            dispute.decided_at = when
            if complaint.closed_at is not None:
                complaint.closed_at = when
        else:
            who = SYSTEM if target is C.LISTED else actor
            complaints.transition(
                session,
                complaint,
                target,
                who,
                Said(N_("demo data: %(what)s"), what=Said(language.WORDS[target.value])),
                now=when,
            )
