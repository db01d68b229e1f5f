"""Search, identity, duplicates and merges through the API and the portal."""

import json
import re

from registry.actors import SYSTEM
from registry.directory import businesses, duplicates
from registry.identifiers import gstin_for


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def seed(db):
    a = businesses.create(
        db,
        SYSTEM,
        "Aravali Sarees Pvt Ltd",
        city="Siliguri",
        state="West Bengal",
        gstin=gstin_for("19", "ABCCA1234B"),
    )
    b = businesses.create(
        db, SYSTEM, "Aravalli Saree Private Limited", city="Siliguri", state="West Bengal"
    )
    c = businesses.create(db, SYSTEM, "Aravali Sarees LLP", city="Surat", state="Gujarat")
    return a, b, c


def test_search_api_answers_identity_only(client, db, factory):
    a, _, c = seed(db)
    key = factory.api_key(factory.member_user())
    found = client.get(
        "/api/v1/businesses/search?q=aravali sarees&city=Surat", headers=bearer(key)
    ).json
    assert found["kind"] == "name" and found["results"][0]["business_id"] == c.id
    first = found["results"][0]
    assert set(first) == {
        "business_id",
        "name",
        "gstins",
        "pan",
        "city",
        "state",
        "score",
        "listed_complaints",
        "disputed_complaints",
        "settled_complaints",
    }
    assert 0 <= first["score"] <= 100 and first["listed_complaints"] == 0
    by_gstin = client.get(
        f"/api/v1/businesses/search?q={gstin_for('19', 'ABCCA1234B')}", headers=bearer(key)
    ).json
    assert by_gstin["kind"] == "gstin" and by_gstin["results"][0]["business_id"] == a.id
    assert client.get("/api/v1/businesses/search?q=", headers=bearer(key)).status_code == 422
    assert client.get("/api/v1/businesses/search?q=x&limit=500", headers=bearer(key)).json["error"][
        "fields"
    ]["limit"]
    assert client.get("/api/v1/businesses/search?q=aravali").status_code == 401


def test_business_identity_and_merged_ids(client, db, factory):
    a, b, _ = seed(db)
    member_key, admin_key = factory.api_key(factory.member_user()), factory.api_key(factory.admin())
    assert (
        client.get(f"/api/v1/businesses/{a.id}", headers=bearer(member_key)).json["name"]
        == "Aravali Sarees Pvt Ltd"
    )
    assert client.get("/api/v1/businesses/999999", headers=bearer(member_key)).status_code == 404
    assert (
        client.post(
            "/api/v1/admin/businesses/merge",
            json={"keep": a.id, "merge": b.id},
            headers=bearer(member_key),
        ).status_code
        == 404
    )
    merged = client.post(
        "/api/v1/admin/businesses/merge",
        json={"keep": a.id, "merge": b.id},
        headers=bearer(admin_key),
    )
    assert merged.status_code == 200 and merged.json["keep"] == a.id
    assert (
        client.get(f"/api/v1/businesses/{b.id}", headers=bearer(member_key)).json["business_id"]
        == a.id
    )
    bad = client.post(
        "/api/v1/admin/businesses/merge",
        json={"keep": a.id, "merge": "x"},
        headers=bearer(admin_key),
    )
    assert bad.status_code == 422 and "merge" in bad.json["error"]["fields"]
    undone = client.post(
        f"/api/v1/admin/merges/{merged.json['merge_id']}/undo", headers=bearer(admin_key)
    )
    assert undone.status_code == 200 and undone.json["undone"] is True
    assert (
        client.get(f"/api/v1/businesses/{b.id}", headers=bearer(member_key)).json["business_id"]
        == b.id
    )


def test_duplicate_queue_api(client, db, factory):
    a, b, c = seed(db)
    summary = duplicates.refresh(db)
    assert summary["open_pairs"] >= 1
    queue = client.get(
        "/api/v1/admin/duplicates", headers=bearer(factory.api_key(factory.admin()))
    ).json
    pairs = {(p["a"], p["b"]) for p in queue}
    assert (a.id, b.id) in pairs
    assert all(c.id not in pair for pair in pairs)  # same name in another city is another business
    first = queue[0]
    assert first["reasons"] and 0 <= first["score"] <= 100 and first["a_business"]["name"]


def test_portal_search_page(client, auth, db, factory):
    seed(db)
    assert client.get("/search?q=aravali").headers["Location"].startswith("/login")
    auth.login(factory.member_user().email)
    page = client.get("/search?q=Aravalli+Sarees&city=Siliguri").get_data(as_text=True)
    assert 'name="q"' in page and "Aravali Sarees Pvt Ltd" in page and "Credit report" in page
    assert "Aravali Sarees LLP" in page  # other cities still listed, lower
    assert page.index("Siliguri") < page.index("Surat")


def test_admin_merges_from_the_duplicates_page_and_undoes(client, auth, db, factory):
    a, b, _ = seed(db)
    duplicates.refresh(db)
    auth.login(factory.admin().email)
    page = client.get("/admin/duplicates").get_data(as_text=True)
    assert "Aravali Sarees Pvt Ltd" in page and "Aravalli Saree Private Limited" in page
    pair_id = duplicates.open_pairs(db)[0].id
    done = client.post(f"/admin/duplicates/{pair_id}/merge", data={"keep": "a", "confirm": "yes"})
    assert done.status_code == 302
    business = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Undo" in business and "Aravalli Saree Private Limited" in business
    db.expire_all()
    assert businesses.get(db, b.id).id == a.id
    merge_id = re.search(r"/admin/merges/(\d+)/undo", business).group(1)
    assert client.post(f"/admin/merges/{merge_id}/undo").status_code == 302
    db.expire_all()
    assert businesses.get(db, b.id).id == b.id


def test_admin_dismisses_a_pair(client, auth, db, factory):
    seed(db)
    duplicates.refresh(db)
    auth.login(factory.admin().email)
    pair = duplicates.open_pairs(db)[0]
    assert client.post(f"/admin/duplicates/{pair.id}/dismiss").status_code == 302
    again = duplicates.refresh(db)
    assert pair.id not in [p.id for p in duplicates.open_pairs(db)]
    assert json.dumps(again)


def test_the_search_answer_is_exactly_what_its_schema_would_dump(db):
    """The search view answers its body without dumping it through `SearchOut` (the
    schema only documents it), so the body must already be what the dump gives, types
    included (a score of 100.0, not 100)."""
    from portal.api.businesses import search_body
    from portal.api.schemas import SearchOut
    from registry.directory import search

    a, b, _ = seed(db)
    businesses.add_gstin(db, b, gstin_for("19", "ABCCA1234B", entity="2"))
    businesses.add_alias(db, a, "Aravali Silk House", "filing")
    for q in ("aravali sarees", "Aravali Silk", gstin_for("19", "ABCCA1234B"), "abcca1234b"):
        body = search_body(search.search(db, q))
        assert body["results"], q
        dumped = SearchOut().dump(body)
        assert json.dumps(dumped, sort_keys=True) == json.dumps(body, sort_keys=True), q
