"""Ordering a report once: a retried API order with its Idempotency-Key, and a double
submitted buy form, start one order and answer the same checkout."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from registry.models import ComplaintStatus, ReportOrder
from tests.payments.test_portal_pages import csrf_app, scene, signed_in, token  # noqa: F401


def orders(db):
    return db.scalar(select(func.count()).select_from(ReportOrder))


def test_a_double_submitted_buy_form_orders_once(scene, db):  # noqa: F811
    client, _, business = scene
    page = client.get(f"/reports/buy/{business.id}")
    once = re.search(r'name="once"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    assert once, "the buy form carries no one-use token"
    data = {"csrf_token": token(page), "once": once.group(1)}
    first = client.post(f"/reports/buy/{business.id}", data=data)
    second = client.post(f"/reports/buy/{business.id}", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert orders(db) == 1


def test_a_retried_api_order_answers_the_same_order(
    client, db, factory, make_business, make_complaint
):
    reporter = factory.member_user()
    business = make_business("Lakshmi Paper Mart", city="Surat", state="Gujarat")
    make_complaint(reporter, business, ComplaintStatus.LISTED)
    key = factory.api_key(factory.member_user())
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "order-1"}
    first = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=headers
    )
    assert first.status_code == 201, first.json
    again = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id}, headers=headers
    )
    assert again.status_code == 201 and again.json == first.json
    assert orders(db) == 1
    other = client.post(
        "/api/v1/reports/orders", json={"business_id": business.id + 1000}, headers=headers
    )
    assert other.status_code == 409 and other.json["error"]["code"] == "idempotency_conflict"
