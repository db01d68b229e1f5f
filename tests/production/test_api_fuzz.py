"""schemathesis throws generated requests at every operation of the OpenAPI document:
whatever it sends, the API answers without a server error. Bounded (15 examples per
operation) and derandomized so it runs in `make test` on both databases.

(schemathesis's own pytest plugin, `from_fixture`, does not work with pytest 9 yet, so
the operations are driven through hypothesis directly.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis")
checks = pytest.importorskip("schemathesis.checks")

EXAMPLES = 15


@pytest.fixture
def member_key(factory):
    return factory.api_key(factory.member_user())


def test_the_api_never_answers_with_a_server_error(app, member_key):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {member_key}"}
    tried = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call_and_validate(headers=headers, checks=[checks.not_a_server_error])
            statuses.append(response.status_code)

        call()
    assert len(tried) >= 15, tried
    assert len(statuses) > 5 * len(tried)
    assert any(s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)


#: Operations whose rules go beyond what a schema can say (a GSTIN's checksum, dates in
#: the past, a file's content, a state a complaint must be in): schema-valid data may
#: still be refused there, with a 422 in the one error shape.
SEMANTIC = {
    "POST /api/v1/complaints",
    "POST /api/v1/notices/{token}/dispute",
    "POST /api/v1/admin/disputes/{dispute_id}/decision",
    "POST /api/v1/admin/businesses/merge",
    "POST /api/v1/watches",  # an unknown business_id is a 422 (API.md)
    "POST /api/v1/privacy/requests",  # an email must be deliverable-looking, beyond "format"
    "POST /api/v1/claims",  # one of business_id or a GSTIN with a valid checksum
    "POST /api/v1/claims/{claim_id}/verify",  # the code must be the one sent
}


def test_the_document_is_true_to_the_api(app, factory):
    """Positive data only: what the document says is valid is not refused as invalid
    (bounds and required fields match validation), and every answer's status and body
    are ones the document lists for that operation, in its error shape."""
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig()
    config.projects.default.generation.update(allow_x00=False)  # NUL is refused by design
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    admin_key = factory.api_key(factory.admin())
    member_key = factory.api_key(factory.member_user())
    from schemathesis.specs.openapi import checks as openapi_checks

    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        key = admin_key if "/admin/" in operation.path else member_key
        chosen = [
            checks.not_a_server_error,
            openapi_checks.status_code_conformance,
            openapi_checks.content_type_conformance,
            openapi_checks.response_schema_conformance,
        ]
        if operation.label not in SEMANTIC:
            chosen.append(openapi_checks.positive_data_acceptance)

        _positive_run(operation, key, chosen)
        tried += 1
    assert tried >= 15


def _positive_run(operation, key, chosen):
    @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=chosen)

    call()
