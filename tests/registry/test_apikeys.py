import pytest
from sqlalchemy import select

from registry.actors import SYSTEM
from registry.errors import NotFound, ValidationFailed
from registry.members import accounts, api_keys
from registry.models import ApiKey


def test_a_key_is_shown_once_and_stored_only_as_a_digest(db, factory):
    user = factory.member_user()
    key, secret = api_keys.create(db, user, "Tally sync", SYSTEM)
    assert secret.startswith("kr_") and len(secret) > 40
    stored = db.scalar(select(ApiKey).where(ApiKey.id == key.id))
    assert secret not in (stored.key_hash, stored.prefix, stored.name)
    assert stored.prefix == secret[:10]
    assert api_keys.user_for_key(db, secret) is user


@pytest.mark.parametrize("presented", ["", "kr_nope", "Bearer x", "kr_" + "a" * 300])
def test_unknown_keys_find_nobody(db, presented):
    assert api_keys.user_for_key(db, presented) is None


def test_a_revoked_key_stops_working(db, factory):
    user = factory.member_user()
    key, secret = api_keys.create(db, user, "old", SYSTEM)
    api_keys.revoke(db, user, key.id, SYSTEM)
    assert api_keys.user_for_key(db, secret) is None


def test_nobody_revokes_another_users_key(db, factory):
    owner, other = factory.member_user(), factory.member_user()
    key, secret = api_keys.create(db, owner, "mine", SYSTEM)
    with pytest.raises(NotFound):
        api_keys.revoke(db, other, key.id, SYSTEM)
    assert api_keys.user_for_key(db, secret) is owner


def test_a_suspended_members_keys_stop_working(db, factory):
    user = factory.member_user()
    secret = factory.api_key(user)
    accounts.LIFE.apply(db, user.member, accounts.M.SUSPENDED, SYSTEM, "unpaid fees")
    assert api_keys.user_for_key(db, secret) is None


def test_a_key_needs_a_name(db, factory):
    with pytest.raises(ValidationFailed):
        api_keys.create(db, factory.member_user(), "   ", SYSTEM)


def test_a_deactivated_users_keys_stop_working_and_admin_keys_need_no_member(db, factory):
    user = factory.member_user()
    secret = factory.api_key(user)
    user.is_active = False
    db.flush()
    assert api_keys.user_for_key(db, secret) is None
    admin = factory.admin()
    admin_secret = factory.api_key(admin)
    assert admin.member_id is None
    assert api_keys.user_for_key(db, admin_secret) is admin


@pytest.mark.parametrize("since", [None, 0])
def test_a_key_read_without_its_user_is_judged_alike(db, factory, since):
    """`holder_of(user=False)` (a search's key, read as plain columns) lets in and keeps
    out exactly the keys the full read does, with the same user, role and scopes."""
    member, admin, suspended, revoked = (factory.member_user() for _ in range(4))
    admin = factory.admin()
    keys = {who: factory.api_key(who) for who in (member, admin, suspended)}
    key, revoked_secret = api_keys.create(db, revoked, "old", SYSTEM, scopes=[api_keys.SEARCH])
    api_keys.revoke(db, revoked, key.id, SYSTEM)
    accounts.LIFE.apply(db, suspended.member, accounts.M.SUSPENDED, SYSTEM, "unpaid fees")
    for who, secret in keys.items():
        full = api_keys.holder_of(db, secret, since)
        bare = api_keys.holder_of(db, secret, since, user=False)
        if who is suspended:
            assert full is None and bare is None
            continue
        assert full is not None and bare is not None
        assert full.user is who and bare.user is None
        assert bare.user_id == who.id and bare.key_id == full.key_id
        assert bare.is_admin is full.is_admin is (who is admin)
        assert bare.scopes == full.scopes and api_keys.SEARCH in bare.scopes
        assert (bare.index_changes is None) is (since is None)
        assert bare.index_changes == full.index_changes
    assert api_keys.holder_of(db, revoked_secret, since, user=False) is None
