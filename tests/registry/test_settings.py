import pytest

from registry.settings import ConfigurationError, Settings


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = Settings.from_env({}, instance_path=tmp_path)
    second = Settings.from_env({}, instance_path=tmp_path)
    assert len(first.secret_key) > 40
    assert first.secret_key == second.secret_key
    assert first.stripe_webhook_secret.startswith("whsec_")
    assert first.database_url == f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    assert first.mail_url == f"file://{tmp_path / 'outbox'}"


def test_environment_values_are_read(tmp_path):
    env = {
        "NOTICE_PERIOD_DAYS": "20",
        "DISPUTE_DEADLINE_DAYS": "10",
        "REPORT_PRICE_PAISE": "99900",
        "RATELIMIT_ENABLED": "false",
        "PUBLIC_BASE_URL": "https://registry.example/",
        "SECRET_KEY": "s3cret",
    }
    settings = Settings.from_env(env, instance_path=tmp_path)
    assert (settings.notice_period_days, settings.dispute_deadline_days) == (20, 10)
    assert settings.report_price_paise == 99900
    assert settings.ratelimit_enabled is False
    assert settings.public_base_url == "https://registry.example"
    assert settings.secret_key == "s3cret"
    assert settings.stripe_secret_key is None


def test_a_non_number_is_refused_by_name(tmp_path):
    with pytest.raises(ConfigurationError, match="NOTICE_PERIOD_DAYS"):
        Settings.from_env({"NOTICE_PERIOD_DAYS": "two weeks"}, instance_path=tmp_path)


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "SECRET_KEY, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET"),
        ({"SECRET_KEY": "x"}, "STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET"),
        ({"SECRET_KEY": "x", "STRIPE_SECRET_KEY": "sk_live_x"}, "STRIPE_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_to_start_naming_what_is_missing(tmp_path, given, missing):
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env({"REGISTRY_ENV": "production", **given}, instance_path=tmp_path)
    assert str(caught.value).endswith(missing)
    assert not (tmp_path / "secret_key").exists()


def test_production_starts_with_its_secrets(tmp_path):
    env = {
        "REGISTRY_ENV": "production",
        "SECRET_KEY": "k",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_x",
    }
    settings = Settings.from_env(env, instance_path=tmp_path)
    assert settings.production and settings.stripe_webhook_secret == "whsec_x"
