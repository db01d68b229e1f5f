"""Fresh reports: a paid report says when the registry's report has changed since, the
current version opens free within the 30 days, and the PDF's verification code can be
checked publicly (valid, business, date, superseded; nothing else)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from registry.actors import SYSTEM
from registry.directory import businesses, merges
from registry.identifiers import gstin_for
from registry.models import ComplaintStatus, ReportVersion, utcnow
from registry.payments import orders
from registry.reports import credit_report, versions
from tests.conftest import PASSWORD
from tests.payments.conftest import bearer, checkout_object, deliver, event

C = ComplaintStatus


@pytest.fixture
def bought(client, db, factory, make_business, make_complaint):
    """A business with two listed complaints and a member who bought its report (API)."""
    reporter = factory.member_user()
    business = make_business("Ganesh Hardware Stores")
    first = make_complaint(reporter, business, C.LISTED)
    make_complaint(reporter, business, C.LISTED, invoices=((90, 500_000, 0),))
    buyer = factory.member_user()
    key = factory.api_key(buyer)
    created = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=bearer(key)
    ).json
    order = orders.get_for_member(db, created["id"], buyer.member_id)
    deliver(client, event("checkout.session.completed", checkout_object(order)))
    db.expire_all()  # the webhook paid it in the app's session
    return buyer, key, business, order, first


def read(client, business, key, path=""):
    return client.get(f"/api/v1/reports/{business.id}{path}", headers=bearer(key))


def test_a_fresh_report_is_not_superseded_and_carries_its_code(client, bought):
    _buyer, key, business, _order, _first = bought
    body = read(client, business, key).json
    assert body["superseded"] is False and body["current_version_url"] is None
    assert body["version"] == 1
    assert re.fullmatch(r"KR(-[A-Z2-9]{4}){4}", body["verification_code"])


def test_the_days_passing_alone_do_not_supersede_a_report(db, bought):
    buyer, _key, business, order, _first = bought
    later = utcnow() + timedelta(days=20)
    _order, content = credit_report.report_for_member(db, buyer.member_id, business.id, later)
    assert versions.freshness(db, order, content, later).superseded is False


@pytest.mark.parametrize("change", ["removed", "settled", "corrected", "newly listed"])
def test_a_change_supersedes_the_report_and_the_current_version_is_free(
    client, db, factory, make_complaint, bought, change
):
    _buyer, key, business, _order, first = bought
    old = read(client, business, key).json
    if change == "removed":
        first.status = C.REMOVED
    elif change == "settled":
        first.status, first.closed_at = C.SETTLED, utcnow()
    elif change == "corrected":
        first.invoices[0].paid_paise = 300_000
        first.amount_outstanding_paise -= 300_000
    else:
        make_complaint(factory.member_user(), business, C.LISTED)
    db.flush()

    stale = read(client, business, key).json
    assert stale["superseded"] is True
    assert stale["complaints"] == old["complaints"]  # what was bought is kept as bought
    assert stale["current_version_url"] == f"/api/v1/reports/{business.id}/current"

    current = client.get(stale["current_version_url"], headers=bearer(key))
    assert current.status_code == 200
    fresh = current.json
    assert fresh["superseded"] is False and fresh["version"] == 2
    assert fresh["verification_code"] != old["verification_code"]
    assert fresh["complaints"] != old["complaints"]
    assert fresh["readable_until"] == old["readable_until"]  # no new 30 days
    # the buyer now reads the current version
    assert read(client, business, key).json["version"] == 2

    # the old code still verifies, as superseded; the new one as current
    gone = client.get(f"/api/v1/reports/verify/{old['verification_code']}").json
    assert gone["valid"] is True and gone["superseded"] is True and gone["version"] == 1
    now = client.get(f"/api/v1/reports/verify/{fresh['verification_code']}").json
    assert now["valid"] is True and now["superseded"] is False


def test_opening_the_current_version_without_a_change_makes_no_new_version(client, db, bought):
    _buyer, key, business, order, _first = bought
    assert read(client, business, key, "/current").json["version"] == 1
    assert db.query(ReportVersion).filter_by(order_id=order.id).count() == 1


def test_the_current_version_is_not_free_after_30_days_or_for_others(client, db, factory, bought):
    _buyer, key, business, order, first = bought
    first.status = C.REMOVED
    order.paid_at = utcnow() - timedelta(days=31)
    db.flush()
    assert read(client, business, key, "/current").status_code == 402
    stranger = factory.api_key(factory.member_user())
    assert read(client, business, stranger, "/current").status_code == 402


def test_verification_answers_only_the_four_facts(client, bought):
    _buyer, key, business, _order, _first = bought
    code = read(client, business, key).json["verification_code"]
    answer = client.get(f"/api/v1/reports/verify/{code}")
    assert answer.status_code == 200
    body = answer.json
    assert set(body) == {"valid", "business_name", "generated_at", "version", "superseded"}
    assert body["valid"] is True and body["business_name"] == "Ganesh Hardware Stores"
    # typed loosely (lower case, spaces) it still checks
    loose = code.lower().replace("-", " ")
    assert client.get(f"/api/v1/reports/verify/{loose}").json["valid"] is True


@pytest.mark.parametrize(
    "guess",
    [
        "KR-AAAA-AAAA-AAAA-AAAA",
        "1",
        "' OR 1=1 --",
        "KR-" + "Z" * 40,
        "%00",
        "KR-0000-1111-OOOO-IIII",
    ],
)
def test_guessed_codes_learn_nothing(client, bought, guess):
    answer = client.get("/api/v1/reports/verify/" + guess.replace("/", ""))
    # a NUL byte is refused before routing (a clear 4xx); every other guess is "not valid"
    assert answer.status_code == 200 or answer.status_code in (400, 404)
    if answer.status_code == 200:
        assert answer.json == {"valid": False}
    assert b"Ganesh" not in answer.data
    page = client.get("/verify-report", query_string={"code": guess})
    text = page.get_data(as_text=True)
    assert page.status_code in (200, 400) and "Ganesh" not in text
    if page.status_code == 200:
        assert 'id="not-verified"' in text


def test_verification_is_rate_limited(settings, session_factory, bought):
    from tests.conftest import build_app

    app = build_app(settings.but(ratelimit_enabled=True), session_factory)
    client = app.test_client()
    answers = [client.get("/api/v1/reports/verify/KR-AAAA-AAAA-AAAA-AAAA") for _ in range(25)]
    assert answers[0].status_code == 200 and answers[-1].status_code == 429


def test_the_portal_banner_the_free_update_the_pdf_code_and_the_public_page(
    client, auth, db, bought
):
    buyer, _key, _business, order, first = bought
    auth.login(buyer.email, PASSWORD)
    page = client.get(f"/reports/orders/{order.id}/report").get_data(as_text=True)
    assert 'id="superseded"' not in page
    code = re.search(r"<code>(KR[-A-Z0-9]+)</code>", page).group(1)

    pdf = client.get(f"/reports/orders/{order.id}/report.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert code in text and "verify-report" in text

    first.status = C.REMOVED
    db.flush()
    page = client.get(f"/reports/orders/{order.id}/report").get_data(as_text=True)
    assert 'id="superseded"' in page and "This report has changed since" in page
    opened = client.post(f"/reports/orders/{order.id}/current")
    assert opened.status_code == 303
    page = client.get(f"/reports/orders/{order.id}/report").get_data(as_text=True)
    assert 'id="superseded"' not in page and "Complaints (1)" in page

    public = client.get("/verify-report", query_string={"code": code}).get_data(as_text=True)
    assert 'id="verified"' in public and "Ganesh Hardware Stores" in public
    assert 'id="verify-superseded"' in public
    assert "Complaints" not in public and "score" not in public.lower().split("<main")[-1]


def test_another_members_order_cannot_be_brought_up_to_date(client, auth, factory, bought):
    _buyer, _key, _business, order, _first = bought
    other = factory.member_user()
    auth.login(other.email, PASSWORD)
    assert client.post(f"/reports/orders/{order.id}/current").status_code == 404


@pytest.mark.parametrize(
    "change", ["none", "alias", "gstin", "merged record", "settled", "twenty days on"]
)
def test_the_quick_fingerprint_is_the_full_reports(db, factory, make_business, bought, change):
    """Every read asks whether the report changed from what the business's file says,
    without scoring it; the answer is the full report's fingerprint, whatever changed."""
    _buyer, _key, business, _order, first = bought
    now = utcnow()
    before = versions.current_fingerprint(db, business.id, now)
    if change == "alias":
        businesses.add_alias(db, business, "Ganesh Hardware Co", "admin")
    elif change == "gstin":
        businesses.add_gstin(db, business, gstin_for("24", business.pan))  # another state
    elif change == "merged record":
        other = make_business("Ganesh Hardwares", states=(), with_pan=False)
        merges.merge(db, business.id, other.id, SYSTEM)
    elif change == "settled":
        first.status, first.closed_at = C.SETTLED, utcnow()
    elif change == "twenty days on":
        now += timedelta(days=20)
    db.flush()
    db.expire_all()
    quick = versions.current_fingerprint(db, business.id, now)
    assert quick == versions.fingerprint(credit_report.build_report(db, business.id, now))
    assert (quick != before) is (change in {"alias", "gstin", "merged record", "settled"})
