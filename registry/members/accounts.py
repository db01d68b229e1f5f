"""Members and their users: applying, verification by an admin, logging in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry import audit, language, outbox
from registry.actors import Actor
from registry.errors import NotAllowed, ValidationFailed
from registry.identifiers import IdentifierError, normalise_email, validate_gstin
from registry.language import N_
from registry.members import documents, logins
from registry.members.documents import Proof
from registry.members.passwords import hash_password, password_problem, verify_password
from registry.models import Member, MemberStatus, MsmeCategory, Role, User, utcnow
from registry.settings import Settings
from registry.states import StateMachine

M = MemberStatus
#: The states in which a member holds its GSTIN.
HOLDING = (M.ACTIVE, M.SUSPENDED)

LIFE = StateMachine[MemberStatus](
    entity="member",
    moves={
        M.PENDING: frozenset({M.ACTIVE, M.REJECTED}),
        M.ACTIVE: frozenset({M.SUSPENDED}),
        M.SUSPENDED: frozenset({M.ACTIVE}),
        M.REJECTED: frozenset(),
    },
)


@dataclass(frozen=True)
class Application:
    business_name: str
    gstin: str
    email: str
    password: str
    industry: str = "General trade"
    msme_category: str = "none"
    #: The language the applicant applied in: its emails are written in it.
    language: str = "en"


def transition(
    session: Session,
    member: Member,
    target: MemberStatus,
    actor: Actor,
    note: str | None = None,
    *,
    action: str = "transition",
) -> None:
    """The one way a member changes state (checked, audited)."""
    LIFE.apply(session, member, target, actor, note, action=action)


def _check_application(session: Session, app: Application) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = " ".join(app.business_name.split())
    if not 2 <= len(name) <= 200:
        errors["business_name"] = N_("give the business's registered name (2 to 200 characters)")
    gstin = ""
    try:
        gstin = validate_gstin(app.gstin)
    except IdentifierError as exc:
        errors["gstin"] = str(exc)
    email = ""
    try:
        email = normalise_email(app.email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    problem = password_problem(app.password, (app.email, name))
    if problem:
        errors["password"] = problem
    if app.msme_category not in {c.value for c in MsmeCategory}:
        errors["msme_category"] = N_("choose micro, small, medium or none")
    if errors:
        raise ValidationFailed(errors)
    return gstin, email


def holder_of_gstin(session: Session, gstin: str, but: int | None = None) -> Member | None:
    """The member that holds this GSTIN (active or suspended), if any."""
    query = select(Member).where(Member.gstin == gstin, Member.status.in_(HOLDING))
    if but is not None:
        query = query.where(Member.id != but)
    return session.scalar(query)


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None


def _insert(session: Session, member: Member, user: User) -> None:
    """Insert inside a savepoint so a race on the unique GSTIN/email becomes a form error."""
    try:
        with session.begin_nested():
            session.add_all([member, user])
            session.flush()
    except IntegrityError as exc:
        raise ValidationFailed({"email": "this application could not be taken: try again"}) from exc


def apply(session: Session, app: Application) -> Member | None:
    """A business applies to join; it stays pending until an admin verifies it.

    Sign-up answers alike whether the email or GSTIN is known (nobody learns which
    businesses are members): a known email is told by email that someone applied with
    it, and the member holding a GSTIN is told of an application in its name; neither
    application is taken (None). A pending or rejected application with the same GSTIN
    blocks nobody; two pending ones are pointed out to the admins."""
    gstin, email = _check_application(session, app)
    if email_taken(session, email):
        known = session.scalar(select(User).where(func.lower(User.email) == email))
        code = language.of_user(known) if known and known.language else app.language
        outbox.queue_email(
            session,
            "application_known_email",
            email,
            language.translate(code, "Someone applied to Khata Registry with your email"),
            language.translate(
                code,
                "An application to join Khata Registry was made with this email address, which "
                "already has a login. If it was you, log in, or reset your password from the "
                "login page. If it was not, you need do nothing.",
            ),
        )
        return None
    holder = holder_of_gstin(session, gstin)
    if holder is not None:
        outbox.queue_email(
            session,
            "application_known_gstin",
            holder.contact_email,
            language.translate(
                language.of_member(holder), "An application was made with your GSTIN"
            ),
            language.translate(
                language.of_member(holder),
                "Someone (%(email)s) applied to join Khata Registry with the GSTIN %(gstin)s, "
                "which %(name)s holds as a member. It was not taken. To add a colleague, create "
                "their login from your account; if this was not you, tell the registry.",
                email=email,
                gstin=gstin,
                name=holder.name,
            ),
        )
        audit.record(
            session,
            Actor("applicant", email),
            "member",
            holder.id,
            "application_refused",
            note="an application named this member's GSTIN",
        )
        return None
    member = Member(
        name=" ".join(app.business_name.split()),
        gstin=gstin,
        contact_email=email,
        industry=app.industry.strip() or "General trade",
        msme_category=MsmeCategory(app.msme_category),
        status=M.PENDING,
    )
    user = User(
        email=email,
        password_hash=hash_password(app.password),
        role=Role.MEMBER,
        language=language.chosen(app.language),
    )
    user.member = member
    _insert(session, member, user)
    audit.record(
        session, Actor("applicant", email), "member", member.id, "applied", to_state="pending"
    )
    others = _pending_with(session, gstin, member.id)
    outbox.email_admins(
        session,
        "member_applied",
        lambda code: language.translate(code, "New member application: %(name)s", name=member.name),
        lambda code: " ".join(
            filter(
                None,
                (
                    language.translate(
                        code,
                        "%(name)s (GSTIN %(gstin)s, %(email)s) applied to join.",
                        name=member.name,
                        gstin=member.gstin,
                        email=email,
                    ),
                    language.translate(
                        code,
                        "%(others)s other pending application(s) name the same GSTIN: check "
                        "which one proves it before verifying.",
                        others=others,
                    )
                    if others
                    else "",
                    language.translate(code, "Verify or reject it on the admin members page."),
                ),
            )
        ),
    )
    return member


def sign_up(
    session: Session, settings: Settings, app: Application, proofs: Sequence[Proof]
) -> Member | None:
    """`apply`, with what the applicant proves (its GST registration certificate, and
    the Udyam certificate for a micro or small supplier): refused field by field before
    anything else is looked at, so the answer does not depend on who is registered; kept
    only when an application is taken."""
    errors = documents.problems(settings, app.msme_category, proofs)
    if errors:
        try:
            _check_application(session, app)
        except ValidationFailed as exc:
            errors = {**exc.fields, **errors}
        raise ValidationFailed(errors)
    member = apply(session, app)
    if member is not None:
        documents.attach(session, settings, member, proofs)
    return member


def _pending_with(session: Session, gstin: str, but: int) -> int:
    return len(
        session.scalars(
            select(Member.id).where(
                Member.gstin == gstin, Member.status == M.PENDING, Member.id != but
            )
        ).all()
    )


def create_active(
    session: Session, app: Application, actor: Actor, industry: str | None = None
) -> User:
    """An already verified member with one user (CLI `create-member`, demo data). The
    operator is told plainly what is taken (the CLI is an admin's tool)."""
    try:
        gstin = validate_gstin(app.gstin)
    except IdentifierError:
        gstin = ""  # `apply` says what is wrong with it, field by field
    if gstin and holder_of_gstin(session, gstin):
        raise ValidationFailed({"gstin": N_("a member with this GSTIN is already registered")})
    if email_taken(session, app.email.strip().lower()):
        raise ValidationFailed({"email": N_("this email already has a login")})
    member = apply(session, app)
    assert member is not None
    if industry:
        member.industry = industry
    verify(session, member, actor, "created verified")
    return member.users[0]


def create_admin(session: Session, email: str, password: str, actor: Actor) -> User:
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    problem = password_problem(password, (email,))
    if problem:
        errors["password"] = problem
    if not errors and email_taken(session, email):
        errors["email"] = N_("this email already has a login")
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, password_hash=hash_password(password), role=Role.ADMIN)
    session.add(user)
    session.flush()
    # Admins must have two-factor: the secret is set now and shown to whoever runs this.
    logins.set_totp_secret(session, user)
    audit.record(session, actor, "user", user.id, "admin_created", to_state="admin")
    return user


