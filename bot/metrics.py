"""Counters exposed on /metrics in Prometheus text format, one registry per running bot."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


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

    def render(self) -> bytes:
        return generate_latest(self.registry)
