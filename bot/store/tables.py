"""The state store's tables (SQLAlchemy Core). Migrations in migrations/versions create them.

Times are naive UTC. Uniqueness rules that correctness depends on live here, in the schema:
one firing alert per fingerprint, one running investigation per alert, one decision per approval.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

metadata = MetaData()
# alert type, a colon and a component name (at most 100, bot/warehouse/names.py): commands check against it
FINGERPRINT_LENGTH = 200

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(40), nullable=False, unique=True),
    Column("fingerprint", String(FINGERPRINT_LENGTH), nullable=False),
    Column("alert_type", String(40), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("component", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("metrics", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # firing | resolved
    Column("first_seen_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("last_notified_at", DateTime),
    Column("resolved_at", DateTime),
    # set once the channel post exists; a claimed alert without one is posted on the next sweep
    Column("slack_channel", String(40)),
    Column("slack_ts", String(40)),
    # the post lease (migration 0002): who is posting this alert, since when
    Column("post_claimed_at", DateTime),
    Column("post_claimed_by", String(80)),
    # Acknowledge (migration 0009): set on every alert of the post at once; the first click wins
    Column("acked_by", String(40)),
    Column("acked_at", DateTime),
    # claims of the post so far (migration 0012): past the first, look for the post before posting
    Column("post_attempts", Integer, nullable=False, server_default="0"),
    # migration 0008: who raised it (warehouse | ingest: each resolves only its own), and the
    # notification group (a hash of Alertmanager's groupKey) whose alerts share one post
    Column("source", String(16), nullable=False, server_default="warehouse"),
    Column("group_key", String(40)),
    # migration 0013: who marked the post "Not a problem" (on every alert of the post; the first click wins)
    Column("not_problem_by", String(40)),
    Column("not_problem_at", DateTime),
    # migration 0013: the first Acknowledge (acked_at moves when an escalation renews it; time to
    # acknowledge measures this one)
    Column("first_acked_at", DateTime),
)
Index("uq_alerts_firing_fingerprint", alerts.c.fingerprint, unique=True,
      sqlite_where=text("status = 'firing'"), postgresql_where=text("status = 'firing'"))

# migration 0008: signed ingest requests already accepted, so a replayed one is refused on every replica
ingest_signatures = Table(
    "ingest_signatures", metadata,
    Column("signature", String(64), primary_key=True),
    Column("seen_at", DateTime, nullable=False, index=True),
)

# migration 0008: the replica posting a notification group's alerts, while it does (a lease)
ingest_groups = Table(
    "ingest_groups", metadata,
    Column("group_key", String(40), primary_key=True),
    Column("claimed_by", String(80)),
    Column("claimed_at", DateTime),
)

silences = Table(
    "silences", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(FINGERPRINT_LENGTH), nullable=False, index=True),
    Column("created_by", String(40), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
)

investigations = Table(
    "investigations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("investigation_id", String(40), nullable=False, unique=True),
    Column("alert_id", String(40)),
    Column("trigger", Text, nullable=False),  # the alert message or the user's words
    Column("requested_by", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # running | done | failed | abandoned
    Column("engine", String(16)),  # claude | offline
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("diagnosis", JSON),
    Column("input_tokens", Integer, nullable=False, server_default="0"),
    Column("cached_input_tokens", Integer, nullable=False, server_default="0"),
    Column("output_tokens", Integer, nullable=False, server_default="0"),
    Column("slack_channel", String(40)),
    Column("slack_ts", String(40)),
    # migration 0005: what it cost
    Column("cache_write_tokens", Integer, nullable=False, server_default="0"),
    Column("cost_usd", Float, nullable=False, server_default="0"),
    # migration 0010: a durable claim with a heartbeat lease (status running | done | failed | abandoned)
    Column("component", String(200)),
    Column("lease_owner", String(120)),
    Column("lease_until", DateTime),
    Column("attempts", Integer, nullable=False, server_default="1"),
    Column("auto", Boolean, nullable=False, server_default=false()),
    # migration 0013: why the offline investigator answered although Claude was configured (its problem)
    Column("fallback_reason", String(40)),
)
Index("ix_investigations_lease", investigations.c.status, investigations.c.lease_until)
Index("uq_investigations_running_alert", investigations.c.alert_id, unique=True,
      sqlite_where=text("status = 'running'"), postgresql_where=text("status = 'running'"))

# migration 0005: each model call and tool call of an investigation, in order (seq)
investigation_steps = Table(
    "investigation_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("investigation_id", String(40), ForeignKey("investigations.investigation_id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # model | tool
    Column("turn", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("arguments", JSON),
    Column("output", Text, nullable=False),  # a tool's result as the model saw it
    Column("is_error", Boolean, nullable=False),
    Column("error", Text, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("stop_reason", String(40), nullable=False),
    Column("input_tokens", Integer, nullable=False),
    Column("cache_write_tokens", Integer, nullable=False),
    Column("cache_read_tokens", Integer, nullable=False),
    Column("output_tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=False),
    UniqueConstraint("investigation_id", "seq", name="uq_investigation_steps_seq"),
)

# migration 0007: one 👍/👎 per person and message (a later vote replaces the earlier one)
feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # diagnosis | answer
    Column("channel", String(40), nullable=False),
    Column("message_ts", String(40), nullable=False),
    Column("thread_ts", String(40)),  # the alert's or question's thread: ties a diagnosis to its investigation
    Column("user_id", String(40), nullable=False),
    Column("vote", String(8), nullable=False),  # good | bad
    Column("at", DateTime, nullable=False),
    UniqueConstraint("channel", "message_ts", "user_id", name="uq_feedback_vote"),
)

approvals = Table(
    "approvals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(64), nullable=False, unique=True),
    Column("action", String(40), nullable=False),
    Column("target", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("proposed_by", String(40), nullable=False),  # "claude" | "offline" | a user id
    Column("requested_by", String(40), nullable=False),  # who started the investigation
    Column("investigation_id", String(40)),
    Column("alert_id", String(40)),
    Column("requested_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | denied | expired
    Column("decided_by", String(40)),
    Column("decided_at", DateTime),
    Column("slack_channel", String(40)),
    Column("slack_ts", String(40)),
    # the approved action's run (migration 0003): claimed by one replica, then its verified result
    Column("slack_thread_ts", String(40)),  # the alert's or investigation's thread
    Column("action_status", String(16)),  # running | completed | failed
    Column("action_details", Text),
    Column("action_started_at", DateTime),
    Column("action_finished_at", DateTime),
    # its claim (migration 0011): a lease the running replica renews, and what was sent so far, so a
    # replica taking over verifies on the ML service rather than redoes
    Column("action_claimed_by", String(80)),
    Column("action_lease_until", DateTime),
    Column("action_phase", String(16)),  # claimed (nothing sent yet) | requested (the write was sent)
    Column("action_run_id", String(80)),  # the training run a retrain started
    Column("action_expected", String(80)),  # the version a rollback should leave serving
    Column("action_progress_channel", String(40)),  # the thread message showing its progress
    Column("action_progress_ts", String(40)),
    # environments and permissions (migration 0016): the model's environment when requested, the distinct
    # approvals its policy needs, and who has approved so far (comma-separated, in order; approval_votes rules)
    Column("environment", String(16)),
    Column("approvals_needed", Integer, nullable=False, server_default="1"),
    Column("votes", String(400), nullable=False, server_default=""),
)

# The primary key is the request id: a second decision cannot be inserted, whichever replica tries.
approval_decisions = Table(
    "approval_decisions", metadata,
    Column("request_id", String(64), ForeignKey("approvals.request_id"), primary_key=True),
    Column("decision", String(16), nullable=False),  # approved | denied | expired
    Column("decided_by", String(40), nullable=False),
    Column("decided_at", DateTime, nullable=False),
)

# One approval per request and person (migration 0016): with N > 1 approvers the Nth distinct row decides.
approval_votes = Table(
    "approval_votes", metadata,
    Column("request_id", String(64), ForeignKey("approvals.request_id"), primary_key=True),
    Column("user_id", String(40), primary_key=True),
    Column("voted_at", DateTime, nullable=False),
)
# Degraded governance said once across replicas (migration 0016): one row per cause while its spell lasts.
governance_notices = Table(
    "governance_notices", metadata,
    Column("cause", String(16), primary_key=True),  # policy | store
    Column("claimed_at", DateTime, nullable=False),
    Column("claimed_by", String(100), nullable=False),
)

# One incident per alert post (migrations 0003, 0006): its lifecycle and the times SPEC §6's Resolution
# reports. alert_id is the group's lead alert; incident_alerts lists every alert of the group.
incidents = Table(
    "incidents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String(40), nullable=False, unique=True),
    Column("alert_id", String(40), nullable=False, unique=True),
    Column("fingerprint", String(FINGERPRINT_LENGTH), nullable=False),
    Column("alert_type", String(40), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("component", String(100), nullable=False),
    # open | investigating | awaiting_approval | remediating | resolved | escalated
    Column("status", String(20), nullable=False),
    Column("breach_started_at", DateTime, nullable=False),
    Column("detected_at", DateTime, nullable=False),
    Column("diagnosed_at", DateTime),
    Column("acted_at", DateTime),
    Column("resolved_at", DateTime),
    Column("root_cause", Text),
    Column("actions", JSON, nullable=False),  # [{action, status, details, at}]
    Column("slack_channel", String(40)),
    Column("slack_ts", String(40)),
    Column("github_issue", Integer),
    Column("warehouse_recorded_at", DateTime),  # the INCIDENTS row exists
    # migration 0013: when it was first escalated to people (it may resolve later)
    Column("escalated_at", DateTime),
)

incident_alerts = Table(
    "incident_alerts", metadata,
    Column("alert_id", String(40), primary_key=True),  # an alert belongs to one incident
    Column("incident_id", String(40), ForeignKey("incidents.incident_id"), nullable=False, index=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(40), nullable=False),  # a Slack user id, or "agentops" for the bot itself
    Column("action", String(60), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("details", JSON, nullable=False),
    # where a click came from (migration 0004); empty for the bot's own entries
    Column("channel", String(40)),
    Column("message_ts", String(40)),
    # the hash chain (migration 0017, bot/store/audit_chain.py): each entry carries the hash of the one before
    # (unique, so the chain cannot fork) and its own hash over its fields and that link
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False, unique=True),
)

# migration 0017: the audit chain's head, one row (id 1): the newest entry's hash and how many entries there are.
# Appends lock it (SELECT … FOR UPDATE), so entries from every replica form one chain
audit_chain = Table(
    "audit_chain", metadata,
    Column("id", Integer, primary_key=True),
    Column("last_hash", String(64), nullable=False),
    Column("entries", Integer, nullable=False),
)

# migration 0009: one row per escalation step of an alert post ("post:<incident>") or an escalated incident
# ("escalated:<incident>"); inserting it is the claim, so each step pages once across replicas
escalation_steps = Table(
    "escalation_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(80), nullable=False),
    Column("step", String(40), nullable=False),  # "start", a step's number, "pagerduty:acknowledge" …
    Column("channel", String(20), nullable=False),
    Column("fingerprint", String(FINGERPRINT_LENGTH), nullable=False),
    Column("claimed_by", String(80), nullable=False),
    Column("claimed_at", DateTime, nullable=False),
    Column("outcome", String(20), nullable=False),  # claimed | sent | failed | skipped
    Column("detail", Text, nullable=False, server_default=""),
    UniqueConstraint("subject", "step", name="uq_escalation_steps_step"),
)

# migration 0014: what an investigation's tools read (the record a replay answers from), and the replays
investigation_records = Table(
    "investigation_records", metadata,
    Column("investigation_id", String(40), ForeignKey("investigations.investigation_id"), primary_key=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("engine", String(16), nullable=False),  # offline | claude
    Column("model", String(100), nullable=False, server_default=""),
    Column("record", JSON, nullable=False),
    Column("size_bytes", Integer, nullable=False),
)
replays = Table(
    "replays", metadata,
    Column("replay_id", String(40), primary_key=True),
    Column("investigation_id", String(40), ForeignKey("investigations.investigation_id"), nullable=False,
           index=True),
    Column("requested_at", DateTime, nullable=False),
    Column("requested_by", String(40), nullable=False),
    Column("perturbations", String(100), nullable=False),
    Column("runs_per_kind", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("investigator", Text, nullable=False),
    Column("original", JSON, nullable=False),  # category, gated actions, confidence
    Column("stability", Float, nullable=False),
    Column("tokens", Integer, nullable=False, server_default="0"),  # what a Claude replay spent (0 offline)
    Column("cost_usd", Float, nullable=False, server_default="0"),
)
replay_runs = Table(
    "replay_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("replay_id", String(40), ForeignKey("replays.replay_id"), nullable=False),
    Column("run", Integer, nullable=False),
    Column("perturbation", String(16), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("request", Text, nullable=False),
    Column("engine", String(16), nullable=False),
    Column("category", String(40)),  # None: the run could not finish
    Column("gated", JSON, nullable=False),
    Column("confidence", Float),
    Column("stable", Boolean, nullable=False),
    Column("divergence", Text, nullable=False),
    UniqueConstraint("replay_id", "run", name="uq_replay_runs_run"),
)
# migration 0015: model spend, one ledger row per model call (summed per hour, day and model), and the
# budget notices claimed, one per window, cap and level across replicas
model_spend = Table(
    "model_spend", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("hour", DateTime, nullable=False, index=True),  # the call's hour and day, so sums group portably
    Column("day", DateTime, nullable=False, index=True),
    Column("model", String(100), nullable=False),
    Column("investigation_id", String(40)),
    Column("tokens", Integer, nullable=False),
    Column("cost_usd", Float, nullable=False),
)
budget_notices = Table(
    "budget_notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(8), nullable=False),  # hour | day
    Column("window_start", DateTime, nullable=False),
    Column("cap", String(8), nullable=False),  # tokens | usd
    Column("level", Integer, nullable=False),  # percent of the cap: 80, 95, 100
    Column("claimed_at", DateTime, nullable=False),
    Column("claimed_by", String(100), nullable=False),
    UniqueConstraint("period", "window_start", "cap", "level", name="uq_budget_notices_once"),
)

# migration 0018: post-mortems, one per incident (the key: two replicas drafting at once store one)
postmortems = Table(
    "postmortems", metadata,
    Column("incident_id", String(40), ForeignKey("incidents.incident_id"), primary_key=True),
    Column("file_name", String(120), nullable=False),  # inc_YYYY_MMDD_<slug>.md
    Column("markdown", Text, nullable=False),
    Column("drafted_by", String(16), nullable=False),  # claude | template
    Column("drafted_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # draft | published | discarded
    Column("slack_channel", String(40)),
    Column("slack_ts", String(40)),
    Column("decided_by", String(40)),
    Column("decided_at", DateTime),
)
