"""One incident per alert post (Alertmanager's group_by): drift and the F1 drop it brings are one
incident, investigated from either alert, resolved when both have cleared, recorded once with its root cause."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.investigations import resolve_subject, start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import post_of
from bot.remediation.decisions import Origin, click
from seed.github import GitHubStandIn
from seed.ml_service import DemoMLService
from tests.helpers.domain import Domain, domain

DRIFT, F1 = "model_drift:classifier_v2", "accuracy_drop:classifier_v2"


def measure(d: Domain, *, f1: float, drift: float) -> None:
    """Two new measurements of classifier_v2 (the rules' `for`), a minute apart, and the clock past them."""
    at = naive_utc(d.clock.now())
    for minutes in (1, 2):
        d.deps.warehouse.execute(
            "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, latency_p95_ms, "
            "latency_p99_ms, anomaly_rate, prediction_count) VALUES (%(t)s, 'classifier_v2', 'v2.4.0', %(f1)s, "
            "%(drift)s, 120, 200, 0.02, 12000)", {"t": at + timedelta(minutes=minutes), "f1": f1, "drift": drift})
    d.clock.advance(timedelta(minutes=2))


def rows(d: Domain) -> list[dict]:
    return d.deps.warehouse.query("SELECT * FROM INCIDENTS WHERE affected_component = 'classifier_v2' "
                                  "AND status = 'resolved' AND timestamp >= %(t)s",
                                  {"t": naive_utc(d.clock.now() - timedelta(hours=3))})


def test_the_drift_post_is_one_incident_resolved_when_both_alerts_clear(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        async def story() -> None:
            monitor = Monitor(d.deps, "test")
            await monitor.tick()
            store = d.deps.store
            drift, f1 = store.alerts.firing(DRIFT), store.alerts.firing(F1)
            assert drift is not None and f1 is not None and post_of(drift) == post_of(f1)
            [incident] = store.incidents.recent()
            assert store.incidents.for_alert(f1.alert_id) == incident
            assert (incident.alert_type, incident.fingerprint) == ("model_drift", DRIFT)  # the cause leads
            # investigated from the F1 drop's button: the same incident is diagnosed
            subject = await resolve_subject(d.deps, F1)
            assert not isinstance(subject, str)
            assert await start_investigation(d.deps, subject=subject, requested_by="U0ONCALL",
                                             thread=post_of(f1), alert_id=f1.alert_id) is None  # type: ignore[arg-type]
            await d.settle()
            diagnosed = store.incidents.get(incident.incident_id)
            assert diagnosed is not None and diagnosed.root_cause and diagnosed.diagnosed_at
            # it is the incident's investigation: a click on the other button finds it already running
            [investigation] = store.investigations.recent()
            assert investigation.alert_id == drift.alert_id

            measure(d, f1=0.80, drift=0.10)  # the drift clears, the F1 drop goes on
            await monitor.tick()
            assert store.alerts.firing(DRIFT) is None and store.alerts.firing(F1) is not None
            still = store.incidents.get(incident.incident_id)
            assert still is not None and still.status != "resolved" and still.resolved_at is None
            assert d.announcer.of("incident_resolved") == [] and rows(d) == []

            measure(d, f1=0.91, drift=0.10)  # now the whole group has cleared
            await monitor.tick()
            done = store.incidents.get(incident.incident_id)
            assert done is not None and done.status == "resolved" and done.resolved_at == d.clock.now()
            assert [s.about.incident_id for s in d.announcer.of("incident_resolved")] == [incident.incident_id]
            [row] = rows(d)
            assert row["incident_id"] == incident.incident_id and row["alert_type"] == "model_drift"
            assert row["root_cause"] == diagnosed.root_cause and "V14" in row["root_cause"]
            assert row["duration_minutes"] == 4
            # timings of the group: detected at the post, diagnosed by the one investigation
            assert done.detected_at == now and done.time_to_diagnose_sec is not None
            assert done.breach_started_at <= min(a.first_seen_at for a in (drift, f1))

        asyncio.run(story())


def test_an_actions_outcome_is_on_the_incident_and_its_issue_before_a_sweep_can_resolve_it(tmp_path: Path,
                                                                                           now) -> None:  # type: ignore[no-untyped-def]
    """A sweep that sees the alerts clear while the action's outcome is still being posted (the Slack
    call is slow) resolves the incident with the action on it, and its issue closes after the comment."""
    with GitHubStandIn() as github, DemoMLService(training_sec=0.3) as service, domain(
            tmp_path, now, ml_service_url=service.url, agentops_approvers="U0LEAD,U0ONCALL",
            action_poll_interval_sec=0.05, github_token=github.token, github_repo=github.repo,
            github_api_url=github.api_url) as d:
        service.clock, service.warehouse = d.clock, d.deps.warehouse
        monitor = Monitor(d.deps, "test")

        async def sweep_meanwhile() -> None:
            measure(d, f1=0.91, drift=0.10)  # the rolled-back model measures healthy at once
            await monitor.tick()

        async def story() -> None:
            await monitor.tick()
            drift = d.deps.store.alerts.firing(DRIFT)
            assert drift is not None
            subject = await resolve_subject(d.deps, DRIFT)
            assert not isinstance(subject, str)
            await start_investigation(d.deps, subject=subject, requested_by="U0ONCALL", thread=post_of(drift),  # type: ignore[arg-type]
                                      alert_id=drift.alert_id)
            await d.settle()
            [rollback] = [s.about for s in d.announcer.of("approval_requested") if s.about.action == "rollback_model"]
            stored = d.deps.store.approvals.get(rollback.request_id)
            assert stored is not None
            d.announcer.while_outcome_posts = sweep_meanwhile
            await click(d.deps, rollback.request_id, "U0LEAD", "approved",
                        Origin(stored.slack_channel or "", stored.slack_ts or ""))
            await d.settle()

        asyncio.run(story())
        [incident] = d.deps.store.incidents.recent()
        assert incident.status == "resolved"
        assert [(a["action"], a["status"]) for a in incident.actions] == [("rollback_model", "completed")]
        [row] = rows(d)
        assert row["resolution"].startswith("rollback_model completed")
        [issue] = github.issues.values()
        assert [c.split("\n")[0].split(" ")[0] for c in issue.comments] == ["**rollback_model**", "Resolved"]
        assert issue.state == "closed"
