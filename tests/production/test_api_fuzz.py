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
