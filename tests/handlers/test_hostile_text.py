"""Untrusted text through every Slack builder: shown, never interpreted.

Each hostile string goes into every slot that carries text the bot did not write (warehouse values,
user text, model text, upstream errors); the only markup in the result is what the bot built itself
(mentions of real user ids), and every message stays valid Block Kit.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from agents.diagnosis import Diagnosis, RecommendedAction
from agents.investigation import InvestigationResult
from bot.fleet import ComponentHealth
from bot.remediation.decisions import ClickResult
from bot.store.records import Approval, Incident, Investigation, Silence, StoredAlert
from handlers import (
    alert_blocks,
    alert_list_blocks,
    approval_blocks,
    blocks,
    incident_blocks,
    investigation_blocks,
    silence_blocks,
)
from handlers.home.view import HomeData, home_view
from handlers.links import Links
from seed.slack.blockkit import validate_blocks, validate_view
from seed.slack.hostile import STRINGS, is_bot_date, markup_tokens, mrkdwn_texts

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LEAD, ONCALL = "U0LEAD", "U0ONCALL"
BOT_BUILT = {f"<@{LEAD}>", f"<@{ONCALL}>"}
# links are built only under the configured bases (with the untrusted part URL-quoted: no space, <, >
# or |) or to a message permalink Slack handed out; date tokens only from a datetime (is_bot_date)
LINKS = Links("https://runbooks.example/acme/agentops/blob/main", "https://github.example", "acme/incidents",
              "https://grafana.example/d/ml?var-component={component}")
_BOT_LINK = re.compile(r"^<(https://runbooks\.example/acme/agentops/blob/main/[\w/.-]+\.md"
                       r"|https://github\.example/acme/incidents/issues/\d+"
                       r"|https://grafana\.example/d/ml\?var-component=[\w.~%-]*"
                       r"|https://[a-z0-9-]+\.slack\.com/archives/[A-Z0-9]+/p\d+(\?[^\s<>|]*)?)\|[^<>|]*>$")


def bot_built(token: str) -> bool:
    return token in BOT_BUILT or bool(_BOT_LINK.match(token)) or is_bot_date(token)


def stored_alert(h: str) -> StoredAlert:
    return StoredAlert("a1", f"model_drift:{h[:100]}", "model_drift", "critical", h[:100],
                       f"{h}: drift_score 0.45 > 0.3", {"drift_score": 0.45}, "firing",
                       NOW - timedelta(minutes=70), NOW, None, None, "C0ML", "1.0")


def approval(h: str, status: str = "pending") -> Approval:
    return Approval("rid", "rollback_model", h[:100], h, "claude", ONCALL, "inv", "a1", NOW, NOW + timedelta(minutes=5),
                    status, LEAD if status != "pending" else None, NOW if status != "pending" else None, "C0ML", "2.0",
                    "1.0", "completed", h)


def incident(h: str) -> Incident:
    return Incident("INC-2026-1121-AB12", "a1", f"model_drift:{h[:100]}", "model_drift", "critical", h[:100],
                    "resolved", NOW - timedelta(minutes=80), NOW, NOW, NOW, NOW, h,
                    [{"action": h, "status": h, "details": h}], "C0ML", "1.0", None, None)


def result(h: str) -> InvestigationResult:
    diagnosis = Diagnosis(root_cause=h, root_cause_category="distribution_shift", confidence=0.8, evidence=[h, h],
                          recommended_actions=[RecommendedAction(action="rollback_model", priority=1,
                                                                 requires_approval=True, condition=h, target=h)],
                          runbook_reference=h, similar_incidents=[h])
    return InvestigationResult(diagnosis, "claude", note=h)


def with_runbook(h: str) -> InvestigationResult:
    """A diagnosis whose runbook the links may point at, with hostile text in every other field."""
    plain = result(h)
    return dataclasses.replace(plain, diagnosis=plain.diagnosis.model_copy(
        update={"runbook_reference": "runbooks/model_drift.md"}))


def component(h: str) -> ComponentHealth:
    values = {"model_version": h, "f1_score": 0.8, "drift_score": 0.45, "latency_p99_ms": 200.0, "anomaly_rate": 0.02}
    pipeline = {"null_rate": 0.01, "records_processed": 10, "schema_violations": 0, "status": h}
    return [ComponentHealth(h[:100], "model", "critical", NOW, values, []),
            ComponentHealth(h[:100], "pipeline", "healthy", NOW, pipeline, [])]


def messages(h: str) -> list[tuple[str, list[dict]]]:
    """Every chat message a builder makes, with `h` wherever untrusted text goes."""
    alert, request = stored_alert(h), approval(h)
    decided = approval(h, "approved")
    return [
        blocks.status(component(h), None, [alert], NOW), blocks.status(None, h, [alert], NOW),
        alert_list_blocks.alerts_list([alert], NOW), blocks.answer(h, h, [h]),
        alert_blocks.alert_post(h, [alert]), alert_blocks.alert_post(h, [alert], LINKS),
        alert_blocks.still_firing(alert, NOW),
        alert_blocks.severity_changed(alert, "warning"), alert_blocks.resolved(alert, {h: 0.1}),
        approval_blocks.approval_request(request, [LEAD], True),
        approval_blocks.approval_request(request, [LEAD], True, diagnosis=f"https://x.slack.com/archives/C0ML/p1?thread_ts={h}"),
        approval_blocks.approval_closed(decided),
        approval_blocks.action_progress(decided, [h, h]), approval_blocks.action_outcome(decided, "failed", h),
        approval_blocks.proposal_dropped(h, h, h), blocks.notice(approval_blocks.too_late(decided)),
        blocks.notice(approval_blocks.refusal(ClickResult("already_decided", decided, "approved"), [LEAD])),
        investigation_blocks.diagnosis_blocks(h, result(h)), investigation_blocks.diagnosis_blocks(h, result(h), LINKS),
        investigation_blocks.diagnosis_blocks(h, with_runbook(h), LINKS),
        investigation_blocks.failed(h, h), incident_blocks.resolution_summary(incident(h), github=True),
        alert_blocks.alert_post(h, [alert], silenced_until={alert.fingerprint: NOW}),
        silence_blocks.silenced(h, h, timedelta(hours=4), NOW, h),
        silence_blocks.silence_confirmed(h, timedelta(hours=4), NOW, h), silence_blocks.unsilenced(h, h),
        silence_blocks.nothing_to_unsilence(h),
        silence_blocks.silences_list([Silence(1, h, h, h, NOW, NOW + timedelta(hours=1))], NOW),
        incident_blocks.resolution_summary(dataclasses.replace(incident(h), github_issue=7), github=True, links=LINKS),
    ]


def home(h: str) -> dict:
    investigation = Investigation("i1", None, h, ONCALL, "done", "claude", NOW, NOW,
                                  {"root_cause_category": h}, 0, 0, 0, None, None)
    return home_view(HomeData(component(h), h, [stored_alert(h)], [approval(h)], [investigation], True, True, NOW,
                              [incident(h)]))


@pytest.mark.parametrize("hostile", STRINGS, ids=range(len(STRINGS)))
def test_untrusted_text_is_never_markup(hostile: str) -> None:
    for text, built in messages(hostile):
        assert validate_blocks(built) == [], text[:80]
        # a notification carries no links or dates (a phone shows their raw form), only bot-built mentions
        assert set(markup_tokens(text)) <= BOT_BUILT, text[:300]
        for mrkdwn in mrkdwn_texts(built):
            assert all(bot_built(t) for t in markup_tokens(mrkdwn)), mrkdwn[:300]
            assert "\x00" not in mrkdwn
    view = home(hostile)
    assert validate_view(view) == []
    for mrkdwn in mrkdwn_texts(view):
        assert all(bot_built(t) for t in markup_tokens(mrkdwn)), mrkdwn[:300]


def test_what_is_escaped_still_reads_as_written() -> None:
    text, _ = alert_blocks.still_firing(stored_alert("<!channel> & co"), NOW)
    assert "&lt;!channel&gt; &amp; co" in text  # Slack shows these as "<!channel> & co", literally


def test_a_forged_user_id_is_not_a_mention() -> None:
    forged = dataclasses.replace(approval("x", "approved"), decided_by="U1> <!channel")
    text, _ = blocks.notice(approval_blocks.too_late(forged))
    assert markup_tokens(text) == []
