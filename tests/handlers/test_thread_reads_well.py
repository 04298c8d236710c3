"""What an on-call engineer reads in an alert's thread: push texts that make sense on a phone, times in
the reader's own zone with "x minutes ago", links to the runbook, the GitHub issue and the dashboard
when configured, evidence that names only what matters and is never cut mid-item."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from agents.diagnosis import Diagnosis, RecommendedAction
from agents.investigation import InvestigationResult
from bot.config import load_settings
from bot.errors import ConfigError
from bot.store.records import Approval, Incident, StoredAlert
from handlers import alert_blocks, approval_blocks, blocks, incident_blocks, investigation_blocks
from handlers.investigation_blocks import clip
from handlers.links import NO_LINKS, Links
from handlers.mrkdwn import ago, when
from seed.slack.blockkit import blocks_text, validate_blocks

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BREACH = NOW - timedelta(minutes=70)  # the rule has held for 70 minutes when the bot first sees it
LINKS = Links("https://github.com/acme/agentops/blob/main", "https://github.com", "acme/incidents",
              "https://grafana.example/d/ml?var-model={component}")


def drift_alert(**changes: object) -> StoredAlert:
    alert = StoredAlert("a1", "model_drift:classifier_v2", "model_drift", "critical", "classifier_v2",
                        f"classifier_v2: drift_score 0.447 > 0.3 (critical); breaching since {BREACH:%H:%M} UTC",
                        {"drift_score": 0.447}, "firing", NOW, NOW, None, None, "C0ML", "1.0")
    return dataclasses.replace(alert, **changes)  # type: ignore[arg-type]


def test_the_push_text_names_the_component_once() -> None:
    text, _ = alert_blocks.alert_post("classifier_v2", [drift_alert()])
    # was "🔴 CRITICAL — classifier_v2: classifier_v2: drift_score …"
    assert text == "🔴 CRITICAL — classifier_v2: drift_score 0.447 &gt; 0.3 (critical)"


def test_times_are_date_tokens_from_the_breach_start_not_bare_utc_clock_times() -> None:
    _, built = alert_blocks.alert_post("classifier_v2", [drift_alert()])
    context = built[2]["elements"][0]["text"]
    assert f"breaching since {when(BREACH)} ({ago(BREACH)})" in context
    assert when(BREACH) == f"<!date^{int(BREACH.timestamp())}^{{date_short_pretty}} {{time}}|2026-11-21 10:50 UTC>"
    assert "UTC" not in built[1]["text"]["text"]  # no bare "HH:MM UTC" left in what people read
    # the alert list said "firing 0 min" for a 70-minute breach: it now counts from the breach
    line = blocks.alert_line(drift_alert(), NOW)
    assert "firing 0 min" not in line and f"breaching since {when(BREACH)} ({ago(BREACH)})" in line


def test_resolution_and_approval_times_are_date_tokens() -> None:
    _, built = alert_blocks.resolved(drift_alert(status="resolved", resolved_at=NOW), {"drift_score": 0.08})
    assert built[0]["text"]["text"].startswith(f"✅ Resolved {when(NOW)}: ")
    request = Approval("r", "rollback_model", "classifier_v2", "Drift on classifier_v2; more", "offline", "U0ONCALL",
                       "i", "a1", NOW, NOW + timedelta(minutes=5), "pending", None, None, "C0ML", "2.0", "1.0")
    _, built = approval_blocks.approval_request(request, ["U0LEAD"], False)
    assert f"expires {when(NOW + timedelta(minutes=5))}" in built[2]["elements"][0]["text"]


def test_links_come_from_configuration_and_are_plain_text_when_unset() -> None:
    _, plain = alert_blocks.alert_post("classifier_v2", [drift_alert()])
    assert "runbook `runbooks/model_drift.md`" in plain[2]["elements"][0]["text"]
    _, linked = alert_blocks.alert_post("classifier_v2", [drift_alert()], LINKS)
    context = linked[2]["elements"][0]["text"]
    assert "runbook <https://github.com/acme/agentops/blob/main/runbooks/model_drift.md|runbooks/model_drift.md>" \
        in context
    assert "<https://grafana.example/d/ml?var-model=classifier_v2|dashboard>" in context
    assert LINKS.runbook("../../evil.md") == "`../../evil.md`"  # a model-written path never leaves the tree
    assert LINKS.runbook("https://evil.example/x.md") == "`https://evil.example/x.md`"
    assert LINKS.issue(7) == "<https://github.com/acme/incidents/issues/7|GitHub issue #7>"
    assert NO_LINKS.issue(7) == "GitHub issue #7"
    incident = Incident("INC-1", "a1", "model_drift:classifier_v2", "model_drift", "critical", "classifier_v2",
                        "resolved", BREACH, NOW, NOW, NOW, NOW, "root", [], "C0ML", "1.0", 7, None)
    _, summary = incident_blocks.resolution_summary(incident, github=True, links=LINKS)
    assert "<https://github.com/acme/incidents/issues/7|GitHub issue #7> closed" in summary[1]["elements"][0]["text"]


def test_link_settings_must_be_urls() -> None:
    settings = load_settings(runbook_base_url="https://github.com/acme/agentops/blob/main/",
                             dashboard_url="https://grafana.example/d/ml?var-model={component}")
    assert Links.of(settings).runbook_base == "https://github.com/acme/agentops/blob/main"
    with pytest.raises(ConfigError, match="RUNBOOK_BASE_URL"):
        load_settings(runbook_base_url="github.com/acme <!channel>")


def diagnosis(evidence: list[str]) -> InvestigationResult:
    return InvestigationResult(Diagnosis(
        root_cause="Distribution shift on classifier_v2: drift_score 0.45 (critical) driven by V14, V17; data "
                   "quality is healthy, so the inputs changed rather than broke, and F1 fell to 0.818: roll back, "
                   "then retrain (model_drift runbook).",
        root_cause_category="distribution_shift", confidence=0.85, evidence=evidence,
        recommended_actions=[RecommendedAction(action=a, priority=i, requires_approval=True, target="classifier_v2")
                             for i, a in enumerate(("rollback_model", "retrain_model"), 1)],
        runbook_reference="runbooks/model_drift.md", similar_incidents=[]), "offline")


def test_evidence_is_never_cut_inside_an_item() -> None:
    psi = "; ".join(f"V{i} PSI 0.0{i % 9 + 1} (KS 0.05, mean shift +0.10)" for i in range(30))
    shown = clip(f"classifier_v2: 2 of 30 features with PSI > 0.2. {psi}", 400)
    assert len(shown) <= 400 and shown.endswith(") …")  # whole items, then the mark ("V4 PSI 0.0" was shown)
    _, built = investigation_blocks.diagnosis_blocks("classifier_v2", diagnosis([psi]), LINKS)
    assert validate_blocks(built) == []
    assert "<https://github.com/acme/agentops/blob/main/runbooks/model_drift.md|runbooks/model_drift.md>" \
        in built[-2]["elements"][0]["text"]
    assert built[-1]["type"] == "context_actions"  # 👍/👎 under the diagnosis


def test_the_diagnosis_notifies_its_verdict_and_what_it_asks() -> None:
    text, _ = investigation_blocks.diagnosis_blocks("classifier_v2", diagnosis(["x"]))
    assert text == ("Diagnosis for classifier_v2: distribution shift, 85% confident; proposes roll back then retrain "
                    "(needs an approver)")


def test_an_approval_request_names_the_diagnosis_in_one_line() -> None:
    reason = diagnosis(["x"]).diagnosis.root_cause + " (after the rollback, on data since the shift)"
    request = Approval("r", "retrain_model", "classifier_v2", reason, "offline", "U0ONCALL", "i", "a1", NOW,
                       NOW + timedelta(minutes=5), "pending", None, None, "C0ML", "2.0", "1.0")
    text, built = approval_blocks.approval_request(request, ["U0LEAD"], False,
                                                   diagnosis="https://x.slack.com/archives/C0ML/p2")
    assert text == ("🛂 Approval needed: Retrain classifier_v2 — Distribution shift on classifier_v2: drift_score 0.45 "
                    "(critical) driven by V14, V17")
    assert blocks_text(built).splitlines()[1:3] == [
        "*Why* Distribution shift on classifier_v2: drift_score 0.45 (critical) driven by V14, V17 (the diagnosis↗)",
        "*When* after the rollback, on data since the shift"]
    [approve, deny] = built[-1]["elements"]
    assert approve["confirm"]["style"] == "danger" and "confirm" not in deny
    assert validate_blocks(built) == []
