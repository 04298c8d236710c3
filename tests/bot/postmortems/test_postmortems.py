"""Post-mortems of the demo incident: drafted in the template when it resolves, published once (audited,
on the GitHub issue once, as a file), and found at once by the next investigation of the same scenario and
by `agentops ask`; discarded drafts say so and stay out of the index."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.investigations import resolve_subject, start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import post_of
from bot.postmortems.decisions import decide_postmortem
from bot.postmortems.template import HEADINGS
from seed.loader import seed
from tests.helpers.domain import Domain
from tests.helpers.postmortems import resolved_demo_incident
from tests.helpers.processes import agentops
from tests.helpers.remediation import DRIFT, LEAD, REQUESTER, VIEWER

SAME_AS_DRIFT = "INC-2026-0115 (incidents/inc_2026_0115_v14_drift.md)"  # the top similar incident until now


def investigate_again(d: Domain) -> list[str]:
    """The drift scenario once more, a day later: a new alert, investigated; its similar incidents."""
    async def run() -> list[str]:
        d.clock.advance(timedelta(days=1))
        seed(d.deps.warehouse, "drift", naive_utc(d.clock.now()), reset=True)
        await Monitor(d.deps, "test").tick()
        alert = d.deps.store.alerts.firing(DRIFT)
        assert alert is not None and (thread := post_of(alert)) is not None
        subject = await resolve_subject(d.deps, DRIFT)
        assert not isinstance(subject, str)
        assert await start_investigation(d.deps, subject=subject, requested_by=REQUESTER, thread=thread,
                                         alert_id=alert.alert_id) is None
        await d.settle()
        result = d.announcer.of("diagnosis_ready")[-1].details["result"]
        return list(result.diagnosis.similar_incidents)

    return asyncio.run(run())


def test_the_demo_incident_drafts_its_post_mortem_in_the_template_from_the_record(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now) as (d, _, draft):
        incident = d.deps.store.incidents.get(draft.incident_id)
        assert incident is not None and incident.status == "resolved"
        [said] = d.announcer.of("postmortem_drafted")
        assert said.details["thread"] == post_of(incident)  # in the incident's thread
        stored = d.deps.store.postmortems.get(incident.incident_id)
        assert stored is not None and stored.status == "draft" and stored.drafted_by == "template"
        assert (stored.slack_channel, stored.slack_ts) == (said.details["post"].channel, said.details["post"].ts)
        assert stored.file_name == f"inc_{now:%Y_%m%d}_model_drift_classifier_v2_{incident.incident_id[-4:].lower()}.md"
        markdown = stored.markdown
        print(markdown)
        assert markdown.startswith(f"# Incident Report: {incident.incident_id}\n")
        assert [line[3:] for line in markdown.splitlines() if line.startswith("## ")] == list(HEADINGS)
        assert "## Severity\nP1 (critical)" in markdown
        timeline = markdown.split("## Timeline\n")[1].split("\n\n")[0].splitlines()
        assert timeline[0] == "- 10:40 — classifier_v2 first breached its model_drift rule"
        assert "- 12:00 — rollback_model approved by U0LEAD" in timeline
        assert timeline[-1] == "- 12:01 — Alert resolved: the monitor saw the metrics back within their rules"
        assert len(timeline) == len(set(timeline))  # the post's one acknowledgement once, not once per alert
        assert "driven by V14" in markdown.split("## Root Cause\n")[1]
        assert "- rollback_model: completed — classifier_v2 rolled back: v2.4.0 → v2.3.1" in markdown
        assert markdown.rstrip().endswith("## Affected Components\nclassifier_v2, feature V14, feature V17")
        # a resolve seen again (another replica, a retried sweep) drafts nothing more
        from bot.postmortems.drafting import draft_postmortem
        assert asyncio.run(draft_postmortem(d.deps, incident, post_of(incident))) is False  # type: ignore[arg-type]
        assert len(d.announcer.of("postmortem_drafted")) == 1


def test_published_it_is_on_the_issue_once_in_the_folder_and_the_next_investigations_top_similar_incident(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "postmortems"
    with resolved_demo_incident(tmp_path, now, postmortem_dir=folder) as (d, github, draft):
        post = d.announcer.of("postmortem_drafted")[0].details["post"]
        publish = decide_postmortem(d.deps, draft.incident_id, LEAD, "published", post.channel, post.ts)
        result = asyncio.run(publish)
        assert result.outcome == "published" and result.postmortem is not None
        assert result.postmortem.status == "published" and result.postmortem.decided_by == LEAD
        [decided] = d.announcer.of("postmortem_decided")
        assert decided.details["notes"][0] == "added to the knowledge index"
        # the GitHub issue gets it once, even when the publish is retried
        incident = d.deps.store.incidents.get(draft.incident_id)
        assert incident is not None and incident.github_issue
        comments = github.issues[incident.github_issue].comments
        assert sum(draft.markdown.strip() in c for c in comments) == 1
        d.deps.tracker.comment(incident.github_issue, f"postmortem:{draft.incident_id}", draft.markdown)  # type: ignore[union-attr]
        assert sum(draft.markdown.strip() in c for c in github.issues[incident.github_issue].comments) == 1
        assert (folder / draft.file_name).read_text() == draft.markdown
        # a second click (another person, another replica) changes nothing and is told who was first
        late = asyncio.run(decide_postmortem(d.deps, draft.incident_id, REQUESTER, "discarded", post.channel, post.ts))
        assert late.outcome == "already" and late.postmortem is not None and late.postmortem.status == "published"
        entries = [(e.actor, e.action, e.outcome) for e in reversed(d.deps.store.audit.entries(draft.incident_id))]
        assert entries == [(LEAD, "postmortem.publish", "published"), (REQUESTER, "postmortem.discard", "already")]

        similar = investigate_again(d)
        assert similar[0] == f"INC-{now:%Y-%m%d} (postmortems/{draft.file_name})"
        assert SAME_AS_DRIFT in similar

        # `agentops ask`, a process of its own on the same state store, cites it
        asked = agentops("ask", "Has classifier_v2 drift on V14 happened before?", "--json", cwd=tmp_path,
                         AGENTOPS_DATA_DIR=str(d.deps.settings.agentops_data_dir))
        assert asked.returncode == 0, asked.stderr
        sources = [c["source"] for c in json.loads(asked.stdout)["citations"]]
        assert f"postmortems/{draft.file_name}" in sources, sources


def test_before_it_is_published_the_next_investigation_finds_only_the_shipped_incidents(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now) as (d, _, draft):
        assert investigate_again(d)[0] == SAME_AS_DRIFT
        assert not any(draft.file_name in s for s in investigate_again(d))


def test_only_approvers_decide_only_on_the_draft_and_a_discarded_draft_stays_out_of_the_index(
        tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with resolved_demo_incident(tmp_path, now) as (d, _, draft):
        post = d.announcer.of("postmortem_drafted")[0].details["post"]

        def click(user: str, decision: str, channel: str = post.channel, ts: str = post.ts) -> str:
            return asyncio.run(decide_postmortem(d.deps, draft.incident_id, user, decision, channel, ts)).outcome

        assert click(VIEWER, "published") == "not_allowed"
        assert click(LEAD, "published", ts="1.000000") == "wrong_message"
        assert asyncio.run(decide_postmortem(d.deps, "INC-2026-0101-0000", LEAD, "published", post.channel,
                                             post.ts)).outcome == "unknown"
        assert d.deps.store.postmortems.get(draft.incident_id).status == "draft"  # type: ignore[union-attr]
        assert click(LEAD, "discarded") == "discarded"
        assert click(LEAD, "published") == "already"
        [decided] = d.announcer.of("postmortem_decided")
        assert decided.about.status == "discarded" and decided.details["notes"] == []
        outcomes = [(e.actor, e.outcome) for e in reversed(d.deps.store.audit.entries(draft.incident_id))]
        assert outcomes == [(VIEWER, "refused:approver"), (VIEWER, "not_allowed"), (LEAD, "wrong_message"),
                            (LEAD, "discarded"), (LEAD, "already")]  # a refusal is a permission_denied row too
        assert not any(draft.file_name in s for s in d.deps.knowledge.incidents)
