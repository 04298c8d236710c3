"""The notification port: what domain services tell the outside world, in product words.

The monitor, investigations, approvals, actions and incidents decide and record; then they tell an
`Announcer` what happened (an alert was posted, a diagnosis is ready, an approval was decided …).
An announcer renders it for its medium — the Slack edge under `handlers/` builds Block Kit and
calls chat.*; tests use an in-memory one — so the domain never formats a chat message, catches a
chat client's errors or writes a mention. A failed announcement is reported by the edge itself
(logged, counted); the domain only learns whether a post exists (`PostRef` or None), because that
decides whether the post is retried.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.store.records import Approval, Incident, Postmortem, StoredAlert

if TYPE_CHECKING:
    from agents.investigation import InvestigationResult
    from bot.budgets.caps import BudgetNotice


@dataclass(frozen=True)
class PostRef:
    """Where a post lives (a channel and the post's id in it); threads hang off posts."""

    channel: str
    ts: str


def post_of(record: StoredAlert | Incident) -> PostRef | None:
    """The alert post an alert or incident was announced in, if it was."""
    if record.slack_channel and record.slack_ts:
        return PostRef(record.slack_channel, record.slack_ts)
    return None


class InvestigationReport(Protocol):
    """One investigation as it is being shown: progress, then its diagnosis or why it failed."""

    @property
    def thread(self) -> PostRef: ...

    def step(self, step: str) -> None:
        """The step now in progress; called from worker threads, never blocks on the network."""

    async def diagnosis_ready(self, result: InvestigationResult) -> None: ...

    async def failed(self, reason: str) -> None: ...

    async def trend_chart(self, png: bytes, title: str) -> None: ...


class ActionReport(Protocol):
    """One approved action as it runs: progress, then its verified outcome."""

    @property
    def post(self) -> PostRef | None:
        """The progress message, once shown: recorded, so a replica taking the action over edits it."""

    def step(self, step: str) -> None:
        """The step now in progress; called from worker threads, never blocks on the network."""

    async def finished(self, status: str, details: str) -> None: ...


class Announcer(Protocol):
    # alerts
    async def alert_posted(self, component: str, alerts: Sequence[StoredAlert],
                           retry_until: float | None = None) -> PostRef | None:
        """New alerts of one component, in one post; None when it could not be posted (retried later).
        While the chat is unavailable it is tried again until `retry_until` (a time.monotonic() shared by
        every post of one sweep or ingest request; None: one poll interval from now)."""

    async def alert_changed(self, post: PostRef, component: str, alerts: Sequence[StoredAlert]) -> None:
        """The post's alerts changed (severity, resolution): redraw it."""

    async def alert_severity_changed(self, alert: StoredAlert, old_severity: str) -> None: ...

    async def alert_still_firing(self, alert: StoredAlert, now: datetime) -> None: ...

    async def alert_resolved(self, alert: StoredAlert, latest: dict[str, float]) -> None:
        """`latest`: the alerting metrics' latest values, when the warehouse had them."""

    # investigations
    async def investigation_started(self, thread: PostRef, component: str) -> InvestigationReport | None:
        """None when nothing could be shown there (the investigation is not run)."""

    async def investigation_abandoned(self, thread: PostRef, component: str, starts: int) -> None:
        """The replica running it stopped (`starts` times): closed unfinished; it can be started again."""

    # approvals and actions
    async def approval_requested(self, approval: Approval, thread: PostRef) -> PostRef | None:
        """None when the request could not be shown: nobody can click it, so it will expire."""

    async def proposal_dropped(self, thread: PostRef, action: str, target: str, why: str) -> None:
        """A proposal the checks refused to turn into an approval request (written by the model: untrusted)."""

    async def approval_closed(self, approval: Approval) -> None:
        """Decided or expired: shown without its buttons, with who decided and when."""

    # environments and permissions (bot/permissions/)
    async def approval_voted(self, approval: Approval) -> None:
        """One more distinct approval, not yet enough: redraw the request with who approved so far."""

    async def action_unattended(self, approval: Approval, thread: PostRef, rule: str,
                                standing: str) -> PostRef | None:
        """The policy approved a low-risk action under `rule` (the bot's track record: `standing`); it runs now."""

    async def permission_denied(self, thread: PostRef, action: str, target: str, why: str) -> None:
        """The policy refused something about this proposal (it was not proposed, or needs a click): why."""

    async def governance_degraded(self, reason: str) -> None:
        """Governance cannot be read (said once per spell, in the alert channel): nothing runs without a click."""

    async def action_started(self, approval: Approval) -> ActionReport: ...

    async def action_abandoned(self, approval: Approval) -> None:
        """An action a stopped bot left running was closed as failed."""

    async def action_resumed(self, approval: Approval) -> ActionReport:
        """An action a stopped replica left is taken over: its recorded progress message carries on (a new
        one when none was recorded)."""

    # incidents
    async def incident_resolved(self, incident: Incident, thread: PostRef) -> None: ...

    # replays (bot/replay/requests.py)
    async def replay_finished(self, thread: PostRef, summary: dict[str, Any]) -> None:
        """A replay's result (bot/replay/service.py's summary: stability, runs, divergences), in the thread."""

    async def replay_failed(self, thread: PostRef, reason: str) -> None: ...

    # budgets (bot/budgets/meter.py)
    async def budget_level_reached(self, notice: BudgetNotice) -> None:
        """A cap's current window reached 80, 95 or 100 % of it: told once across replicas, in the alert channel."""
    # post-mortems (bot/postmortems/)
    async def postmortem_drafted(self, postmortem: Postmortem, thread: PostRef,
                                 again: bool = False) -> PostRef | None:
        """The draft in the incident's thread, with Publish and Discard; None when it could not be posted.
        `again`: an earlier attempt may have reached the thread; that post is adopted rather than doubled."""

    async def postmortem_decided(self, postmortem: Postmortem, notes: Sequence[str]) -> None:
        """Published (`notes`: where it went, what failed) or discarded: its message redrawn without buttons."""
