"""Issue 17: "the admin's verify page shows what the applicant proved (documents, the GST
state, PAN holder type)". Sign-up takes the GST registration certificate (and the Udyam
certificate from a micro or small supplier); only admins read them."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from registry.identifiers import gstin_for
from registry.models import Member, MemberDocument
from tests.conftest import PASSWORD, PDF, PNG

GSTIN = gstin_for("29", "AAFCK7788M")


def form(**overrides):
    values = {
        "business_name": "Kaveri Agro Foods Private Limited",
        "gstin": GSTIN,
        "industry": "Food",
        "msme_category": "none",
        "email": "accounts@kaveri.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "gst_certificate": (io.BytesIO(PDF), "REG-06 Kaveri.pdf"),
    }
    return {k: v for k, v in (values | overrides).items() if v is not None}


def stored(settings) -> list:
    folder = settings.uploads_path / "members"
    return sorted(folder.iterdir()) if folder.exists() else []


def members(db) -> int:
    return db.scalar(select(func.count()).select_from(Member))


def test_an_application_without_its_certificate_is_refused_and_nothing_is_kept(
    client, db, settings
):
    before = members(db)
    answer = client.post("/apply", data=form(gst_certificate=None))
    assert answer.status_code == 422
    assert "attach your GST registration certificate" in answer.get_data(as_text=True)

    fake = client.post("/apply", data=form(gst_certificate=(io.BytesIO(b"MZ\x90\x00"), "c.pdf")))
    assert fake.status_code == 422
    assert "is not a PDF, PNG or JPEG document" in fake.get_data(as_text=True)

    micro = client.post("/apply", data=form(msme_category="micro"))
    assert micro.status_code == 422
    assert "attach your Udyam certificate" in micro.get_data(as_text=True)
    assert members(db) == before and stored(settings) == []


def test_a_known_email_keeps_no_documents_and_answers_alike(client, db, factory, settings):
    holder = factory.member_user("Known Member Traders")
    answer = client.post("/apply", data=form(email=holder.email))
    assert (answer.status_code, answer.headers["Location"]) == (302, "/login")
    assert stored(settings) == []


def test_the_admin_sees_and_downloads_what_the_applicant_sent(client, db, factory, auth, settings):
    answer = client.post(
        "/apply",
        data=form(msme_category="small", udyam_certificate=(io.BytesIO(PNG), "udyam.png")),
    )
    assert answer.status_code == 302
    db.expire_all()
    member = db.scalar(select(Member).where(Member.gstin == GSTIN))
    kinds = {d.kind: d for d in member.documents}
    assert set(kinds) == {"gst_certificate", "udyam_certificate"}
    assert len(stored(settings)) == 2
    link = f"/admin/members/{member.id}/documents/{kinds['gst_certificate'].id}"

    other = factory.member_user()
    auth.login(other.email)
    assert client.get(link).status_code in (302, 403, 404)  # admins only
    auth.logout()

    auth.login(factory.admin().email)
    page = client.get("/admin/members?status=pending").get_data(as_text=True)
    assert link in page and "GST registration certificate" in page and "REG-06 Kaveri.pdf" in page
    with client.get(link) as download:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert "nosniff" in download.headers.get("X-Content-Type-Options", "")
    assert (
        client.get(
            f"/admin/members/{member.id + 1000}/documents/{kinds['gst_certificate'].id}"
        ).status_code
        == 404
    )
    assert db.scalar(select(func.count()).select_from(MemberDocument)) == 2


def test_a_micro_supplier_without_udyam_proof_is_pointed_out(client, db, factory, auth):
    from registry.members import accounts

    member = accounts.apply(
        db,
        accounts.Application(
            business_name="Old Micro Traders",
            gstin=GSTIN,
            email="old@micro.example",
            password=PASSWORD,
            msme_category="micro",
        ),
    )
    assert member is not None
    auth.login(factory.admin().email)
    page = client.get("/admin/members?status=pending").get_data(as_text=True)
    assert "No documents" in page and "sent no Udyam certificate" in page
