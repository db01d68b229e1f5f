"""Admins see where each of a business's names came from, and remove one: it is out of
the search at once (issue 17, "any member can tie any name to any business")."""

from __future__ import annotations

from sqlalchemy import select

from registry.actors import SYSTEM
from registry.directory import businesses
from registry.models import AuditEntry


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_an_admin_lists_and_removes_an_alias_and_search_forgets_it(client, db, factory):
    business = businesses.create(
        db, SYSTEM, "Mehta Steel Traders", city="Pune", state="Maharashtra"
    )
    businesses.add_alias(db, business, "Zenith Innocent Polymers", "filing")
    businesses.add_alias(db, business, "Mehta Steels", "admin")
    db.flush()
    admin_key = factory.api_key(factory.admin())
    member_key = factory.api_key(factory.member_user())

    def found() -> list[int]:
        answer = client.get(
            "/api/v1/businesses/search?q=Zenith Innocent Polymers", headers=bearer(member_key)
        )
        assert answer.status_code == 200
        return [r["business_id"] for r in answer.json["results"] if r["score"] >= 90]

    assert business.id in found()
    listed = client.get(
        f"/api/v1/admin/businesses/{business.id}/aliases", headers=bearer(admin_key)
    )
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    by_name = {a["name"]: a for a in listed.json}
    assert by_name["Zenith Innocent Polymers"]["source"] == "filing"
    assert by_name["Mehta Steels"]["source"] == "admin"

    path = f"/api/v1/admin/businesses/{business.id}/aliases/{by_name['Zenith Innocent Polymers']['id']}"
    assert client.delete(path, headers=bearer(member_key)).status_code == 404  # admins only
    assert client.delete(path, headers=bearer(admin_key)).status_code == 204
    assert business.id not in found()
    assert client.delete(path, headers=bearer(admin_key)).status_code == 404  # gone
    db.expire_all()
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "alias_removed"))
    assert entry is not None and "Zenith Innocent Polymers" in (entry.note or "")
    # the other name still finds it
    still = client.get("/api/v1/businesses/search?q=Mehta Steels", headers=bearer(member_key))
    assert business.id in [r["business_id"] for r in still.json["results"]]


def test_an_alias_of_another_business_cannot_be_removed_through_this_one(client, db, factory):
    one = businesses.create(db, SYSTEM, "Alpha Traders", city="Pune")
    other = businesses.create(db, SYSTEM, "Beta Traders", city="Pune")
    businesses.add_alias(db, other, "Beta Trading Co", "filing")
    db.flush()
    alias_id = other.aliases[0].id
    key = factory.api_key(factory.admin())
    path = f"/api/v1/admin/businesses/{one.id}/aliases/{alias_id}"
    assert client.delete(path, headers=bearer(key)).status_code == 404
    assert (
        client.get("/api/v1/admin/businesses/999999/aliases", headers=bearer(key)).status_code
        == 404
    )
