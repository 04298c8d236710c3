"""AUTO_INVESTIGATE as a domain service: a posted alert is claimed before dispatch and investigated
once in its thread, a click meanwhile is told so, and an alert on a component the warehouse does not
measure is investigated all the same, saying what could and could not be checked."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot import auto_investigate
from bot.auto_investigate import AUTO_REQUESTER, wanted
from bot.config import ConfigError, load_settings
from bot.investigations import ALREADY_AUTO, resolve_subject, start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import post_of
from tests.fakes.messages_api import FINAL, ScriptedMessagesAPI, message, submit, tool_use
from tests.helpers.claude import tool_results
from tests.helpers.domain import Domain, domain

DRIFT = "model_drift:classifier_v2"


async def sweep(d: Domain, times: int = 1) -> None:
    monitor = Monitor(d.deps, replica="sweeper")
    for n in range(times):
        d.clock.advance(timedelta(seconds=5 if n else 0))  # within the claims' lease: nobody has to renew
        await monitor.tick()


def test_with_auto_investigate_all_a_posted_alert_is_investigated_once_in_its_thread(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, auto_investigate="all") as d:
        async def story() -> None:
            await sweep(d)
            [running] = d.deps.store.investigations.recent()
            # claimed in the store as the sweep posted, before it ran
            assert (running.auto, running.requested_by, running.component) == (True, AUTO_REQUESTER, "classifier_v2")
            await d.settle()
            await sweep(d, times=3)
            await d.settle()

        asyncio.run(story())
        [posted] = d.announcer.of("alert_posted")
        [started] = d.announcer.of("investigation_started")
        [diagnosis] = d.announcer.of("diagnosis_ready")
        assert started.details["thread"] == posted.details["post"]
        assert diagnosis.details["result"].diagnosis.root_cause_category == "distribution_shift"
        [record] = d.deps.store.investigations.recent()
        assert record.status == "done" and record.attempts == 1
        [incident] = d.deps.store.incidents.recent()
        assert incident.status == "awaiting_approval"  # its rollback proposal is an approval request
        assert d.announcer.of("approval_requested")


def test_off_investigates_nothing_and_critical_only_posts_with_a_critical_alert(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:  # the default: off
        asyncio.run(sweep(d))
        assert d.announcer.of("alert_posted") and d.deps.store.investigations.recent() == []
        drift = d.deps.store.alerts.firing(DRIFT)
        assert drift is not None and drift.severity == "critical"
        warning = replace(drift, severity="warning")
        assert wanted("critical", [warning, drift]) and not wanted("critical", [warning])
        assert wanted("all", [warning]) and not wanted("off", [drift]) and not wanted("all", [])


def test_a_click_while_an_auto_investigation_runs_says_so(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, auto_investigate="critical", auto_investigate_concurrency=1) as d:
        async def story() -> str | None:
            busy = asyncio.Event()
            d.deps.auto_investigations.spawn(busy.wait())  # the one slot is taken: the claim waits, running
            await sweep(d)
            alert = d.deps.store.alerts.firing(DRIFT)
            subject = await resolve_subject(d.deps, DRIFT)
            thread = post_of(alert) if alert else None
            assert alert is not None and thread is not None and not isinstance(subject, str)
            said = await start_investigation(d.deps, subject=subject, requested_by="U0ONCALL", thread=thread,
                                             alert_id=alert.alert_id)
            busy.set()
            await d.settle()
            return said

        assert asyncio.run(story()) == ALREADY_AUTO
        assert len(d.announcer.of("investigation_started")) == len(d.announcer.of("diagnosis_ready")) == 1


def test_an_alert_on_a_component_the_warehouse_does_not_measure_says_what_it_could_and_could_not_check(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, auto_investigate="all") as d:
        store = d.deps.store.alerts
        alert = store.open(fingerprint="HighErrorRate:checkout_api", alert_type="HighErrorRate", severity="critical",
                           component="checkout_api", message="5xx above 5% for 10m", metrics={}, now=now)
        assert alert is not None
        store.record_post(alert.alert_id, "C0MEMORY", "7.000100", now)
        posted = store.get(alert.alert_id)

        async def story() -> bool:
            claimed = await auto_investigate.alert_posted(d.deps, [posted], post_of(posted))  # type: ignore[list-item,arg-type]
            await d.settle()
            return claimed

        assert asyncio.run(story())
        [ready] = d.announcer.of("diagnosis_ready")
        diagnosis = ready.details["result"].diagnosis
        assert "could not check its metrics, feature drift, deploy history and data quality" in diagnosis.root_cause
        assert diagnosis.evidence[0].startswith("Not checked: checkout_api is not a model or pipeline")
        assert any(line.startswith("Checked: the 2 pipeline(s) the warehouse measures") for line in diagnosis.evidence)
        assert [a.action for a in diagnosis.recommended_actions][:1] == ["escalate"]
        assert d.deps.store.investigations.recent()[0].status == "done"


def test_the_settings_are_validated_with_the_variable_named() -> None:
    assert load_settings(auto_investigate=" Critical ").auto_investigate == "critical"
    assert load_settings().auto_investigate == "off" and load_settings().investigation_lease_sec == 30
    for bad, says in ((dict(auto_investigate="sometimes"), "AUTO_INVESTIGATE: expected off, critical or all"),
                      (dict(investigation_lease_sec=0.5), "INVESTIGATION_LEASE_SEC"),
                      (dict(auto_investigate_concurrency=0), "AUTO_INVESTIGATE_CONCURRENCY")):
        with pytest.raises(ConfigError, match=says):
            load_settings(**bad)


def test_claude_on_an_external_alert_is_told_so_and_its_tools_answer_no_data_rather_than_fail(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    escalate = {"action": "escalate", "priority": 1, "condition": "", "target": "checkout_api"}
    external = {**FINAL, "root_cause": "checkout_api is not measured here; its own metrics must be checked",
                "root_cause_category": "unknown", "confidence": 0.2, "evidence": ["no measurements of checkout_api"],
                "runbook_reference": "runbooks/incident_response.md", "similar_incidents": [],
                "recommended_actions": [escalate]}
    with ScriptedMessagesAPI(lambda body, index: message(
            [submit(external)] if index else [tool_use("query_model_metrics", model_name="checkout_api")],
            stop_reason="tool_use")) as api, domain(tmp_path, now, auto_investigate="all",
                                                    anthropic_api_key="sk-ant-test",
                                                    anthropic_base_url=api.base_url) as d:
        alert = d.deps.store.alerts.open(fingerprint="HighErrorRate:checkout_api", alert_type="HighErrorRate",
                                         severity="critical", component="checkout_api", message="5xx above 5%",
                                         metrics={}, now=now)
        assert alert is not None
        d.deps.store.alerts.record_post(alert.alert_id, "C0MEMORY", "7.000100", now)
        posted = d.deps.store.alerts.get(alert.alert_id)

        async def story() -> None:
            assert await auto_investigate.alert_posted(d.deps, [posted], post_of(posted))  # type: ignore[list-item,arg-type]
            await d.settle()

        asyncio.run(story())
        first = api.requests[0]["messages"][0]["content"]
        assert "checkout_api, which the warehouse does not measure" in str(first)
        [result] = tool_results(api.requests[1])
        assert "no measurements of checkout_api" in str(result["content"]) and not result.get("is_error")
        [ready] = d.announcer.of("diagnosis_ready")
        assert ready.details["result"].engine == "claude"
        assert ready.details["result"].diagnosis.recommended_actions[0].target == "checkout_api"
