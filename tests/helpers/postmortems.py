"""The demo incident through to its post-mortem, without Slack: the drift alert posted and investigated, the
rollback and the retrain approved as in `agentops demo`, the recovery seen by the monitor, the draft waited for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.monitor.monitor import Monitor
from bot.store.records import Approval, Postmortem
from seed.github import GitHubStandIn
from seed.loader import seed
from tests.fakes.messages_api import STEPS, each_conversation, message, text
from tests.helpers.domain import Domain
from tests.helpers.remediation import LEAD, click_on, play, remediation


@contextmanager
def resolved_demo_incident(tmp_path: Path, now, draft_post_fails: bool = False,  # type: ignore[no-untyped-def]
                           **settings: object) -> Iterator[tuple[Domain, GitHubStandIn, Postmortem]]:
    """Yields the domain, the GitHub stand-in and the incident's stored post-mortem draft (with
    `draft_post_fails`, the draft's post to the thread failed)."""
    with GitHubStandIn() as github, remediation(tmp_path, now, github_token=github.token, github_repo=github.repo,
                                                github_api_url=github.api_url, **settings) as (d, _):
        async def story(requests: dict[str, Approval]) -> None:
            for action in ("rollback_model", "retrain_model"):
                assert (await click_on(d, requests[action].request_id, LEAD, "approved")).outcome == "decided"
                await d.settle()
            seed(d.deps.warehouse, "healthy", naive_utc(d.clock.now()), reset=True)
            d.clock.advance(timedelta(minutes=1))
            d.announcer.refuse_posts = int(draft_post_fails)  # the resolving tick's one post is the draft's
            await Monitor(d.deps, "test").tick()
            await d.settle()  # the draft is written in the background

        play(d, story)
        [drafted] = d.announcer.of("postmortem_drafted:failed" if draft_post_fails else "postmortem_drafted")
        yield d, github, drafted.about


# Claude's post-mortem as a careful model writes it (Severity wrong on purpose: the record's wins)
WRITTEN = """## Summary
classifier_v2 drifted on V14 and V17; rolled back, then retrained.

## Severity
P3

## Timeline
- 12:00 — Monitor alert: classifier_v2 drift_score 0.447 (critical)
- 12:01 — Alert resolved

## Root Cause
V14 and V17 shifted upstream.

## Resolution
Rolled back to v2.3.1, then retrained to v2.5.0.

## Lessons Learned
- Range-check the vendor fields behind V14.

## Affected Components
classifier_v2, feature V14, feature V17
"""


def postmortem_or_investigation(answer: str):  # type: ignore[no-untyped-def]
    """The investigation's turns (requests with tools) as a careful model, and `answer` to the post-mortem call."""
    investigation = each_conversation(STEPS)

    def respond(body: dict, index: int) -> dict:
        if "tools" in body:
            return investigation(body, index)
        return message([text(answer)])
    return respond
