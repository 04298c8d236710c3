"""Settings: defaults, parsing and one-line errors naming the variable."""

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings, parse_duration


def test_defaults_run_embedded_with_sqlite_under_the_data_dir() -> None:
    settings = load_settings()
    assert settings.embedded_warehouse
    assert settings.state_database_url == "sqlite:///.agentops/agentops.db"
    assert settings.slack_alert_channel == "#ml-alerts"
    assert settings.approval_timeout_sec == 300
    assert settings.monitor_poll_interval_sec == 30
    assert settings.repeat_interval == timedelta(hours=4)
    assert settings.stale_after == timedelta(hours=3)


def test_values_come_from_the_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / ".env").write_text("SLACK_ALERT_CHANNEL=#fraud-ml\nREPEAT_INTERVAL=30m\n")
    monkeypatch.setenv("AGENTOPS_APPROVERS", "U012AB3CD, W0ABCDEF1")
    monkeypatch.setenv("DATABASE_URL", "postgres://bot:pw@db:5432/agentops")
    settings = load_settings()
    assert settings.slack_alert_channel == "#fraud-ml"
    assert settings.repeat_interval == timedelta(minutes=30)
    assert settings.agentops_approvers == ["U012AB3CD", "W0ABCDEF1"]
    assert settings.state_database_url == "postgresql+psycopg://bot:pw@db:5432/agentops"


def test_slack_api_url_gets_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:3000/api")
    assert load_settings().slack_api_url == "http://127.0.0.1:3000/api/"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MONITOR_POLL_INTERVAL_SEC", "abc", "MONITOR_POLL_INTERVAL_SEC: "),
        ("DATABASE_URL", "nonsense://x", "DATABASE_URL: expected sqlite:///"),
        ("AGENTOPS_APPROVERS", "alice,bob", "AGENTOPS_APPROVERS: expected comma-separated Slack user ids"),
        ("REPEAT_INTERVAL", "soon", "REPEAT_INTERVAL: expected a duration"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: expected an http(s) URL"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: "),
        ("GITHUB_REPO", "just-a-name", "GITHUB_REPO: expected owner/name"),
        ("RUNBOOKS_DIR", "/nonexistent/runbooks", "RUNBOOKS_DIR: expected a folder of markdown files (*.md), but "
                                                  "/nonexistent/runbooks is not a folder"),
        ("INCIDENTS_DIR", "/", "INCIDENTS_DIR: expected a folder of markdown files (*.md), but / has none"),
        ("SWEEP_LOOKBACK", "2h", "configuration: SWEEP_LOOKBACK (2h) must be longer than STALE_AFTER (3h)"),
        # a raw ValueError traceback from the store's URL parser before these were checked here
        ("DATABASE_URL", "postgresql://u:hunter22@db:port/x", "DATABASE_URL: the port must be a number"),
        ("SLACK_ALERT_CHANNEL", "ml alerts", "SLACK_ALERT_CHANNEL: expected a channel name like #ml-alerts"),
        ("ANTHROPIC_BASE_URL", "api.anthropic.com", "ANTHROPIC_BASE_URL: expected an http(s) URL"),
        ("REPEAT_INTERVAL", "99999999999d", "REPEAT_INTERVAL: expected a duration"),
        ("ANTHROPIC_MODELS", "{not json", "ANTHROPIC_MODELS: expected JSON"),
        ("READINESS_REQUIRES", "state_store,redis", "READINESS_REQUIRES: "),
        ("READINESS_REQUIRES", ",", "READINESS_REQUIRES: expected a comma-separated list from warehouse,"),
        ("BUDGET_USD_PER_DAY", "lots", "BUDGET_USD_PER_DAY: expected a number, 0 or more (0 or empty: no cap), "
                                       "e.g. 5.00 (dollars)"),
        ("BUDGET_TOKENS_PER_HOUR", "-5", "BUDGET_TOKENS_PER_HOUR: a budget is a finite number, 0 or more"),
        ("BUDGET_TOKENS_PER_DAY", "1.5", "BUDGET_TOKENS_PER_DAY: a token budget is a whole number of tokens"),
        ("BUDGET_USD_PER_HOUR", "inf", "BUDGET_USD_PER_HOUR: a budget is a finite number, 0 or more"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                        expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(expected)
    assert "\n" not in str(raised.value) and "hunter22" not in str(raised.value)


def test_secrets_are_never_echoed_in_errors_or_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    monkeypatch.setenv("DATABASE_URL", "mysql://root:hunter22@db/x")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert "hunter22" not in str(raised.value)
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:hunter22@db/x")
    settings = load_settings()
    assert "xoxb-very-secret-token" not in repr(settings)
    assert {"xoxb-very-secret-token", "hunter22"} <= set(settings.secret_values())


def test_snowflake_account_needs_a_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "xy12345.eu-west-1")
    with pytest.raises(ConfigError, match="SNOWFLAKE_USER is required"):
        load_settings()


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("30m", 1800), ("4h", 14400), ("1d", 86400)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(("name", "value", "prefix"), [("SLACK_BOT_TOKEN", "xapp-1-swapped", "xoxb-"),
                                                        ("SLACK_APP_TOKEN", "xoxb-swapped", "xapp-")])