def choose_language(session: Session, user: User, code: str) -> None:
    """The language the user reads the portal and its emails in."""
    if code not in language.available():
        raise ValidationFailed({"lang": "choose one of: " + ", ".join(language.available())})
    user.language = code
    session.flush()


def verify(session: Session, member: Member, actor: Actor, note: str | None = None) -> None:
    holder = holder_of_gstin(session, member.gstin, but=member.id)
    if holder is not None:
        raise ValidationFailed(
            {"gstin": f"{holder.name} (member #{holder.id}) already holds this GSTIN"}
        )
    transition(session, member, M.ACTIVE, actor, note, action="verified")
    member.verified_at = utcnow()
    member.status_reason = None
    outbox.queue_email(
        session,
        "member_verified",
        member.contact_email,
        language.translate(language.of_member(member), "Your Khata Registry membership is active"),
        language.translate(
            language.of_member(member),
            "%(name)s is now a verified member. You can log in and start using the registry.",
            name=member.name,
        ),
    )


def reject(session: Session, member: Member, actor: Actor, reason: str) -> None:
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailed({"reason": N_("say why the application is rejected")})
    transition(session, member, M.REJECTED, actor, reason, action="rejected")
    member.status_reason = reason
    outbox.queue_email(
        session,
        "member_rejected",
        member.contact_email,
        language.translate(language.of_member(member), "Your Khata Registry application"),
        language.translate(
            language.of_member(member),
            "The application of %(name)s was not accepted: %(reason)s",
            name=member.name,
            reason=reason,
        ),
    )


