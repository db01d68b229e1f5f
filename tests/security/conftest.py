from datetime import date, timedelta

import pytest

from registry.actors import Actor
from registry.complaints import filing
from registry.complaints.notices import links
from tests.conftest import build_app, filing_request


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def limited_app(settings, session_factory):
    """The app with rate limits on (memory storage), 3 searches a minute per key."""
    return build_app(
        settings.but(ratelimit_enabled=True, api_search_per_minute=3),
        session_factory,
        WTF_CSRF_ENABLED=False,
    )


@pytest.fixture
def notice(db, factory, settings):
    """A complaint in notice and its notice token."""
    member = factory.member_user(name="Kaveri Agro")
    complaint = filing.file_complaint(db, settings, Actor.of(member), filing_request()).complaint
    db.flush()
    return complaint, links.token_for(complaint, settings.secret_key)


def promise_date(days=10):
    return str(date.today() + timedelta(days=days))
