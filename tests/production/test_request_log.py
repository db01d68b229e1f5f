"""Request ids and the JSON access log."""

import json
import logging

import pytest

from portal.request_log import JsonFormatter


@pytest.fixture
def access_log(caplog):
    caplog.set_level(logging.INFO, logger="khata.access")
    return caplog


def access_records(caplog):
    return [r for r in caplog.records if r.name == "khata.access"]


def test_a_request_id_is_made_echoed_and_logged(client, access_log):
    response = client.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    (record,) = access_records(access_log)
    assert record.request_id == request_id
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == request_id
    assert line["method"] == "GET" and line["path"] == "/healthz" and line["status"] == 200
    assert line["duration_ms"] >= 0 and line["user_id"] is None


def test_a_sane_incoming_id_is_kept(client, access_log):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abcd:5"})
    assert response.headers["X-Request-ID"] == "lb-1234.abcd:5"
    assert access_records(access_log)[0].request_id == "lb-1234.abcd:5"


@pytest.mark.parametrize(
    "offered", ["", "a" * 200, "bad id with spaces", "<script>", "-x", "id;rm"]
)
def test_an_insane_incoming_id_is_replaced(client, offered):
    response = client.get("/healthz", headers={"X-Request-ID": offered})
    assert response.headers["X-Request-ID"] != offered
    assert len(response.headers["X-Request-ID"]) == 32


def test_every_log_line_of_the_request_carries_its_id(app, client, caplog):
    caplog.set_level(logging.INFO)

    @app.get("/_log_twice")
    def log_twice():
        logging.getLogger("portal.somewhere").warning("first")
        logging.getLogger("some.library").warning("second")
        return "ok"

    response = client.get("/_log_twice", headers={"X-Request-ID": "trace-42"})
    assert response.status_code == 200
    lines = [r for r in caplog.records if r.getMessage() in {"first", "second"}]
    assert len(lines) == 2 and {r.request_id for r in lines} == {"trace-42"}
    outside = logging.getLogger("portal.somewhere").makeRecord(
        "portal.somewhere", logging.INFO, __file__, 1, "outside", (), None
    )
    assert JsonFormatter().format(outside)


def test_the_access_line_names_the_member_and_the_real_status(client, auth, factory, access_log):
    user = factory.member_user()
    auth.login(user.email)
    access_log.clear()
    client.get("/complaints")
    client.get("/complaints/999999")
    records = access_records(access_log)
    assert [r.fields["status"] for r in records] == [200, 404]
    assert {r.fields["user_id"] for r in records} == {user.id}


# a search reads its key without loading the user (`key_required(user=False)`)
@pytest.mark.parametrize("path", ["/api/v1/complaints", "/api/v1/businesses/search?q=Lakshmi"])
def test_api_key_users_are_named_too(client, factory, access_log, path):
    user = factory.member_user()
    key = factory.api_key(user)
    client.get(path, headers={"Authorization": f"Bearer {key}"})
    (record,) = access_records(access_log)
    assert record.fields["user_id"] == user.id and record.fields["status"] == 200
