"""Every route of the app (read from `url_map`, so new routes are covered the day they
are added) asked by a visitor, the owning member, another member and an admin."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, totp_code
from tests.production.world import build_world

ROLES = ["anonymous", "member", "other", "admin"]
# Open without signing in: the entrance, health, the OpenAPI document, the debtor's
# notice pages (the token is the key), the stand-in gateway page (the session id is the
# key) and the gateway's webhook (its signature is the key).
PUBLIC = {
    "web.index",
    "web.login",
    "web.apply",
    "web.logout",
    "web.forgot_password",
    "web.reset_password",
    "health.healthz",
    "health.readyz",
    "static",
    "api-docs.openapi_json",
    "webhooks.stripe_events",
    "webhooks.razorpay_events",
    "web.privacy_notice",
    "web.grievance",
    "api.file_privacy_request",
    "reports.verify_page",  # a report's verification code is the key
    "api.verify_report",
}
PUBLIC_PREFIXES = ("web.notice", "api.read_notice", "api.dispute_notice", "test_gateway.")
PUBLIC_PREFIXES += ("razorpay_checkout.",)  # Razorpay's order id, or its signature, is the key
PUBLIC_PREFIXES += ("reports.own_report",)
# Member-owned resources: another member must not learn they exist.
OWNED_ARGS = {"complaint_id", "order_id", "key_id", "watch_id", "batch_id"}


def _is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC or endpoint.startswith(PUBLIC_PREFIXES)


def routes(app) -> list[tuple[str, str, Any]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, rule))
    # reads first, so the writes of one role do not change what its reads see
    return sorted(found, key=lambda r: (r[0] != "GET", r[2].rule, r[0]))


def url_for_rule(rule, ids: dict[str, Any]) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "file_id" and rule.endpoint == "admin.dispute_evidence":
            values[arg] = ids["dispute_file_id"]
        else:
            values[arg] = ids[arg]
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<int:{arg}>", str(value)).replace(f"<{arg}>", str(value))
        path = path.replace(f"<path:{arg}>", str(value))
    return path


def expected(role: str, method: str, endpoint: str, rule) -> set[int] | None:
    """The statuses allowed, or None when anything but a server error will do."""
    path = rule.rule
    api = path.startswith("/api/")
    if _is_public(endpoint):
        return None
    if role == "anonymous":
        return {401} if api else {302}
    admin_route = path.startswith(("/admin", "/api/v1/admin"))
    if admin_route and role != "admin":
        return {404} if api else {403, 404}
    if role == "other" and OWNED_ARGS & set(rule.arguments):
        return {404}
    if role == "member" and method == "GET" and OWNED_ARGS & set(rule.arguments):
        return {200, 302, 303, 402}  # 402: a report not paid for yet
    return None


def request(client, method: str, path: str, key: str | None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if path.startswith("/api/") and method in {"POST", "PUT", "PATCH", "DELETE"}:
        return client.open(path, method=method, json={}, headers=headers)
    return client.open(path, method=method, data={}, headers=headers)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_it_should(app, client, db, settings, factory, role):
    world = build_world(db, settings, app, factory)
    user = {"member": world.owner, "other": world.other, "admin": world.admin}.get(role)
    if user is not None:
        data = {"email": user.email, "password": PASSWORD}
        code = totp_code(db, user.email)
        if code:
            data["code"] = code
        signed_in = client.post("/login", data=data)
        assert signed_in.status_code == 302
    key = world.keys.get(role)
    wrong = []
    seen = 0
    for method, endpoint, rule in routes(app):
        if endpoint == "web.logout":
            continue  # would sign this role out for the routes after it
        path = url_for_rule(rule, world.ids)
        response = request(client, method, path, key)
        response.close()
        seen += 1
        status = response.status_code
        allowed = expected(role, method, endpoint, rule)
        if status >= 500 or (allowed is not None and status not in allowed):
            wrong.append(f"{role} {method} {path} -> {status} (expected {allowed or '<500'})")
        elif (
            role == "anonymous"
            and status == 302
            and not _is_public(endpoint)
            and not response.headers["Location"].startswith("/login")
        ):
            wrong.append(f"{role} {method} {path} -> {response.headers['Location']}")
    assert seen > 60
    assert not wrong, "\n".join(wrong)
