"""What a search counts of a business's complaints (API.md): `listed_complaints` is the
state listed only; disputed and settled ones are counted apart; complaints still in their
notice period, withdrawn, removed or settled more than five years ago are not counted."""

from __future__ import annotations

from registry.models import ComplaintStatus as C
from tests.payments.conftest import bearer

FIELDS = ("listed_complaints", "disputed_complaints", "settled_complaints")


def test_counts_are_by_state(client, db, factory, make_business, make_complaint):
    reporter = factory.member_user()
    business = make_business("Kaveri Agro Foods")
    for status in (C.LISTED, C.LISTED, C.DISPUTED, C.SETTLED, C.REMOVED, C.WITHDRAWN):
        make_complaint(reporter, business, status)
    make_complaint(reporter, business, C.IN_NOTICE, listed_days_ago=None)
    make_complaint(reporter, business, C.DISPUTED, listed_days_ago=None)  # disputed in notice
    make_complaint(reporter, business, C.SETTLED, listed_days_ago=2000, closed_days_ago=1900)
    key = factory.api_key(factory.member_user())
    for q in (business.pan, business.gstins[0].gstin if business.gstins else business.pan):
        found = client.get(f"/api/v1/businesses/search?q={q}", headers=bearer(key)).json
        hit = next(r for r in found["results"] if r["business_id"] == business.id)
        assert [hit[name] for name in FIELDS] == [2, 1, 1], q


def test_the_portal_says_the_counts_in_words(
    client, auth, db, factory, make_business, make_complaint
):
    reporter = factory.member_user()
    business = make_business("Marwar Steel Traders")
    make_complaint(reporter, business, C.LISTED)
    make_complaint(reporter, business, C.SETTLED, closed_days_ago=10)
    quiet = make_business("Marwar Steel Syndicate")
    auth.login(factory.member_user().email)
    page = client.get(f"/search?q={business.pan}").get_data(as_text=True)
    assert "1 listed · 1 settled" in page
    assert "no complaints" in client.get(f"/search?q={quiet.pan}").get_data(as_text=True)
