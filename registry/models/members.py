"""Members (verified businesses that report and search), their user logins and API keys."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, enum_column, utcnow

if TYPE_CHECKING:
    from registry.models.complaints import Complaint


class MemberStatus(enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class MsmeCategory(enum.Enum):
    """Udyam category of a supplier; micro and small ones earn MSMED Act interest."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    NONE = "none"


class Role(enum.Enum):
    MEMBER = "member"
    ADMIN = "admin"


#: Members that hold their GSTIN: only one at a time. A pending or rejected application
#: blocks nobody (the real owner can apply, and two pending ones are shown to the admin).
HOLDING_GSTIN = "status IN ('active', 'suspended')"


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (
        Index(
            "uq_members_gstin_holding",
            "gstin",
            unique=True,
            sqlite_where=text(HOLDING_GSTIN),
            postgresql_where=text(HOLDING_GSTIN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    gstin: Mapped[str] = mapped_column(String(15), index=True)
    contact_email: Mapped[str] = mapped_column(String(254))
    industry: Mapped[str] = mapped_column(String(100), default="General trade")
    msme_category: Mapped[MsmeCategory] = mapped_column(
        enum_column(MsmeCategory), default=MsmeCategory.NONE
    )
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus), default=MemberStatus.PENDING, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    verified_at: Mapped[datetime | None]
    #: Whether a business whose report this member pulls may see the member's name
    #: (otherwise only its industry and state).
    named_in_inquiries: Mapped[bool] = mapped_column(default=False)

    users: Mapped[list[User]] = relationship(back_populates="member")
    complaints: Mapped[list[Complaint]] = relationship(back_populates="member")
    documents: Mapped[list[MemberDocument]] = relationship(
        back_populates="member", order_by="MemberDocument.id"
    )


class MemberDocument(Base):
    """What an applicant proved: its GST registration certificate (required at sign-up
    in the portal) and, for a micro or small supplier claiming MSMED Act interest, its
    Udyam certificate. Stored under the uploads folder's `members/`; only admins read
    them."""

    __tablename__ = "member_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    #: `gst_certificate` or `udyam_certificate`
    kind: Mapped[str] = mapped_column(String(30))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship(back_populates="documents")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role = 'admin' OR member_id IS NOT NULL", name="member_users_belong_to_a_member"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Part of every portal session's id: raising it ends all of this user's sessions.
    session_version: Mapped[int] = mapped_column(default=0)
    #: Base32 TOTP secret once two-factor is on (None: password only).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last TOTP time step accepted, so one code cannot be used twice.
    totp_last_step: Mapped[int | None]
    #: The language the user last chose in the portal ("en", "hi"...; None: never chose):
    #: the emails to this user, and to its member, are written in it.
    language: Mapped[str | None] = mapped_column(String(10))

    member: Mapped[Member | None] = relationship(back_populates="users")
    api_keys: Mapped[list[ApiKey]] = relationship(back_populates="user")

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class ApiKey(Base):
    """A bearer key; only its SHA-256 is stored (keys are long random strings, so a fast
    hash is enough), plus a short prefix so the owner can tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: What the key may do, space-separated (`registry.members.api_keys.SCOPES`).
    scopes: Mapped[str] = mapped_column(String(100), default="")
    #: After this moment the key is refused (None: it does not expire).
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="api_keys")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