def test_swapped_slack_tokens_are_caught(monkeypatch: pytest.MonkeyPatch, name: str, value: str, prefix: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value) == f"{name}: expected a token starting with {prefix}"


def test_empty_corpus_settings_mean_the_shipped_corpora(monkeypatch: pytest.MonkeyPatch) -> None:
    # .env.example lists RUNBOOKS_DIR= and INCIDENTS_DIR= empty: a copy of it must still start
    monkeypatch.setenv("RUNBOOKS_DIR", "")
    monkeypatch.setenv("INCIDENTS_DIR", "")
    settings = load_settings()
    assert (settings.runbooks_dir, settings.incidents_dir) == (None, None)


def test_a_copy_of_env_example_starts_on_the_embedded_defaults(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    (tmp_path / ".env").write_text((Path(__file__).parents[1] / ".env.example").read_text())
    monkeypatch.chdir(tmp_path)
    settings = load_settings()  # empty values are "not set", not "" for an integer or a path
    assert settings.embedded_warehouse and settings.snowflake_port is None and settings.agentops_rules_file is None


def test_the_model_needs_prices_and_a_price_table_comes_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="ANTHROPIC_MODEL 'claude-next' has no prices: add it to ANTHROPIC_MODELS"):
        load_settings(anthropic_model="claude-next")
    monkeypatch.setenv("ANTHROPIC_MODEL", "claude-next")
    monkeypatch.setenv("ANTHROPIC_MODELS", '{"claude-next": {"input_usd_per_mtok": 2, "output_usd_per_mtok": 10, '
                                           '"cache_min_tokens": 2048, "temperature": false}}')
    spec = load_settings().model_spec
    assert (spec.cache_min_tokens, spec.temperature) == (2048, False)
    # a million of each: uncached $2, written $2.50 (1.25×), read $0.20 (0.1×), output $10
    assert spec.cost_usd(input_tokens=10**6, cache_write_tokens=10**6, cache_read_tokens=10**6,
                         output_tokens=10**6) == pytest.approx(14.70)


def test_the_price_table_can_price_cached_tokens_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_MODEL", "claude-next")
    monkeypatch.setenv("ANTHROPIC_MODELS", '{"claude-next": {"input_usd_per_mtok": 2, "output_usd_per_mtok": 10, '
                                           '"cache_read_usd_per_mtok": 0.5, "cache_write_usd_per_mtok": 4}}')
    spec = load_settings().model_spec
    # a million of each: input $2, written $4, read $0.50, output $10 — the four kinds priced per model
    assert spec.cost_usd(input_tokens=10**6, cache_write_tokens=10**6, cache_read_tokens=10**6,
                         output_tokens=10**6) == pytest.approx(16.50)
    monkeypatch.setenv("ANTHROPIC_MODELS", '{"claude-next": {"input_usd_per_mtok": 2, "output_usd_per_mtok": 10, '
                                           '"cache_read_usd_per_mtok": -1}}')
    with pytest.raises(ConfigError, match="ANTHROPIC_MODELS"):
        load_settings()


def test_the_default_price_table_has_the_published_prices() -> None:
    models = load_settings().anthropic_models
    assert {name: (m.input_usd_per_mtok, m.output_usd_per_mtok, m.cache_min_tokens) for name, m in models.items()} == {
        "claude-sonnet-4-6": (3, 15, 1024), "claude-sonnet-4-5": (3, 15, 1024), "claude-haiku-4-5": (1, 5, 4096),
        "claude-opus-4-5": (5, 25, 4096)}


def test_budget_caps_read_as_people_write_them_and_a_daily_cap_below_the_hourly_one_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(budget_tokens_per_hour="200_000", budget_tokens_per_day="1,000,000",
                             budget_usd_per_hour="$5", budget_usd_per_day="")
    assert (settings.budget_tokens_per_hour, settings.budget_tokens_per_day) == (200_000, 1_000_000)
    assert (settings.budget_usd_per_hour, settings.budget_usd_per_day) == (5.0, 0.0)  # empty: no cap
    monkeypatch.setenv("BUDGET_USD_PER_HOUR", "10")
    monkeypatch.setenv("BUDGET_USD_PER_DAY", "5")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith("BUDGET_USD_PER_DAY: the daily cap (5) is below the hourly cap (10)")