def suspend(session: Session, member: Member, actor: Actor, reason: str) -> None:
    """Stop a member at once: its users' API keys are refused from the next request
    (`api_keys.holder_of` asks for an active member) and their portal sessions end
    (the portal's user loader refuses users of a member that is not active). Audited
    with the reason, which the member's users are shown when they try to log in."""
    reason = " ".join(reason.split())
    if not 5 <= len(reason) <= 2000:
        raise ValidationFailed(
            {"reason": N_("say why the member is suspended (5 to 2000 characters)")}
        )
    transition(session, member, M.SUSPENDED, actor, reason, action="suspended")
    member.status_reason = reason
    logins.end_sessions(session, member)
    outbox.queue_email(
        session,
        "member_suspended",
        member.contact_email,
        language.translate(
            language.of_member(member), "Your Khata Registry membership is suspended"
        ),
        language.translate(
            language.of_member(member),
            "The membership of %(name)s is suspended: %(reason)s\n"
            "Its logins and API keys no longer work. Reply to this email to discuss it.",
            name=member.name,
            reason=reason,
        ),
    )


def list_by_status(session: Session, status: MemberStatus) -> Sequence[Member]:
    return session.scalars(
        select(Member).where(Member.status == status).order_by(Member.created_at, Member.id)
    ).all()


def authenticate(session: Session, email: str, password: str) -> User:
    """The user for these credentials, or `NotAllowed` with a message fit to show.

    A wrong password counts against the account (`logins.record_failure`; the caller
    commits it even though the login fails); an account with too many recent failures
    is refused, with how long to wait, even with the right password."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    until = logins.locked_until(session, user) if user is not None else None
    right = verify_password(user.password_hash if user else None, password)
    if until is not None:
        raise NotAllowed(logins.wait_message(until))
    if not right or user is None:
        if user is not None:
            logins.record_failure(session, user)
        raise NotAllowed(N_("Email or password is incorrect."))
    if not user.is_active:
        raise NotAllowed(N_("This login is disabled."))
    member = user.member
    if member is not None and member.status is not M.ACTIVE:
        if member.status is M.PENDING:
            raise NotAllowed(N_("Your application is awaiting verification by the registry."))
        if member.status_reason:
            raise NotAllowed(
                N_("Your membership is %(status)s: %(reason)s"),
                status=member.status.value,
                reason=member.status_reason,
            )
        raise NotAllowed(N_("Your membership is %(status)s."), status=member.status.value)
    user.last_login_at = utcnow()
    return user
