"""Issue 17, attack 4: an applicant with someone else's GSTIN, once rejected, blocked the
real owner for ever, and sign-up said which emails and GSTINs were registered."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from registry.actors import Actor
from registry.identifiers import gstin_for
from registry.members import accounts
from registry.models import Member, OutboxMessage
from tests.conftest import PASSWORD, PDF

GSTIN = gstin_for("27", "AAECS4455K")


def form(**overrides):
    values = {
        "business_name": "Sahyadri Steels Private Limited",
        "gstin": GSTIN,
        "industry": "Steel",
        "msme_category": "none",
        "email": "accounts@sahyadri.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "gst_certificate": (io.BytesIO(PDF), "gst-reg-06.pdf"),
    }
    return values | overrides


def test_sign_up_answers_alike_for_known_and_unknown_emails_and_gstins(client, db, factory):
    holder = factory.member_user("Known Member Traders")

    def posts():
        return [
            form(),
            form(gstin=gstin_for("27", "AAECS9999K"), email=holder.email),
            form(gstin=holder.member.gstin, email="new@else.example"),
        ]

    answers = [client.post("/apply", data=data) for data in posts()]
    assert [(r.status_code, r.headers.get("Location")) for r in answers] == [(302, "/login")] * 3
    pages = [client.post("/apply", data=data, follow_redirects=True) for data in posts()[1:]]
    for page in pages:
        text = page.get_data(as_text=True)
        assert "Your application will be verified by the registry" in text
        assert "already" not in text and "registered" not in text
    db.expire_all()
    kinds = set(db.scalars(select(OutboxMessage.kind)))
    assert {"application_known_email", "application_known_gstin"} <= kinds
    assert db.scalar(select(func.count()).select_from(Member).where(Member.gstin == GSTIN)) == 1


def test_a_rejected_impostor_does_not_block_the_real_owner(client, db, factory, auth):
    admin = factory.admin()
    impostor = accounts.apply(
        db,
        accounts.Application(
            business_name="Sahyadri Steels",
            gstin=GSTIN,
            email="impostor@fake.example",
            password=PASSWORD,
        ),
    )
    accounts.reject(db, impostor, Actor.of(admin), "the certificate is not this business's")
    owner = client.post("/apply", data=form())
    assert owner.status_code == 302
    db.expire_all()
    real = db.scalar(select(Member).where(Member.contact_email == "accounts@sahyadri.example"))
    assert real is not None and real.status.value == "pending"

    auth.login(admin.email)
    page = client.get("/admin/members?status=pending").get_data(as_text=True)
    assert "Registered in Maharashtra" in page and "company" in page
    assert "impostor@fake.example" in page  # the other application with this GSTIN
