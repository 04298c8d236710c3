"""Typed rows handed out by the state store (times timezone-aware UTC)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import RowMapping

from bot.clock import aware_utc

T = TypeVar("T")


def from_row(cls: type[T], row: RowMapping) -> T:
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        value = row[f.name]
        values[f.name] = aware_utc(value) if isinstance(value, datetime) else value
    return cls(**values)


@dataclass(frozen=True)
class StoredAlert:
    alert_id: str
    fingerprint: str
    alert_type: str
    severity: str
    component: str
    message: str
    metrics: dict
    status: str
    first_seen_at: datetime
    last_seen_at: datetime
    last_notified_at: datetime | None
    resolved_at: datetime | None
    slack_channel: str | None
    slack_ts: str | None
    post_claimed_at: datetime | None = None
    post_claimed_by: str | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    # claims of the post so far: past the first, an earlier attempt may have reached Slack
    post_attempts: int = 0
    source: str = "warehouse"  # warehouse | ingest
    group_key: str | None = None
    not_problem_by: str | None = None  # marked "Not a problem" (a false positive) by whom, when
    not_problem_at: datetime | None = None
    first_acked_at: datetime | None = None  # the first Acknowledge (acked_at is the latest, once renewed)


@dataclass(frozen=True)
class Silence:
    id: int
    fingerprint: str
    created_by: str
    reason: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Investigation:
    investigation_id: str
    alert_id: str | None
    trigger: str
    requested_by: str
    status: str
    engine: str | None
    started_at: datetime
    finished_at: datetime | None
    diagnosis: dict | None
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    slack_channel: str | None
    slack_ts: str | None
    cache_write_tokens: int = 0
    cost_usd: float = 0.0
    component: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    attempts: int = 1
    auto: bool = False
    fallback_reason: str | None = None  # why Claude, configured, did not answer (the offline one did)


@dataclass(frozen=True)
class InvestigationStep:
    """One model call or tool call of an investigation (agents.investigation.Step, stored)."""

    investigation_id: str
    seq: int
    kind: str  # model | tool
    turn: int
    name: str
    arguments: dict | None
    output: str
    is_error: bool
    error: str
    duration_ms: int
    stop_reason: str
    input_tokens: int
    cache_write_tokens: int
    cache_read_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class Approval:
    request_id: str
    action: str
    target: str
    reason: str
    proposed_by: str
    requested_by: str
    investigation_id: str | None
    alert_id: str | None
    requested_at: datetime
    expires_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    slack_channel: str | None
    slack_ts: str | None
    slack_thread_ts: str | None = None
    action_status: str | None = None
    action_details: str | None = None
    action_started_at: datetime | None = None
    action_finished_at: datetime | None = None
    action_claimed_by: str | None = None
    action_lease_until: datetime | None = None
    action_phase: str | None = None
    action_run_id: str | None = None
    action_expected: str | None = None
    action_progress_channel: str | None = None
    action_progress_ts: str | None = None
    environment: str | None = None
    approvals_needed: int = 1
    votes: str = ""  # who approved so far, comma-separated

    @property
    def voters(self) -> list[str]:
        return [v for v in self.votes.split(",") if v]


@dataclass(frozen=True)
class Incident:
    incident_id: str
    alert_id: str
    fingerprint: str
    alert_type: str
    severity: str
    component: str
    status: str
    breach_started_at: datetime
    detected_at: datetime
    diagnosed_at: datetime | None
    acted_at: datetime | None
    resolved_at: datetime | None
    root_cause: str | None
    actions: list
    slack_channel: str | None
    slack_ts: str | None
    github_issue: int | None
    warehouse_recorded_at: datetime | None
    escalated_at: datetime | None = None  # first escalated to people (kept when it resolves later)

    def seconds(self, start: datetime | None, end: datetime | None) -> float | None:
        return (end - start).total_seconds() if start and end else None

    @property
    def time_to_detect_sec(self) -> float | None:
        """From the first breaching measurement to the alert."""
        return self.seconds(self.breach_started_at, self.detected_at)

    @property
    def time_to_diagnose_sec(self) -> float | None:
        """From the alert to the diagnosis."""
        return self.seconds(self.detected_at, self.diagnosed_at)

    @property
    def time_to_act_sec(self) -> float | None:
        """From the alert to the first approved action starting."""
        return self.seconds(self.detected_at, self.acted_at)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    outcome: str
    details: dict
    channel: str | None = None
    message_ts: str | None = None
    # the hash chain (migration 0017)
    prev_hash: str = ""
    entry_hash: str = ""


@dataclass(frozen=True)
class EscalationStep:
    """One claimed escalation step: what was sent where, and how it went."""

    subject: str
    step: str
    channel: str
    fingerprint: str
    claimed_by: str
    claimed_at: datetime
    outcome: str
    detail: str


@dataclass(frozen=True)
class Postmortem:
    """An incident's post-mortem: a draft in its thread until someone publishes or discards it."""

    incident_id: str
    file_name: str  # inc_YYYY_MMDD_<slug>.md: its name in POSTMORTEM_DIR and in the knowledge index
    markdown: str
    drafted_by: str  # claude | template
    drafted_at: datetime
    status: str  # draft | published | discarded
    slack_channel: str | None
    slack_ts: str | None
    decided_by: str | None
    decided_at: datetime | None
