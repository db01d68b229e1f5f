import pytest
from sqlalchemy import func, select

from registry.actors import SYSTEM, Actor
from registry.errors import InvalidTransition, NotAllowed, ValidationFailed
from registry.identifiers import gstin_for
from registry.members import accounts
from registry.models import AuditEntry, Member, MemberStatus, OutboxMessage, User
from tests.conftest import PASSWORD


def application(**overrides):
    values = {
        "business_name": "  Shree   Balaji Traders ",
        "gstin": gstin_for("24", "ABCFB1234Q").lower(),
        "email": "Owner@Balaji.Example",
        "password": PASSWORD,
    }
    values.update(overrides)
    return accounts.Application(**values)


def count(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_an_application_is_pending_audited_and_announced_to_admins(db, factory):
    admin = factory.admin()
    member = accounts.apply(db, application())
    assert member.status is MemberStatus.PENDING
    assert member.name == "Shree Balaji Traders"
    assert member.gstin == gstin_for("24", "ABCFB1234Q")
    assert member.users[0].email == "owner@balaji.example"
    assert member.users[0].password_hash.startswith("$argon2")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity_type == "member"))
    assert (entry.action, entry.to_state) == ("applied", "pending")
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "member_applied"))
    assert mail.to_address == admin.email


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"gstin": "27AAAPL1234C1ZX"}, "gstin"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "1234567890123"}, "password"),
        ({"business_name": "X"}, "business_name"),
    ],
)
def test_bad_applications_are_refused_and_write_nothing(db, overrides, field):
    before = (count(db, Member), count(db, User), count(db, AuditEntry))
    with pytest.raises(ValidationFailed) as caught:
        accounts.apply(db, application(**overrides))
    assert field in caught.value.fields
    assert (count(db, Member), count(db, User), count(db, AuditEntry)) == before


def test_a_known_email_or_gstin_is_told_by_email_not_on_the_page(db, factory):
    holder = factory.member_user("Shree Balaji Traders")
    before = (count(db, Member), count(db, User))
    # the holder's GSTIN, a new email: not taken, and the holder is told
    assert (
        accounts.apply(db, application(gstin=holder.member.gstin, email="x@else.example")) is None
    )
    told = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "application_known_gstin"))
    assert told.to_address == holder.member.contact_email and "x@else.example" in told.body
    # a known email with a new GSTIN: not taken, that address is told
    assert accounts.apply(db, application(email=holder.email.upper())) is None
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "application_known_email"))
    assert mail.to_address == holder.email
    assert (count(db, Member), count(db, User)) == before


def test_a_rejected_or_pending_application_blocks_nobody(db, factory):
    admin = Actor.of(factory.admin())
    impostor = accounts.apply(db, application(email="impostor@fake.example"))
    accounts.reject(db, impostor, admin, "the GST certificate does not match")
    second = accounts.apply(db, application(email="someone@else.example"))
    owner = accounts.apply(db, application(email="owner@balaji.example"))
    assert second is not None and owner is not None
    assert owner.status is MemberStatus.PENDING
    flagged = db.scalars(
        select(OutboxMessage.body).where(OutboxMessage.kind == "member_applied")
    ).all()
    assert "1 other pending application(s) name the same GSTIN" in flagged[-1]
    accounts.verify(db, owner, admin)
    assert owner.status is MemberStatus.ACTIVE
    with pytest.raises(ValidationFailed) as caught:  # one holder per GSTIN
        accounts.verify(db, second, admin)
    assert "already holds this GSTIN" in caught.value.fields["gstin"]
    assert second.status is MemberStatus.PENDING


def test_verification_activates_and_tells_the_member(db, factory):
    admin = factory.admin()
    member = accounts.apply(db, application())
    accounts.verify(db, member, Actor.of(admin))
    assert member.status is MemberStatus.ACTIVE and member.verified_at is not None
    mails = db.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.to_address == member.contact_email)
    ).all()
    assert "member_verified" in mails
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_id == str(member.id), AuditEntry.action == "verified"
        )
    ).one()
    assert (entry.from_state, entry.to_state, entry.actor_label) == (
        "pending",
        "active",
        admin.email,
    )


def test_rejection_needs_a_reason_which_the_applicant_sees(db):
    member = accounts.apply(db, application())
    with pytest.raises(ValidationFailed):
        accounts.reject(db, member, SYSTEM, "  ")
    assert member.status is MemberStatus.PENDING
    accounts.reject(db, member, SYSTEM, "GSTIN belongs to another business")
    assert member.status is MemberStatus.REJECTED
    with pytest.raises(NotAllowed, match="GSTIN belongs to another business"):
        accounts.authenticate(db, "owner@balaji.example", PASSWORD)


def test_a_decided_application_cannot_be_decided_again(db):
    member = accounts.apply(db, application())
    accounts.reject(db, member, SYSTEM, "not a real business")
    audit_rows = count(db, AuditEntry)
    with pytest.raises(InvalidTransition):
        accounts.verify(db, member, SYSTEM)
    assert member.status is MemberStatus.REJECTED
    assert count(db, AuditEntry) == audit_rows


def test_login_rules(db, factory):
    accounts.apply(db, application())
    with pytest.raises(NotAllowed, match="awaiting verification"):
        accounts.authenticate(db, "owner@balaji.example", PASSWORD)
    user = factory.member_user()
    with pytest.raises(NotAllowed, match="incorrect"):
        accounts.authenticate(db, user.email, "wrong password!")
    with pytest.raises(NotAllowed, match="incorrect"):
        accounts.authenticate(db, "nobody@example.com", PASSWORD)
    assert accounts.authenticate(db, user.email.upper(), PASSWORD) is user
    assert user.last_login_at is not None
