"""Every JSON list pages: page/per_page, X-Total-Count, Link; nothing cut short."""

import re
from itertools import combinations

import pytest

from registry.models import Business, DuplicatePair
from tests.security.conftest import bearer


def links(response):
    return dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    )


@pytest.fixture
def many_pairs(db):
    businesses = [Business(name=f"Sharma Traders {n}") for n in range(33)]
    db.add_all(businesses)
    db.flush()
    db.add_all(
        DuplicatePair(a_id=a.id, b_id=b.id, score=0.9, reasons='["same name"]')
        for a, b in combinations(businesses, 2)
    )
    db.flush()
    return 33 * 32 // 2  # 528: more than the old cut at 500


def test_the_duplicate_queue_is_paged_to_the_end(client, factory, many_pairs, settings):
    key = factory.api_key(factory.admin())
    first = client.get("/api/v1/admin/duplicates", headers=bearer(key))
    assert first.status_code == 200
    assert len(first.get_json()) == 50
    assert first.headers["X-Total-Count"] == str(many_pairs)
    assert links(first)["next"].startswith(settings.public_base_url + "/api/v1/admin/duplicates?")
    assert "prev" not in links(first)
    seen, url = [], "/api/v1/admin/duplicates?per_page=200"
    while url:
        page = client.get(url.removeprefix(settings.public_base_url), headers=bearer(key))
        seen += [pair["id"] for pair in page.get_json()]
        url = links(page).get("next")
    assert len(seen) == len(set(seen)) == many_pairs
    assert "prev" in links(page)


@pytest.mark.parametrize(
    "query", ["per_page=501", "per_page=0", "page=0", "page=x", "per_page=-1", "page=99999999"]
)
def test_bad_paging_is_422_in_the_one_shape(client, factory, query):
    key = factory.api_key(factory.admin())
    response = client.get(f"/api/v1/admin/duplicates?{query}", headers=bearer(key))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation" and set(error["fields"]) <= {"page", "per_page"}


@pytest.mark.parametrize(
    "path", ["/api/v1/complaints", "/api/v1/watches", "/api/v1/admin/disputes?status=open"]
)
def test_every_list_answers_paging_headers(client, factory, path):
    key = factory.api_key(factory.admin() if "admin" in path else factory.member_user())
    response = client.get(f"{path}{'&' if '?' in path else '?'}per_page=1", headers=bearer(key))
    assert response.status_code == 200 and isinstance(response.get_json(), list)
    assert response.headers["X-Total-Count"] == "0"
    assert 'rel="first"' in response.headers["Link"]


def test_checkout_urls_come_from_public_base_url_not_the_host_header(client, db, factory, settings):
    key = factory.api_key(factory.member_user())
    business = Business(name="Balaji Enterprises")
    db.add(business)
    db.flush()
    response = client.post(
        "/api/v1/reports/orders",
        json={"business_id": business.id},
        headers={**bearer(key), "Host": "evil.example"},
    )
    assert response.status_code == 201
    url = response.get_json()["checkout_url"]
    assert url.startswith(settings.public_base_url + "/test-gateway/checkout/")
    assert "evil.example" not in url
