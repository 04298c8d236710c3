"""The series an operator alerts on: how long the bot's outside calls take, what state it is in, which
build runs. Every labelled series whose label values are known exists from the start, so a rate or an
absence over it means something from the first scrape (deploy/prometheus/ alerts on them)."""

from __future__ import annotations

import platform
import re
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from bot.warehouse.schema import TABLES

# The Web API methods the bot calls; anything else is counted as "other" so the label set stays bounded.
SLACK_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.getPermalink", "chat.startStream",
                 "chat.appendStream", "chat.stopStream", "conversations.info", "conversations.list",
                 "conversations.replies", "conversations.history", "users.info", "views.publish", "views.open",
                 "views.update", "reactions.add", "reactions.remove", "files.getUploadURLExternal",
                 "files.completeUploadExternal", "assistant.threads.setStatus", "auth.test", "apps.connections.open")
# Warehouse statements by the table they read or write (the schema's own tables), DDL as "schema".
WAREHOUSE_KINDS = (*(table.lower() for table in TABLES), "schema", "other")
INVESTIGATION_ENGINES = ("claude", "offline")
# Durations from a millisecond Slack call to a minute-long investigation; Prometheus' default buckets
# stop at 10 s, short of an investigation or a sweep against a slow warehouse.
_CALL_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_LONG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
_DDL = re.compile(r"^\s*(create|alter|drop)\b", re.IGNORECASE)
_TABLE = re.compile(r"\b(" + "|".join(TABLES) + r")\b", re.IGNORECASE)


def slack_method(method: str) -> str:
    return method if method in SLACK_METHODS else "other"


def warehouse_kind(sql: str) -> str:
    """The statement's kind from its text: DDL, else the first schema table it names, else "other"."""
    if _DDL.match(sql):
        return "schema"
    found = _TABLE.search(sql)
    return found.group(1).lower() if found else "other"


class Timings:
    """Histograms of the calls that make the bot slow when something else is."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.sweep = Histogram("agentops_sweep_duration_seconds", "One monitor sweep: the warehouse queries, then "
                               "storing and announcing what fires", buckets=_LONG_BUCKETS, registry=registry)
        self.warehouse = Histogram("agentops_warehouse_query_duration_seconds", "One warehouse statement, its "
                                   "retries included, by the table it reads", ["kind"], buckets=_CALL_BUCKETS,
                                   registry=registry)
        self.investigation = Histogram("agentops_investigation_duration_seconds", "One investigation, from the "
                                       "first tool call to its diagnosis, by engine", ["engine"],
                                       buckets=_LONG_BUCKETS, registry=registry)
        self.llm_call = Histogram("agentops_llm_call_duration_seconds", "One Messages API call to Claude, its "
                                  "retries included, by outcome", ["outcome"], buckets=_LONG_BUCKETS,
                                  registry=registry)
        self.slack_call = Histogram("agentops_slack_call_duration_seconds", "One Slack Web API call, by method "
                                    "(unlisted methods as \"other\")", ["method"], buckets=_CALL_BUCKETS,
                                    registry=registry)
        for kind in WAREHOUSE_KINDS:
            self.warehouse.labels(kind=kind)
        for engine in INVESTIGATION_ENGINES:
            self.investigation.labels(engine=engine)
        for outcome in ("ok", "error"):
            self.llm_call.labels(outcome=outcome)
        for method in (*SLACK_METHODS, "other"):
            self.slack_call.labels(method=method)

    def warehouse_query(self, sql: str, seconds: float) -> None:
        self.warehouse.labels(kind=warehouse_kind(sql)).observe(seconds)

    def model_call(self, seconds: float, ok: bool) -> None:
        self.llm_call.labels(outcome="ok" if ok else "error").observe(seconds)

    def slack(self, method: str, seconds: float) -> None:
        self.slack_call.labels(method=slack_method(method)).observe(seconds)


class OperatorState:
    """Gauges of what the bot holds now; the store's counts are refreshed at scrape time (bot/scrape.py)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.alerts_firing = Gauge("agentops_alerts_firing", "Alerts firing in the state store", registry=registry)
        self.approvals_pending = Gauge("agentops_approvals_pending", "Approval requests waiting for a decision",
                                       registry=registry)
        self.incidents_open = Gauge("agentops_incidents_open", "Incidents not yet resolved or closed",
                                    registry=registry)
        self.store_counts_at = Gauge("agentops_state_counts_timestamp_seconds", "When the three counts above were "
                                     "last read from the state store (they keep their last values in an outage)",
                                     registry=registry)
        self.last_sweep = Gauge("agentops_last_successful_sweep_timestamp_seconds", "When the last sweep that "
                                "read the warehouse finished (0: none yet)", registry=registry)
        self.sweep_interval = Gauge("agentops_sweep_interval_seconds", "MONITOR_POLL_INTERVAL_SEC (0: the monitor "
                                    "is not scheduled)", registry=registry)
        self.slack_connected = Gauge("agentops_slack_socket_connected", "1 while the Slack socket-mode link is up",
                                     registry=registry)
        self.build = Gauge("agentops_build_info", "The running build: 1, labelled with its version and Python's",
                           ["version", "python"], registry=registry)
        self.build.labels(version=_version(), python=platform.python_version()).set(1)

    def sweep_succeeded(self, at: datetime) -> None:
        self.last_sweep.set(at.timestamp())

    def counts(self, firing: int, pending: int, open_incidents: int, at: datetime) -> None:
        self.alerts_firing.set(firing)
        self.approvals_pending.set(pending)
        self.incidents_open.set(open_incidents)
        self.store_counts_at.set(at.timestamp())


def add_runtime_collectors(registry: CollectorRegistry) -> None:
    """process_* (CPU, memory, file descriptors, start time) and python_* (version, GC), on the bot's own
    registry, the same the client library puts on its global one."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)


def _version() -> str:
    try:
        return version("agentops")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
