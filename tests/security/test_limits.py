"""Per-key search quota; posts limited per notice (each one emails the member)."""

from sqlalchemy import func, select

from registry.members import api_keys
from registry.models import OutboxMessage
from tests.security.conftest import bearer, promise_date


def test_searches_beyond_the_quota_are_429_with_retry_after(limited_app, db, factory):
    client = limited_app.test_client()
    user = factory.member_user()
    key, other = factory.api_key(user), factory.api_key(user)
    for _ in range(3):
        assert (
            client.get("/api/v1/businesses/search?q=lakshmi", headers=bearer(key)).status_code
            == 200
        )
    refused = client.get("/api/v1/businesses/search?q=lakshmi", headers=bearer(key))
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # The quota is the key's, not the address's: another key still searches.
    assert (
        client.get("/api/v1/businesses/search?q=lakshmi", headers=bearer(other)).status_code == 200
    )


def test_a_page_refused_for_too_many_posts_says_when_to_retry(limited_app, notice):
    _complaint, token = notice
    answers = [
        limited_app.test_client().post(
            f"/notice/{token}/promise",
            data={"pay_by": promise_date(5 + n)},
            environ_base={"REMOTE_ADDR": f"10.0.2.{n}"},
        )
        for n in range(6)
    ]
    refused = answers[-1]
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "Retry-After" not in answers[0].headers


def test_the_quota_comes_from_the_environment():
    from registry.settings import Settings

    assert (
        Settings.from_env({"API_SEARCH_PER_MINUTE": "7"}, instance_path=None).api_search_per_minute
        == 7
    )
    assert api_keys.SEARCH == "search"


def mails(db):
    return db.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == "payment_promised")
    )


def test_twelve_promise_posts_do_not_send_twelve_emails(client, db, notice):
    """Without rate limits too: the same promise again changes nothing."""
    _complaint, token = notice
    for _ in range(12):
        client.post(f"/notice/{token}/promise", data={"pay_by": promise_date()})
    assert mails(db) == 1


def test_promise_posts_are_limited_per_notice(limited_app, db, notice):
    _complaint, token = notice
    statuses = []
    for n in range(12):
        client = limited_app.test_client()  # as from many browsers
        response = client.post(
            f"/notice/{token}/promise",
            data={"pay_by": promise_date(5 + n)},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
        statuses.append(response.status_code)
    assert statuses.count(429) == 7
    assert mails(db) == 5


def test_api_dispute_posts_are_limited_per_notice(limited_app, notice):
    _complaint, token = notice
    statuses = [
        limited_app.test_client()
        .post(
            f"/api/v1/notices/{token}/dispute",
            json={"reason": "bogus", "statement": ""},
            environ_base={"REMOTE_ADDR": f"10.0.1.{n}"},
        )
        .status_code
        for n in range(7)
    ]
    assert statuses == [422] * 5 + [429] * 2
