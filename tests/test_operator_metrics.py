"""/metrics as an operator's Prometheus sees it: every documented series there from the start, lint-clean
for promtool, timed where the time is spent, and served through a state store outage."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from seed.slack import SlackStandIn
from tests.fakes.tcp_proxy import TcpProxy
from tests.helpers.operator_metrics import (
    ROOT,
    dashboard_exprs,
    rule_exprs,
    run_promtool,
    sample_names,
    samples,
    scrape,
    series_in,
    value,
)
from tests.helpers.slack_bot import RunningBot, bot_running, investigating_with_claude

CHANNEL = "C0MLALERTS"


def _port(bot: RunningBot) -> int:
    assert bot.thread.bot.health is not None
    return bot.thread.bot.health.port


def documented_series() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Operator metrics", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))  # the table's rows
    return set(re.findall(r"`((?:agentops|process|python)_[a-z0-9_]+)`", table))


def test_a_fresh_bot_serves_every_documented_series_lint_clean(running_bot: RunningBot) -> None:
    exposition = scrape(_port(running_bot))
    linted = run_promtool("check", "metrics", stdin=exposition)
    assert linted.returncode == 0 and not linted.stdout.strip(), linted.stdout + linted.stderr
    names = sample_names(exposition)
    documented = documented_series()
    assert len(documented) >= 30, documented
    # a histogram is documented by its name; its samples are _bucket, _sum and _count
    missing = {n for n in documented if n not in names and f"{n}_count" not in names}
    assert not missing, f"documented but not served by a fresh bot: {sorted(missing)}"
    used = set().union(*map(series_in, rule_exprs() + dashboard_exprs()))
    assert not used - names, f"used by deploy/ but not served by a fresh bot: {sorted(used - names)}"
    # labelled series whose label values are known are there at zero, before anything happened
    assert value(exposition, "agentops_tokens_total", kind="output") == 0
    assert value(exposition, "agentops_slack_errors_total", method="chat.postMessage", error="ratelimited") == 0
    assert value(exposition, "agentops_claude_fallbacks_total", reason="unreachable") == 0
    assert value(exposition, "agentops_investigation_duration_seconds_count", engine="claude") == 0
    assert value(exposition, "agentops_last_successful_sweep_timestamp_seconds") == 0
    [build] = [dict(labels) for name, labels in samples(exposition) if name == "agentops_build_info"]
    assert build["version"] == "0.1.0" and re.fullmatch(r"3\.\d+\.\d+", build["python"])
    assert value(exposition, "agentops_slack_socket_connected") == 1
    assert "process_resident_memory_bytes" in names and "python_gc_collections_total" in names


def test_a_sweep_and_an_investigation_are_timed_where_the_time_goes(running_bot: RunningBot) -> None:
    slack, deps = running_bot.slack, running_bot.deps
    running_bot.tick()
    [alert_post] = slack.messages(CHANNEL)
    slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts, user="U0APPROVER"))
    slack.wait_for(lambda: deps.store.approvals.pending(), timeout=30)  # the diagnosis proposed a rollback
    exposition = scrape(_port(running_bot))
    assert value(exposition, "agentops_sweep_duration_seconds_count") == 1
    assert value(exposition, "agentops_sweep_duration_seconds_sum") > 0
    assert value(exposition, "agentops_last_successful_sweep_timestamp_seconds") == deps.clock.now().timestamp()
    # the sweep's and the offline investigator's statements, by the table they read
    assert value(exposition, "agentops_warehouse_query_duration_seconds_count", kind="model_metrics") >= 2
    assert value(exposition, "agentops_warehouse_query_duration_seconds_count", kind="feature_drift") >= 1
    assert value(exposition, "agentops_investigation_duration_seconds_count", engine="offline") == 1
    assert value(exposition, "agentops_slack_call_duration_seconds_count", method="chat.postMessage") >= 2
    assert value(exposition, "agentops_slack_call_duration_seconds_count", method="auth.test") >= 1
    assert value(exposition, "agentops_llm_call_duration_seconds_count", outcome="ok") == 0  # no Claude here
    # the store's counts, read at scrape time
    assert value(exposition, "agentops_alerts_firing") == len(deps.store.alerts.list_firing()) > 0
    assert value(exposition, "agentops_approvals_pending") == len(deps.store.approvals.pending()) > 0
    assert value(exposition, "agentops_incidents_open") >= 1


def test_with_claude_each_model_call_is_timed(slack: SlackStandIn, tmp_path: Path, now: datetime) -> None:
    with investigating_with_claude(slack, tmp_path / "bot", now) as (api, bot, _alert_post):
        slack.wait_for(lambda: [r for r in bot.deps.store.investigations.recent() if r.status == "done"], timeout=30)
        exposition = scrape(_port(bot))
        assert value(exposition, "agentops_llm_call_duration_seconds_count", outcome="ok") == len(api.requests) == 4
        assert value(exposition, "agentops_investigation_duration_seconds_count", engine="claude") == 1
        assert value(exposition, "agentops_tokens_total", kind="output") == 600


@pytest.mark.postgres
def test_a_store_outage_leaves_metrics_served_with_the_last_counts(
        slack: SlackStandIn, postgres_url: str, tmp_path: Path, now: datetime) -> None:
    target = make_url(postgres_url)
    with TcpProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        through = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with bot_running(slack, tmp_path / "bot", now, database_url=through) as bot:
            bot.tick()
            before = scrape(_port(bot))
            firing = value(before, "agentops_alerts_firing")
            assert firing > 0
            proxy.cut()
            started = time.monotonic()
            during = scrape(_port(bot))
            assert time.monotonic() - started < 8  # inside Prometheus' default 10 s scrape timeout
            assert value(during, "agentops_alerts_firing") == firing  # the last known count, not 0
            assert value(during, "agentops_state_counts_timestamp_seconds") == now.timestamp()
            assert value(during, "agentops_sweep_duration_seconds_count") == 1
            proxy.restore()


def test_label_values_stay_bounded() -> None:
    from bot.operator_metrics import slack_method, warehouse_kind

    assert warehouse_kind("SELECT f1_score FROM MODEL_METRICS WHERE model_name = %(m)s") == "model_metrics"
    assert warehouse_kind("select * from feature_drift join model_metrics using (model_name)") == "feature_drift"
    assert warehouse_kind("CREATE TABLE IF NOT EXISTS DATA_QUALITY (id INTEGER)") == "schema"
    assert warehouse_kind("SELECT 1") == warehouse_kind("SELECT * FROM model_metrics_backup") == "other"
    assert slack_method("chat.postMessage") == "chat.postMessage"
    assert slack_method("admin.users.list") == slack_method("") == "other"
