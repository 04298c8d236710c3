"""An in-memory announcer: the notification port as a list of what the domain said, in order.

Domain tests read decisions from here and from the state store, never from Slack messages.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agents.investigation import InvestigationResult
from bot.budgets.caps import BudgetNotice
from bot.notify import PostRef
from bot.store.records import Approval, Incident, Postmortem, StoredAlert

CHANNEL = "C0MEMORY"


@dataclass
class Said:
    what: str  # the port method's name
    about: Any = None  # the component, alert, approval or incident it was about
    details: dict = field(default_factory=dict)


class MemoryInvestigationReport:
    def __init__(self, announcer: MemoryAnnouncer, thread: PostRef, component: str) -> None:
        self.announcer, self._thread, self.component = announcer, thread, component
        self.steps: list[str] = []

    @property
    def thread(self) -> PostRef:
        return self._thread

    def step(self, step: str) -> None:
        with self.announcer.lock:  # from worker threads
            self.steps.append(step)

    async def diagnosis_ready(self, result: InvestigationResult) -> None:
        self.announcer.said.append(Said("diagnosis_ready", self.component, {"result": result, "steps": self.steps}))

    async def failed(self, reason: str) -> None:
        self.announcer.said.append(Said("investigation_failed", self.component, {"reason": reason}))

    async def trend_chart(self, png: bytes, title: str) -> None:
        self.announcer.said.append(Said("trend_chart", self.component, {"title": title, "png": png}))


class MemoryActionReport:
    def __init__(self, announcer: MemoryAnnouncer, approval: Approval, post: PostRef | None = None) -> None:
        self.announcer, self.approval = announcer, approval
        self.steps: list[str] = []
        self._post = post or PostRef(CHANNEL, f"{next(announcer._ids)}.000100")

    @property
    def post(self) -> PostRef | None:
        return self._post

    def step(self, step: str) -> None:
        with self.announcer.lock:
            self.steps.append(step)

    async def finished(self, status: str, details: str) -> None:
        self.announcer.said.append(Said("action_finished", self.approval,
                                        {"status": status, "details": details, "steps": self.steps,
                                         "post": self._post}))
        if self.announcer.while_outcome_posts is not None:
            await self.announcer.while_outcome_posts()


class MemoryAnnouncer:
    def __init__(self) -> None:
        self.said: list[Said] = []
        self.lock = threading.Lock()
        self.refuse_posts = 0  # how many of the next posts fail, as an outage of the medium would
        # what else happens while an action's outcome is being posted (a sweep on the same loop, say):
        # the medium is slow, so other work interleaves exactly there
        self.while_outcome_posts: Callable[[], Awaitable[None]] | None = None
        # what is looked at the moment an approval is requested (say, whether the investigation's record is kept)
        self.while_approval_requested: Callable[[], None] | None = None
        self._ids = itertools.count(1)

    def of(self, what: str) -> list[Said]:
        return [s for s in self.said if s.what == what]

    def _post(self, what: str, about: Any, **details: Any) -> PostRef | None:
        if self.refuse_posts:
            self.refuse_posts -= 1
            self.said.append(Said(f"{what}:failed", about, details))
            return None
        post = PostRef(CHANNEL, f"{next(self._ids)}.000100")
        self.said.append(Said(what, about, {"post": post, **details}))
        return post

    async def alert_posted(self, component: str, alerts: Sequence[StoredAlert],
                           retry_until: float | None = None) -> PostRef | None:
        return self._post("alert_posted", component, alerts=list(alerts))

    async def alert_changed(self, post: PostRef, component: str, alerts: Sequence[StoredAlert]) -> None:
        self.said.append(Said("alert_changed", component, {"post": post, "alerts": list(alerts)}))

    async def alert_severity_changed(self, alert: StoredAlert, old_severity: str) -> None:
        self.said.append(Said("alert_severity_changed", alert, {"old": old_severity}))

    async def alert_still_firing(self, alert: StoredAlert, now: datetime) -> None:
        self.said.append(Said("alert_still_firing", alert, {"now": now}))

    async def alert_resolved(self, alert: StoredAlert, latest: dict[str, float]) -> None:
        self.said.append(Said("alert_resolved", alert, {"latest": latest}))

    async def investigation_started(self, thread: PostRef, component: str) -> MemoryInvestigationReport | None:
        if self._post("investigation_started", component, thread=thread) is None:
            return None
        return MemoryInvestigationReport(self, thread, component)

    async def investigation_abandoned(self, thread: PostRef, component: str, starts: int) -> None:
        self.said.append(Said("investigation_abandoned", component, {"thread": thread, "starts": starts}))

    async def approval_requested(self, approval: Approval, thread: PostRef) -> PostRef | None:
        if self.while_approval_requested is not None:
            self.while_approval_requested()
        return self._post("approval_requested", approval, thread=thread)

    async def proposal_dropped(self, thread: PostRef, action: str, target: str, why: str) -> None:
        self.said.append(Said("proposal_dropped", target, {"thread": thread, "action": action, "why": why}))

    async def approval_closed(self, approval: Approval) -> None:
        self.said.append(Said("approval_closed", approval))

    async def action_started(self, approval: Approval) -> MemoryActionReport:
        self.said.append(Said("action_started", approval))
        return MemoryActionReport(self, approval)

    async def action_resumed(self, approval: Approval) -> MemoryActionReport:
        shown = approval.action_progress_ts
        post = PostRef(approval.action_progress_channel or CHANNEL, shown) if shown else None
        self.said.append(Said("action_resumed", approval, {"post": post}))
        return MemoryActionReport(self, approval, post)

    async def action_abandoned(self, approval: Approval) -> None:
        self.said.append(Said("action_abandoned", approval))

    async def incident_resolved(self, incident: Incident, thread: PostRef) -> None:
        self.said.append(Said("incident_resolved", incident, {"thread": thread}))

    async def replay_finished(self, thread: PostRef, summary: dict) -> None:
        self.said.append(Said("replay_finished", summary["component"], {"thread": thread, "summary": summary}))

    async def replay_failed(self, thread: PostRef, reason: str) -> None:
        self.said.append(Said("replay_failed", None, {"thread": thread, "reason": reason}))

    async def budget_level_reached(self, notice: BudgetNotice) -> None:
        self._post("budget_level_reached", notice)
    # environments and permissions
    async def approval_voted(self, approval: Approval) -> None:
        self.said.append(Said("approval_voted", approval))

    async def action_unattended(self, approval: Approval, thread: PostRef, rule: str,
                                standing: str) -> PostRef | None:
        return self._post("action_unattended", approval, thread=thread, rule=rule, standing=standing)

    async def permission_denied(self, thread: PostRef, action: str, target: str, why: str) -> None:
        self.said.append(Said("permission_denied", target, {"thread": thread, "action": action, "why": why}))

    async def governance_degraded(self, reason: str) -> None:
        self.said.append(Said("governance_degraded", None, {"reason": reason}))
    async def postmortem_drafted(self, postmortem: Postmortem, thread: PostRef,
                                 again: bool = False) -> PostRef | None:
        if self.refuse_posts:
            self.refuse_posts -= 1
            self.said.append(Said("postmortem_drafted:failed", postmortem, {"thread": thread, "again": again}))
            return None
        post = PostRef(thread.channel, f"{next(self._ids)}.000200")
        self.said.append(Said("postmortem_drafted", postmortem, {"thread": thread, "post": post, "again": again}))
        return post

    async def postmortem_decided(self, postmortem: Postmortem, notes: Sequence[str]) -> None:
        self.said.append(Said("postmortem_decided", postmortem, {"notes": list(notes)}))
