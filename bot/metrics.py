"""Counters exposed on /metrics in Prometheus text format, one registry per running bot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.escalation.policy import CHANNELS
from bot.operator_metrics import SLACK_METHODS, OperatorState, Timings, add_runtime_collectors
from bot.rules import ALERT_TYPES

if TYPE_CHECKING:
    from agents.investigation import Usage

# what a fallback to the offline investigator gives as its reason (agents/claude_api.py, agents/loop.py)
FALLBACK_REASONS = ("configuration", "unreachable", "invalid_response", "deadline", "steps", "budget", "refusal",
                    "cut_off", "internal")
TOKEN_KINDS = ("input", "cached_input", "cache_write", "output")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.acks = Counter("agentops_acks", "Slack requests acknowledged", ["kind"], registry=self.registry)
        self.slack_errors = Counter("agentops_slack_errors", "Slack Web API calls that failed", ["method", "error"],
                                    registry=self.registry)
        self.sweeps = Counter("agentops_sweeps", "Monitor sweeps run", ["outcome"], registry=self.registry)
        self.alerts_posted = Counter("agentops_alerts_posted", "Alerts posted to the alert channel",
                                     ["alert_type", "severity"], registry=self.registry)
        self.investigations = Counter("agentops_investigations", "Investigations finished", ["engine", "status"],
                                      registry=self.registry)
        self.investigation_takeovers = Counter(
            "agentops_investigation_takeovers", "Investigations taken over from a replica that stopped renewing "
            "their lease, by outcome", ["outcome"], registry=self.registry)
        for outcome in ("restarted", "abandoned"):  # present from the start, so a rate over them is defined
            self.investigation_takeovers.labels(outcome=outcome)
        self.tokens = Counter("agentops_tokens", "Model tokens used by investigations", ["kind"],
                              registry=self.registry)
        self.cost_usd = Counter("agentops_investigation_cost_usd", "Dollars spent on model calls by investigations",
                                registry=self.registry)
        self.claude_fallbacks = Counter("agentops_claude_fallbacks", "Investigations the offline investigator "
                                        "answered for Claude, by reason", ["reason"], registry=self.registry)
        self.cache_misses = Counter("agentops_prompt_cache_misses", "Model calls that neither wrote nor read the "
                                    "prompt cache although their prefix was long enough", registry=self.registry)
        self.approvals = Counter("agentops_approvals", "Approval clicks and expiries, by outcome", ["decision"],
                                 registry=self.registry)
        self.actions = Counter("agentops_actions", "Approved actions run on the ML service", ["action", "status"],
                               registry=self.registry)

        self.alert_failures = Counter("agentops_alert_failures", "Alerts a sweep could not store or announce "
                                      "(retried on the next sweep)", ["step"], registry=self.registry)
        self.unhandled = Counter("agentops_unhandled_requests", "Slack requests no listener handled (acked and "
                                 "answered all the same)", ["kind"], registry=self.registry)
        # escalation: every page by channel, event and outcome; post → first acknowledgement
        self.pages = Counter("agentops_escalation_pages", "Escalation pages sent, failed or skipped",
                             ["channel", "event", "outcome"], registry=self.registry)
        self.time_to_ack = Histogram("agentops_time_to_acknowledge_seconds", "From an alert post to its first "
                                     "acknowledgement", buckets=(60, 300, 900, 1800, 3600, 7200, 14400, 43200),
                                     registry=self.registry)
        self.ingest_requests = Counter("agentops_ingest_requests", "Ingest webhook requests, by outcome (accepted, "
                                       "retry, or the 4xx status)", ["outcome"], registry=self.registry)

        # budgets (bot/budgets/): the caps (0: no cap), the fleet's spend in the current hour and day as this
        # replica last read it from the state store, and the notices it posted
        self.budget_limit = Gauge("agentops_budget_limit", "Model spend cap per window (0: no cap), in tokens or "
                                  "USD", ["period", "unit"], registry=self.registry)
        self.budget_spent = Gauge("agentops_budget_spent", "Model spend of every replica in the current hour or day "
                                  "(UTC), in tokens or USD", ["period", "unit"], registry=self.registry)
        self.budget_notices = Counter("agentops_budget_notices", "Budget notices posted, by level (percent of a cap)",
                                      ["level"], registry=self.registry)
        for level in ("80", "95", "100"):
            self.budget_notices.labels(level=level)

        # operator series (bot/operator_metrics.py): timings, state gauges, build info, process and Python
        self.timings = Timings(self.registry)
        self.state = OperatorState(self.registry)
        add_runtime_collectors(self.registry)
        self._start_series()

    def spent(self, usage: Usage) -> None:
        """The tokens and dollars of model calls: an investigation's, or a replay's (which is one's re-runs)."""
        if usage.cost_usd:
            self.cost_usd.inc(usage.cost_usd)
        for kind, count in (("input", usage.input_tokens), ("cached_input", usage.cache_read_tokens),
                            ("cache_write", usage.cache_write_tokens), ("output", usage.output_tokens)):
            if count:
                self.tokens.labels(kind=kind).inc(count)

    def _start_series(self) -> None:
        """Series whose label values are known now, at zero, so rates and ratios over them exist from start."""
        for kind in TOKEN_KINDS:
            self.tokens.labels(kind=kind)
        for reason in FALLBACK_REASONS:
            self.claude_fallbacks.labels(reason=reason)
        for engine in ("claude", "offline"):
            for status in ("done", "failed"):
                self.investigations.labels(engine=engine, status=status)
        for outcome in ("ok", "warehouse_unavailable"):
            self.sweeps.labels(outcome=outcome)
        for kind in ("events_api", "slash_commands", "interactive"):  # socket mode's request types
            self.acks.labels(kind=kind)
            self.unhandled.labels(kind=kind)
        for decision in ("approved", "denied", "expired", "already_decided", "unknown"):
            self.approvals.labels(decision=decision)
        self.approvals.labels(decision="voted")  # a distinct approval short of the count its policy needs
        for alert_type in ALERT_TYPES:  # the monitor's own; ingested alerts may add others
            for severity in ("critical", "warning", "info"):
                self.alerts_posted.labels(alert_type=alert_type, severity=severity)
        for channel in CHANNELS:
            for outcome in ("sent", "failed", "skipped"):
                self.pages.labels(channel=channel, event="trigger", outcome=outcome)
        for outcome in ("accepted", "retry"):  # refusals are counted by their 4xx status as they come
            self.ingest_requests.labels(outcome=outcome)
        for method in SLACK_METHODS:  # a rate limit is the one error any method can meet
            self.slack_errors.labels(method=method, error="ratelimited")

    def render(self) -> bytes:
        return generate_latest(self.registry)
