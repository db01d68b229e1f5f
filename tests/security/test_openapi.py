"""The OpenAPI document against the code: our error shape on every operation, and the
statuses the API really answers are the ones it lists."""

import pytest

from portal.api import paging


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def resolve(spec, response):
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def test_every_error_response_is_the_one_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = spec["components"]["schemas"]["ErrorBody"]
    assert {"code", "message", "fields"} <= set(body["properties"])
    assert body["properties"]["code"]["type"] == "string"
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or int(status) >= 400:
                schema = resolve(spec, response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_what_the_api_answers_without_a_key_or_with_bad_input_is_listed(client, spec, notice):
    _complaint, token = notice
    for path, method, operation in operations(spec):
        url = "/api/v1" + path.removeprefix("/api/v1")
        url = url.replace("{token}", token)
        for name in (
            "business_id",
            "complaint_id",
            "order_id",
            "dispute_id",
            "member_id",
            "watch_id",
            "merge_id",
        ):
            url = url.replace("{" + name + "}", "1")
        listed = set(operation["responses"])
        answered = client.open(url, method=method.upper(), json={"unexpected": True})
        assert str(answered.status_code) in listed or answered.status_code < 300, (
            method,
            path,
            answered.status_code,
            sorted(listed),
        )
        if answered.status_code >= 400:
            error = answered.get_json()["error"]
            assert set(error) >= {"code", "message"}


def test_paging_bounds_match_validation(spec):
    for _path, _method, operation in operations(spec):
        names = {p.get("name"): p for p in operation.get("parameters", [])}
        if "per_page" in names:
            schema = names["per_page"]["schema"]
            assert (schema["minimum"], schema["maximum"]) == (1, paging.MAX_PER_PAGE)
            assert "X-Total-Count" in operation["responses"]["200"]["headers"]


def test_search_bounds_match_validation(client, spec, factory):
    params = {p["name"]: p for p in spec["paths"]["/api/v1/businesses/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["maxLength"] == 200 and params["q"]["schema"]["minLength"] == 1
    assert params["limit"]["schema"]["maximum"] == 50
    key = {"Authorization": f"Bearer {factory.api_key(factory.member_user())}"}
    assert client.get("/api/v1/businesses/search?q=" + "a" * 200, headers=key).status_code == 200
    assert client.get("/api/v1/businesses/search?q=" + "a" * 201, headers=key).status_code == 422
    assert client.get("/api/v1/businesses/search?q=a&limit=51", headers=key).status_code == 422
