"""One typed Settings object for the whole bot, read from the environment and `.env`.

Every knob lives here with its default and its validation, so a bad value fails at
start-up with a message naming the variable instead of surfacing later as a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, cast
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from bot import durations
from bot.errors import ConfigError

__all__ = ["ConfigError", "ModelSpec", "Settings", "load_settings", "parse_duration"]

# Slack user ids look like U012AB3CD (or W… on Enterprise Grid).
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL = re.compile(r"^(#[a-z0-9][a-z0-9_.\-]{0,79}|[CG][A-Z0-9]{2,})$")


class ModelSpec(BaseModel):
    """What a model costs (USD per million tokens) and what it allows. Cache reads cost 0.1× the input
    price and 5-minute cache writes 1.25× (Anthropic's published multipliers) unless priced here."""

    model_config = ConfigDict(frozen=True)
    input_usd_per_mtok: float = Field(gt=0)
    output_usd_per_mtok: float = Field(gt=0)
    # a negotiated or changed price for cached tokens; unset: the multipliers above
    cache_read_usd_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(default=None, ge=0)
    # below this many prefix tokens nothing is cached, silently
    cache_min_tokens: int = Field(default=1_024, ge=0)
    max_output_tokens: int = Field(default=64_000, ge=1)
    # whether the model accepts temperature (0 is sent where it does; newer models reject the field)
    temperature: bool = True

    def cost_usd(self, *, input_tokens: int, cache_write_tokens: int, cache_read_tokens: int,
                 output_tokens: int) -> float:
        per_token = self.input_usd_per_mtok / 1e6
        write = per_token * 1.25 if self.cache_write_usd_per_mtok is None else self.cache_write_usd_per_mtok / 1e6
        read = per_token * 0.1 if self.cache_read_usd_per_mtok is None else self.cache_read_usd_per_mtok / 1e6
        return (input_tokens * per_token + cache_write_tokens * write
                + cache_read_tokens * read + output_tokens * self.output_usd_per_mtok / 1e6)


# published list prices (platform.claude.com pricing), and each model's prompt-cache minimum
DEFAULT_MODELS = {
    "claude-sonnet-4-6": ModelSpec(input_usd_per_mtok=3, output_usd_per_mtok=15, cache_min_tokens=1_024),
    "claude-sonnet-4-5": ModelSpec(input_usd_per_mtok=3, output_usd_per_mtok=15, cache_min_tokens=1_024),
    "claude-haiku-4-5": ModelSpec(input_usd_per_mtok=1, output_usd_per_mtok=5, cache_min_tokens=4_096),
    "claude-opus-4-5": ModelSpec(input_usd_per_mtok=5, output_usd_per_mtok=25, cache_min_tokens=4_096),
}


def parse_duration(value: object) -> timedelta:
    """A setting's duration: '30m', '4h', '1h30m', or bare seconds ('90'), as settings always took."""
    return durations.parse_duration(value, bare_seconds=True)


class Settings(BaseSettings):
    # an empty value (".env.example" lists most settings empty) means "not set": the default applies
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_alert_channel: str = "#ml-alerts"

    # Slack reliability: each Web API call (one attempt, connect to last byte); a call Slack does not
    # answer in time counts as failed and is retried when Slack answers again
    slack_timeout_sec: float = Field(10, gt=0, le=120)

    # Anthropic (no key → the offline investigator)
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    # claude-sonnet-4-5 reaches end of life on 2026-11-30 (the SDK warns); override with ANTHROPIC_MODEL
    anthropic_model: str = "claude-sonnet-4-6"
    # prices and limits per model id (JSON in the environment); ANTHROPIC_MODEL must be one of them
    anthropic_models: dict[str, ModelSpec] = Field(default_factory=lambda: dict(DEFAULT_MODELS))
    # one Messages API call (each attempt), the SDK's retries of 429/5xx/connection errors, and the
    # longest retry-after it may honour: a 20 s retry-after must not eat a third of the deadline
    anthropic_timeout_sec: float = Field(20, gt=0, le=600)
    anthropic_max_retries: int = Field(2, ge=0, le=10)
    anthropic_max_retry_after_sec: float = Field(4, ge=0, le=60)
    agent_max_steps: int = Field(8, ge=1, le=50)
    # the whole Claude investigation; past it the offline investigator answers, saying so
    agent_deadline_sec: float = Field(90, gt=0, le=900)
    # dollars one investigation may spend before it stops asking (a valid final answer is always kept)
    agent_budget_usd: float = Field(0.50, gt=0, le=100)
    agent_max_output_tokens: int = Field(4_096, ge=256, le=128_000)
    # per turn: tool calls run (concurrently, on at most agent_tool_threads threads), bytes of
    # arguments per call, and bytes of results; per tool output, tokens (estimated as chars / 4)
    agent_max_tool_calls_per_turn: int = Field(12, ge=1, le=64)
    agent_tool_threads: int = Field(10, ge=1, le=64)
    agent_max_tool_input_bytes: int = Field(2_000, ge=100, le=100_000)
    agent_max_turn_result_bytes: int = Field(24_000, ge=1_000, le=1_000_000)
    agent_tool_output_tokens: int = Field(1_000, ge=50, le=50_000)

    # Warehouse: empty account → embedded fakesnow under agentops_data_dir
    snowflake_account: str = ""
    snowflake_user: str = ""
    snowflake_password: SecretStr | None = None
    snowflake_private_key_path: Path | None = None
    snowflake_private_key_passphrase: SecretStr | None = None
    snowflake_database: str = "AGENTOPS"
    snowflake_schema: str = "PUBLIC"
    snowflake_warehouse: str = "COMPUTE_WH"
    snowflake_role: str = ""
    # host/port/protocol override the account URL, e.g. a shared embedded warehouse server
    snowflake_host: str = ""
    snowflake_port: int | None = Field(None, ge=1, le=65535)
    snowflake_protocol: Literal["https", "http"] = "https"
    warehouse_timeout_sec: int = Field(30, ge=1, le=600)
    warehouse_retries: int = Field(2, ge=0, le=10)
    agentops_data_dir: Path = Path(".agentops")
    # the team's own runbooks and incident reports (markdown); the shipped ones when unset
    runbooks_dir: Path | None = None
    incidents_dir: Path | None = None

    # State store: SQLite file under the data dir unless DATABASE_URL names PostgreSQL
    database_url: str = ""

    # ML serving service
    ml_service_url: str = "http://localhost:8000"
    ml_service_timeout_sec: float = Field(10.0, gt=0, le=300)

    # GitHub (unset → issues are skipped with a note)
    github_token: SecretStr | None = None
    github_repo: str = ""
    github_api_url: str = "https://api.github.com"
    github_web_url: str = "https://github.com"  # where people open an issue (GitHub Enterprise: its host)

    # Links in Slack messages; unset, the runbook is shown as its path and no dashboard link is drawn
    runbook_base_url: str = ""  # e.g. https://github.com/acme/agentops/blob/main (the runbook's path is appended)
    dashboard_url: str = ""  # "{component}" in it becomes the model's or pipeline's name

    # Approvals
    agentops_approvers: Annotated[list[str], NoDecode] = []
    agentops_four_eyes: bool = False
    approval_timeout_sec: int = Field(300, ge=10, le=86_400)
    # approved actions: how often a training run's status is polled, and how long it may take
    action_poll_interval_sec: float = Field(5.0, gt=0, le=600)
    training_timeout_sec: float = Field(1800, gt=0, le=86_400)

    # Durable actions: the lease a replica holds on an approved action it runs, renewed every third of
    # it; when it lapses (the replica died) another replica resumes the action within about 1.5 × this
    action_lease_sec: float = Field(15.0, ge=1, le=600)

    # Monitor
    # seconds between sweeps; 0 turns the scheduled monitor off (`agentops check` still works)
    monitor_poll_interval_sec: float = Field(30, ge=0, le=86_400)
    repeat_interval: timedelta = timedelta(hours=4)
    stale_after: timedelta = timedelta(hours=3)
    # a sweep reads only measurements newer than this, so its cost does not grow with history
    sweep_lookback: timedelta = timedelta(hours=24)
    agentops_rules_file: Path | None = None

    # Auto-investigation and investigation leases
    # which posted alerts are investigated without a click: off, critical (a post with a critical
    # alert) or all; off by default, because it spends model tokens nobody asked for and an alert storm
    # multiplies that
    auto_investigate: Literal["off", "critical", "all"] = "off"
    auto_investigate_concurrency: int = Field(2, ge=1, le=32)
    # how long a replica's claim on a running investigation lasts unless renewed (it renews every third);
    # once it lapses another replica restarts the investigation, or closes it as abandoned
    investigation_lease_sec: float = Field(30, ge=1, le=600)

    @field_validator("auto_investigate", mode="before")
    @classmethod
    def _auto_investigate(cls, value: object) -> object:
        word = str(value).strip().lower() if isinstance(value, str) else value
        if isinstance(word, str) and word not in ("off", "critical", "all"):
            raise ValueError(f"expected off, critical or all, got {value!r}")
        return word

    # Operations
    health_port: int = Field(8080, ge=0, le=65535)
    health_host: str = "0.0.0.0"  # orchestrators probe the pod address, not loopback
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = False

    # Outages: degrading honestly
    # the Snowflake connector's cloud platform probes at login (169.254.169.254 and friends); off
    # unless wanted, since every replica would otherwise dial the metadata address, even off-cloud
    snowflake_platform_detection: bool = False
    # Escalation: Acknowledge, the escalation policy and its channels (email, webhook, PagerDuty)
    escalation_policy_file: Path | None = None  # unset: the shipped bot/escalation/default_policy.yaml
    escalation_interval_sec: float = Field(30, ge=0, le=3600)  # how often steps are checked; 0: off
    paging_timeout_sec: float = Field(10, gt=0, le=120)  # per attempt, for every channel
    smtp_host: str = ""  # unset: email steps are skipped
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    smtp_from: str = "agentops@localhost"
    smtp_to: Annotated[list[str], NoDecode] = []  # an email step's recipients unless it names its own
    escalation_webhook_url: str = ""  # unset: webhook steps are skipped
    escalation_webhook_secret: SecretStr | None = None  # signs each body (X-AgentOps-Signature)
    pagerduty_routing_key: SecretStr | None = None  # unset: PagerDuty steps are skipped
    pagerduty_events_url: str = "https://events.pagerduty.com/v2/enqueue"

    @field_validator("smtp_to", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(cast(Iterable, value or []))
        addresses = [str(item).strip() for item in items if str(item).strip()]
        if bad := [a for a in addresses if not re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+\.[A-Za-z]{2,}", a)]:
            raise ValueError(f"expected comma-separated email addresses, {bad[0]!r} is not one")
        return addresses

    @field_validator("escalation_webhook_url", "pagerduty_events_url")
    @classmethod
    def _paging_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value
    # Ingest webhook: external alerts POSTed to HEALTH_PORT (/ingest/alertmanager, /ingest/alert); off
    # until a bearer token or an HMAC secret is set
    ingest_token: SecretStr | None = None
    ingest_hmac_secret: SecretStr | None = None
    ingest_hmac_window: timedelta = timedelta(minutes=5)  # how far a signed request's timestamp may be off
    ingest_max_bytes: int = Field(1_048_576, ge=1_024, le=64 * 1_048_576)
    # labels read, first present wins: the component, and the alert type
    ingest_component_labels: Annotated[list[str], NoDecode] = ["model", "pipeline", "component", "service", "job"]
    ingest_alert_type_labels: Annotated[list[str], NoDecode] = ["alert_type", "alertname"]
    ingest_severity_label: str = "severity"
    # extra `label value=severity` pairs over the defaults (bot/ingest/labels.py), e.g. "p1=critical,p3=info"
    ingest_severity_map: Annotated[dict[str, str], NoDecode] = {}
    # Replay and stability: runs per perturbation for `/agentops replay` (and `agentops replay`'s default --n);
    # a replay answers from the record, so each run costs milliseconds offline, a Messages API call with Claude
    replay_runs: int = Field(10, ge=1, le=200)
    # a replay stops starting runs after this long (its result says so and counts the runs it did): a Claude
    # replay is 3 × REPLAY_RUNS investigations, each up to AGENT_DEADLINE_SEC
    replay_deadline_sec: float = Field(600, ge=1, le=7200)
    # Post-mortems: drafted in the thread when an incident resolves; published ones join the knowledge index
    # (and the GitHub issue); POSTMORTEM_DIR also gets each as inc_YYYY_MMDD_<slug>.md
    postmortem_dir: Path | None = None
    postmortem_draft_timeout_sec: float = Field(30, gt=0, le=300)  # Claude's one call; then the template
    postmortem_max_tokens: int = Field(2000, ge=256, le=16_000)

    @field_validator("postmortem_dir", mode="before")
    @classmethod
    def _postmortem_dir(cls, value: object) -> object:
        if value in ("", None):
            return None
        folder = Path(str(value)).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"expected a folder for published post-mortems, but {folder} is a file")
        return folder

    # Budgets: model spend shared by every replica, per UTC hour and day (0 or empty: no cap). At 100 % of
    # any cap investigations run on the offline investigator, saying why; at 80 % and 95 % the alert
    # channel is told, once per window and cap
    budget_tokens_per_hour: int = Field(0, ge=0)
    budget_tokens_per_day: int = Field(0, ge=0)
    budget_usd_per_hour: float = Field(0.0, ge=0, allow_inf_nan=False)
    budget_usd_per_day: float = Field(0.0, ge=0, allow_inf_nan=False)

    @field_validator("budget_tokens_per_hour", "budget_tokens_per_day", "budget_usd_per_hour",
                     "budget_usd_per_day", mode="before")
    @classmethod
    def _budget_cap(cls, value: object, info: ValidationInfo) -> float | int:
        text = str(value).strip().replace("_", "").replace(",", "").removeprefix("$")
        tokens = str(info.field_name).startswith("budget_tokens")
        if not text:
            return 0
        try:
            number = float(text)
        except ValueError:
            raise ValueError("expected a number, 0 or more (0 or empty: no cap), e.g. "
                             + ("200000 (tokens)" if tokens else "5.00 (dollars)")) from None
        if not number >= 0 or number == float("inf"):
            raise ValueError("a budget is a finite number, 0 or more; 0 or empty means no cap")
        if tokens and number != int(number):
            raise ValueError("a token budget is a whole number of tokens, e.g. 200000")
        return int(number) if tokens else number

    @field_validator("budget_tokens_per_day", "budget_usd_per_day")
    @classmethod
    def _day_covers_hour(cls, value: float, info: ValidationInfo) -> float:
        hourly = info.data.get(str(info.field_name).replace("_day", "_hour")) or 0
        if value and hourly > value:
            raise ValueError(f"the daily cap ({value:g}) is below the hourly cap ({hourly:g}): the hourly one "
                             "could never be reached; raise the daily cap or lower the hourly one")
        return value

    @field_validator("ingest_component_labels", "ingest_alert_type_labels", mode="before")
    @classmethod
    def _label_list(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(cast(Iterable, value or []))
        names = [str(item).strip() for item in items if str(item).strip()]
        if not names:
            raise ValueError("expected comma-separated label names, e.g. model,pipeline,component")
        return names

    @field_validator("ingest_severity_map", mode="before")
    @classmethod
    def _severity_map(cls, value: object) -> dict[str, str]:
        parts = [part.partition("=") for part in str(value or "").split(",") if part.strip()]
        pairs = dict(value) if isinstance(value, dict) else {key: target for key, _, target in parts}
        mapped = {str(k).strip().lower(): str(v).strip().lower() for k, v in pairs.items()}
        bad = next((k for k, v in mapped.items() if v not in ("critical", "warning", "info")), None)
        if bad is not None:
            raise ValueError(f"expected value=critical|warning|info pairs, e.g. p1=critical,p3=info; {bad!r} "
                             f"maps to {mapped[bad] or 'nothing'!r}")
        return mapped

    @field_validator("ingest_hmac_window", mode="before")
    @classmethod
    def _ingest_window(cls, value: object) -> timedelta:
        window = parse_duration(value)
        if not timedelta(seconds=10) <= window <= timedelta(hours=1):
            raise ValueError("expected a window from 10s to 1h, e.g. 5m")
        return window

    # Environments and permissions: the action policy (each model's environment, which actions each
    # environment allows, how many distinct approvers and who, what runs unattended at an earned level);
    # unset: the shipped bot/permissions/default_policy.yaml. Slack user groups named as approvers are
    # resolved with usergroups.users.list and cached this long
    action_policy_file: Path | None = None
    usergroup_cache_ttl_sec: float = 300.0

    @field_validator("usergroup_cache_ttl_sec")
    @classmethod
    def _group_ttl(cls, value: float) -> float:
        if not 1 <= value <= 86400:
            raise ValueError("USERGROUP_CACHE_TTL_SEC must be from 1 to 86400 seconds, e.g. 300")
        return value

    # Readiness: the checks /readyz requires to answer 200 (its body lists every check). Ingest shares
    # HEALTH_PORT: pods that also receive ingest behind one Service can require only state_store, so a
    # warehouse or Slack outage, which fails readiness on every replica at once, does not leave
    # Alertmanager nowhere to send
    readiness_requires: Annotated[list[Literal["warehouse", "state_store", "slack_socket"]], NoDecode] = [
        "warehouse", "state_store", "slack_socket"]

    # Analytics: the agent's own drift. How often the agent-health job compares the last 7 days with the
    # 30 before (its thresholds are in the rules file's agent_health: section); 0 turns it off
    agent_health_interval_sec: float = Field(3600, ge=0, le=86_400)

    @field_validator("readiness_requires", mode="before")
    @classmethod
    def _readiness_checks(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(cast(Iterable, value or []))
        names = list(dict.fromkeys(str(item).strip().lower() for item in items if str(item).strip()))
        if not names:
            raise ValueError("expected a comma-separated list from warehouse,state_store,slack_socket")
        return names

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url_ends_in_slash(cls, value: str) -> str:
        # the Slack SDK joins method names onto base_url verbatim: without the slash,
        # "…/apichat.postMessage" is requested.
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _slack_token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        # swapping the two tokens is the most common setup mistake; say so before Slack does
        prefix = "xoxb-" if info.field_name == "slack_bot_token" else "xapp-"
        if value is not None and value.get_secret_value() and not value.get_secret_value().startswith(prefix):
            raise ValueError(f"expected a token starting with {prefix}")
        return value

    @field_validator("ml_service_url", "github_api_url", "github_web_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value.rstrip("/")

    @field_validator("runbook_base_url", "dashboard_url")
    @classmethod
    def _link_base(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s<>|]+$", value):
            raise ValueError("expected an http(s) URL without spaces, <, > or |")
        return value.rstrip("/")

    @field_validator("runbooks_dir", "incidents_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("runbooks_dir", "incidents_dir")
    @classmethod
    def _markdown_folder(cls, value: Path | None) -> Path | None:
        if value is not None and not (value.is_dir() and any(value.glob("*.md"))):
            raise ValueError(f"expected a folder of markdown files (*.md), but {value} "
                             + ("has none" if value.is_dir() else "is not a folder"))
        return value

    @field_validator("agentops_approvers", mode="before")
    @classmethod
    def _split_approvers(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else list(cast(Iterable, value or []))
        ids = [str(item).strip() for item in items if str(item).strip()]
        bad = [i for i in ids if not _SLACK_USER_ID.match(i)]
        if bad:
            raise ValueError(f"expected comma-separated Slack user ids like U012AB3CD, got {bad[0]!r}")
        return ids

    @field_validator("monitor_poll_interval_sec")
    @classmethod
    def _poll_interval(cls, value: float) -> float:
        if 0 < value < 0.1:
            raise ValueError("expected 0 (monitor off) or at least 0.1 seconds")
        return value

    @field_validator("repeat_interval", "stale_after", "sweep_lookback", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @field_validator("database_url")
    @classmethod
    def _database_url_scheme(cls, value: str) -> str:
        if not value:
            return value
        scheme = value.split("://", 1)[0] if "://" in value else ""
        driver = scheme.split("+", 1)[0]
        if driver not in ("sqlite", "postgresql", "postgres"):
            # never echo the URL itself: it may carry a password
            raise ValueError(
                f"expected sqlite:///path/to/agentops.db or postgresql://user@host:5432/db, "
                f"got scheme {scheme or '(none)'!r}"
            )
        try:
            urlsplit(value).port  # noqa: B018  (reading it is the check: a non-numeric port raises)
        except ValueError:
            raise ValueError("the port must be a number from 1 to 65535, e.g. postgresql://user@host:5432/db") from None
        return value

    @field_validator("slack_alert_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not _SLACK_CHANNEL.match(value):
            raise ValueError("expected a channel name like #ml-alerts (lower case, digits, - and _) or a channel id "
                             "like C012AB3CD")
        return value

    @field_validator("anthropic_base_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL, e.g. https://api.anthropic.com")
        return value

    @field_validator("github_repo")
    @classmethod
    def _owner_slash_name(cls, value: str) -> str:
        if value and not re.match(r"^[\w.-]+/[\w.-]+$", value):
            raise ValueError("expected owner/name, e.g. acme/ml-incidents")
        return value

    @model_validator(mode="after")
    def _snowflake_credentials(self) -> Settings:
        if self.snowflake_account and not self.snowflake_user:
            raise ValueError("SNOWFLAKE_USER is required when SNOWFLAKE_ACCOUNT is set")
        if self.anthropic_model not in self.anthropic_models:
            raise ValueError(f"ANTHROPIC_MODEL {self.anthropic_model!r} has no prices: add it to ANTHROPIC_MODELS "
                             f"(known: {', '.join(sorted(self.anthropic_models))})")
        if self.sweep_lookback <= self.stale_after:
            raise ValueError(f"SWEEP_LOOKBACK ({self.sweep_lookback.total_seconds() / 3600:g}h) must be longer "
                             f"than STALE_AFTER ({self.stale_after.total_seconds() / 3600:g}h), or a silent "
                             "component would never be seen going stale")
        return self

    @property
    def model_spec(self) -> ModelSpec:
        return self.anthropic_models[self.anthropic_model]

    @property
    def embedded_warehouse(self) -> bool:
        return not self.snowflake_account

    @property
    def state_database_url(self) -> str:
        """The SQLAlchemy URL of the state store, with the driver this project installs."""
        url = self.database_url or f"sqlite:///{self.agentops_data_dir / 'agentops.db'}"
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    def secret_values(self) -> list[str]:
        """Every secret's plain value, for the log redaction filter."""
        secrets = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                secrets.append(value.get_secret_value())
        for url in (self.database_url, self.ml_service_url, self.github_api_url, self.anthropic_base_url or ""):
            if password := urlsplit(url).password:  # credentials in a URL are as secret as a token
                secrets.append(password)
        return secrets


def _is_secret(name: str) -> bool:
    """A field whose value is never echoed: every SecretStr (derived, so a new secret cannot be forgotten)
    and the database URL, whose password sits inside it."""
    field = Settings.model_fields.get(name)
    return name == "database_url" or (field is not None and "SecretStr" in str(field.annotation))


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad variable: `NAME: what is expected (got 'value')`."""
    lines = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "configuration"
        message = item["msg"].removeprefix("Value error, ")
        got = "" if _is_secret(name.lower()) or not item["loc"] else f" (got {item.get('input')!r})"
        lines.append(f"{name}: {message}{got}")
    return "; ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning pydantic's report into a ConfigError fit for one line on stderr."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
    except SettingsError as error:  # a value that must be JSON (ANTHROPIC_MODELS) did not parse
        field = re.search(r'field "(\w+)"', str(error))
        name = field.group(1).upper() if field else "a setting"
        raise ConfigError(f"{name}: expected JSON (e.g. {{\"model-id\": {{...}}}}), and it did not parse") from None
