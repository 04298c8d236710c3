"""The remediation domain without Slack: the demo ML service on loopback, Deps announcing to memory,
the drift alert posted and investigated, then a story played on its approval requests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.investigations import resolve_subject, start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import post_of
from bot.remediation.decisions import ClickResult, Origin, click
from bot.store.records import Approval
from seed.ml_service import DemoMLService
from tests.helpers.domain import Domain, domain

DRIFT = "model_drift:classifier_v2"
LEAD, REQUESTER, VIEWER = "U0LEAD", "U0ONCALL", "U0VIEWER"


@contextmanager
def remediation(tmp_path: Path, now, **settings: object) -> Iterator[tuple[Domain, DemoMLService]]:  # type: ignore[no-untyped-def]
    with DemoMLService(training_sec=0.3) as service, domain(
            tmp_path, now, ml_service_url=service.url, action_poll_interval_sec=0.05,
            **{"agentops_approvers": f"{LEAD},{REQUESTER}", **settings}) as d:
        service.clock, service.warehouse = d.clock, d.deps.warehouse
        yield d, service


def play(d: Domain, story: Callable[[dict[str, Approval]], Awaitable[None]]) -> None:
    """Post the drift alert, investigate it as the on-call engineer, then play `story` on its requests
    (one event loop for the whole story, as in the running bot)."""
    async def run() -> None:
        await Monitor(d.deps, "test").tick()
        alert = d.deps.store.alerts.firing(DRIFT)
        assert alert is not None and (thread := post_of(alert)) is not None
        subject = await resolve_subject(d.deps, DRIFT)
        assert not isinstance(subject, str)
        assert await start_investigation(d.deps, subject=subject, requested_by=REQUESTER, thread=thread,
                                         alert_id=alert.alert_id) is None
        await d.settle()
        await story({s.about.action: s.about for s in d.announcer.of("approval_requested")})

    asyncio.run(run())


async def click_on(d: Domain, request_id: str, user: str, decision: str) -> ClickResult:
    """A click on the request's own message, as the store recorded its post."""
    stored = d.deps.store.approvals.get(request_id)
    origin = Origin(stored.slack_channel or "", stored.slack_ts or "") if stored else Origin("C0ELSEWHERE", "1.0")
    return await click(d.deps, request_id, user, decision, origin)


def audit(d: Domain, subject: str) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.outcome) for e in reversed(d.deps.store.audit.entries(subject))]
