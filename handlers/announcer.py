"""The Slack implementation of the notification port: renders each announcement with the pure
builders and posts or edits it, reporting a failed call through the edge, never raising it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from agents.investigation import InvestigationResult
from bot.budgets.caps import BudgetNotice
from bot.notify import PostRef
from bot.permissions.governance import Governance
from bot.store.records import Approval, Incident, Postmortem, StoredAlert
from handlers import (
    alert_blocks,
    approval_blocks,
    budget_blocks,
    incident_blocks,
    investigation_blocks,
    postmortem_blocks,
    replay_blocks,
)
from handlers import permission_blocks as permissions
from handlers.blocks import Blocks
from handlers.links import Links
from handlers.own_posts import OwnPosts, once
from handlers.progress import ProgressMessage
from handlers.slack_edge import SlackEdge, SlackFailure
from handlers.slack_retry import PendingSteps
from handlers.thread_status import ThreadStatus

log = logging.getLogger("agentops.slack")
FIRST_REPOST_SEC, MAX_REPOST_SEC = 1.0, 3.0  # an alert post while Slack is down, tried again within its sweep


class SlackInvestigationReport:
    """Progress as the thread's status line; the diagnosis (or the failure) is the one message it leaves."""

    def __init__(self, announcer: SlackAnnouncer, status: ThreadStatus, component: str) -> None:
        self.announcer, self.edge, self.status, self.component = announcer, announcer.edge, status, component

    @property
    def thread(self) -> PostRef:
        return PostRef(self.status.channel, self.status.thread_ts)

    def step(self, step: str) -> None:
        self.status.step(step)

    async def diagnosis_ready(self, result: InvestigationResult) -> None:
        await self.status.settled()
        posted = await self.announcer._post(self.thread.channel, *investigation_blocks.diagnosis_blocks(
            self.component, result, self.announcer.links), thread_ts=self.thread.ts)
        if posted is None:
            await self.status.clear()  # nothing replied, so Slack would keep showing the last step
            return
        link = await self.edge.call("chat.getPermalink", self.edge.client.chat_getPermalink(
            channel=posted.channel, message_ts=posted.ts))
        # approval requests below link back to it; without a permalink they still name it
        self.announcer.diagnoses[self.thread] = "" if isinstance(link, SlackFailure) else str(link["permalink"])

    async def failed(self, reason: str) -> None:
        await self.status.settled()
        if await self.announcer._post(self.thread.channel, *investigation_blocks.failed(self.component, reason),
                                      thread_ts=self.thread.ts) is None:
            await self.status.clear()

    async def trend_chart(self, png: bytes, title: str) -> None:
        thread = self.thread
        await self.edge.call("files.completeUploadExternal", self.edge.client.files_upload_v2(
            channel=thread.channel, thread_ts=thread.ts, content=png, title=title,
            filename=f"{self.component}-trend.png"))


class SlackActionReport:
    def __init__(self, progress: ProgressMessage, approval: Approval) -> None:
        self.progress, self.approval = progress, approval

    @property
    def post(self) -> PostRef | None:
        return PostRef(self.progress.channel, self.progress.ts) if self.progress.ts else None

    def step(self, step: str) -> None:
        self.progress.step(step)

    async def finished(self, status: str, details: str) -> None:
        await self.progress.show(*approval_blocks.action_outcome(self.approval, status, details))


class SlackAnnouncer:
    def __init__(self, edge: SlackEdge) -> None:
        self.edge = edge
        self.settings = edge.settings
        self._silenced_until: Callable[[str], datetime | None] = lambda _fingerprint: None
        self._sharing_post: Callable[[str, str], Sequence[StoredAlert]] | None = None
        self._governance: Governance | None = None
        self._approval: Callable[[str], Approval | None] | None = None
        self.links = Links.of(edge.settings)
        # thread → permalink of its latest diagnosis, for the approval requests that follow it in this
        # process (a request made elsewhere names the diagnosis without the link)
        self.diagnoses: dict[PostRef, str] = {}
        self.own = OwnPosts(edge)
        self.pending = PendingSteps()
        edge.closing.append(self.pending.close)

    def watch_silences(self, silenced_until: Callable[[str], datetime | None]) -> None:
        """Where an alert post looks up a fingerprint's silence (the store exists once the Deps are built),
        so every redraw keeps the 🔕 of a silence in force."""
        self._silenced_until = silenced_until

    def watch_governance(self, governance: Governance) -> None:
        """Where alert posts read a component's environment and approval requests who may decide them."""
        self._governance = governance

    def watch_approvals(self, approval: Callable[[str], Approval | None]) -> None:
        """Where a vote's edit reads its request again (by id), so it never draws buttons on a request that
        was decided meanwhile."""
        self._approval = approval

    # the policy is read off the event loop: a stat each time, a YAML parse when its file changed
    async def _environment_of(self, component: str) -> str:
        if self._governance is None:
            return ""
        return (await asyncio.to_thread(self._governance.policy))[0].environment_of(component)

    async def _deciders(self, approval: Approval) -> list[str]:
        if self._governance is None:
            return self.settings.agentops_approvers
        return await asyncio.to_thread(self._governance.approvers_of, approval, self.settings.agentops_approvers)

    def watch_posts(self, sharing_post: Callable[[str, str], Sequence[StoredAlert]]) -> None:
        """Where an alert post's alerts are read (by channel and ts): an edit retried after an outage
        draws them as they are then, not as they were when it first failed — another replica may have
        edited the post since."""
        self._sharing_post = sharing_post

    async def _alert_post(self, component: str, alerts: Sequence[StoredAlert]) -> tuple[str, Blocks]:
        until = {}
        for alert in alerts:
            if alert.status == "firing" and (end := await asyncio.to_thread(self._silenced_until, alert.fingerprint)):
                until[alert.fingerprint] = end
        return alert_blocks.alert_post(component, alerts, self.links, silenced_until=until,
                                       environment=await self._environment_of(component))

    async def _post(self, channel: str, text: str, blocks: Blocks, thread_ts: str | None = None,
                    key: str | None = None) -> PostRef | None:
        """A post made once: an answer lost on the way back is followed by a look for it (by `key`)."""
        posted = await self.own.post(channel, text, blocks, [key or once("post")], thread_ts=thread_ts)
        return None if isinstance(posted, SlackFailure) else posted

    async def _note(self, channel: str, text: str, blocks: Blocks, thread_ts: str | None, kind: str) -> None:
        """A thread note nothing waits for: while Slack is down it is retried, looking before posting
        again whenever an attempt may have reached Slack."""
        key = once(kind)
        posted = await self.own.post(channel, text, blocks, [key], thread_ts=thread_ts)
        if isinstance(posted, SlackFailure) and posted.unavailable:
            async def again() -> SlackFailure | None:
                retried = await self.own.post(channel, text, blocks, [key], thread_ts=thread_ts, look_first=True)
                return retried if isinstance(retried, SlackFailure) else None

            self.pending.retry(f"note:{key}", again, posted)

    async def _update(self, post: PostRef, text: str, blocks: Blocks,
                      redraw: Callable[[], Awaitable[tuple[str, Blocks]]] | None = None) -> None:
        """An edit; while Slack is down the latest edit of each post is retried (an edit is idempotent),
        drawn again by `redraw` when there is one, so the retry shows the state at retry time."""
        key = f"edit:{post.channel}:{post.ts}"
        self.pending.discard(key)  # this edit is newer than any waiting one

        async def edit(text: str, blocks: Blocks) -> SlackFailure | None:
            done = await self.edge.call("chat.update", self.edge.client.chat_update(
                channel=post.channel, ts=post.ts, text=text, blocks=blocks))
            return done if isinstance(done, SlackFailure) else None

        async def again() -> SlackFailure | None:
            return await edit(*(await redraw() if redraw is not None else (text, blocks)))

        failure = await edit(text, blocks)
        if failure is not None and failure.unavailable:
            self.pending.retry(key, again, failure)

    async def _in_alert_thread(self, alert: StoredAlert, message: tuple[str, Blocks], kind: str) -> None:
        if alert.slack_channel and alert.slack_ts:
            await self._note(alert.slack_channel, *message, thread_ts=alert.slack_ts, kind=f"{kind}:{alert.alert_id}")

    async def alert_posted(self, component: str, alerts: Sequence[StoredAlert],
                           retry_until: float | None = None) -> PostRef | None:
        """While Slack is unavailable the post is tried again with backoff (and never sooner than a
        Retry-After) until `retry_until` (time.monotonic(); one deadline for a whole sweep's posts, by
        default the next sweep's start), so an outage delays a new alert by little more than itself and
        never makes a sweep outlast its interval; a refusal (channel_not_found …) is not repeated."""
        text, blocks = await self._alert_post(component, alerts)
        # an alert claimed before may have been posted by that claim (its answer lost, its replica killed)
        look_first = any(a.post_attempts > 1 for a in alerts)
        give_up = time.monotonic() + self.settings.monitor_poll_interval_sec if retry_until is None else retry_until
        wait = FIRST_REPOST_SEC
        while isinstance(posted := await self.own.post(
                self.settings.slack_alert_channel, text, blocks, [f"alert:{a.alert_id}" for a in alerts],
                look_first=look_first, fingerprints=" ".join(a.fingerprint for a in alerts)[:1000]), SlackFailure):
            pause = max(wait, posted.retry_after or 0.0)
            if not posted.unavailable or time.monotonic() + pause > give_up:
                return None
            await asyncio.sleep(pause)
            wait, look_first = min(2 * wait, MAX_REPOST_SEC), True
        return posted

    async def alert_changed(self, post: PostRef, component: str, alerts: Sequence[StoredAlert]) -> None:
        async def redraw() -> tuple[str, Blocks]:
            latest: Sequence[StoredAlert] = alerts
            if self._sharing_post is not None:
                try:
                    latest = await asyncio.to_thread(self._sharing_post, post.channel, post.ts) or alerts
                except Exception as error:  # the store is down: the state this edit was made with will do
                    log.warning("could not read post %s's alerts again (%s)", post.ts, type(error).__name__)
            return await self._alert_post(component, latest)

        await self._update(post, *await self._alert_post(component, alerts), redraw=redraw)

    async def alert_severity_changed(self, alert: StoredAlert, old_severity: str) -> None:
        await self._in_alert_thread(alert, alert_blocks.severity_changed(alert, old_severity), "severity")

    async def alert_still_firing(self, alert: StoredAlert, now: datetime) -> None:
        await self._in_alert_thread(alert, alert_blocks.still_firing(alert, now), "repeat")

    async def alert_resolved(self, alert: StoredAlert, latest: dict[str, float]) -> None:
        await self._in_alert_thread(alert, alert_blocks.resolved(alert, latest), "resolved")

    async def investigation_started(self, thread: PostRef, component: str) -> SlackInvestigationReport | None:
        status = ThreadStatus(self.edge, thread.channel, thread.ts)
        if not await status.start(f"investigating {component}"):
            return None
        return SlackInvestigationReport(self, status, component)

    async def investigation_abandoned(self, thread: PostRef, component: str, starts: int) -> None:
        # a reply in the thread also ends the status line the stopped replica left there
        await self._post(thread.channel, *investigation_blocks.abandoned(component, starts), thread_ts=thread.ts)

    async def approval_requested(self, approval: Approval, thread: PostRef) -> PostRef | None:
        return await self._post(thread.channel, *approval_blocks.approval_request(
            approval, await self._deciders(approval), self.settings.agentops_four_eyes,
            diagnosis=self.diagnoses.get(thread, "")), thread_ts=thread.ts, key=f"approval:{approval.request_id}")

    async def proposal_dropped(self, thread: PostRef, action: str, target: str, why: str) -> None:
        await self._note(thread.channel, *approval_blocks.proposal_dropped(action, target, why), thread_ts=thread.ts,
                         kind="dropped")

    async def approval_closed(self, approval: Approval) -> None:
        if approval.slack_channel and approval.slack_ts:
            await self._update(PostRef(approval.slack_channel, approval.slack_ts),
                               *approval_blocks.approval_closed(approval))

    async def action_started(self, approval: Approval) -> SlackActionReport:
        progress = ProgressMessage(self.edge, approval.slack_channel or self.settings.slack_alert_channel,
                                   approval.slack_thread_ts or approval.slack_ts or "",
                                   lambda steps: approval_blocks.action_progress(approval, steps), self._update)
        await progress.post()  # unposted, the outcome is still posted as a message of its own
        return SlackActionReport(progress, approval)

    async def action_resumed(self, approval: Approval) -> SlackActionReport:
        progress = ProgressMessage(self.edge, approval.action_progress_channel or approval.slack_channel
                                   or self.settings.slack_alert_channel,
                                   approval.slack_thread_ts or approval.slack_ts or "",
                                   lambda steps: approval_blocks.action_progress(approval, steps), self._update)
        progress.ts = approval.action_progress_ts  # the message the stopped replica was editing
        if progress.ts is None:
            await progress.post()
        return SlackActionReport(progress, approval)

    async def action_abandoned(self, approval: Approval) -> None:
        if approval.slack_channel:
            await self._note(approval.slack_channel, *approval_blocks.action_outcome(
                approval, "failed", approval.action_details or ""), thread_ts=approval.slack_thread_ts,
                kind=f"abandoned:{approval.request_id}")

    async def _current(self, approval: Approval) -> Approval:
        """The request as the store has it now (as it was when the store does not answer)."""
        if self._approval is None:
            return approval
        try:
            return await asyncio.to_thread(self._approval, approval.request_id) or approval
        except Exception as error:
            log.warning("could not read request %s again (%s)", approval.request_id, type(error).__name__)
            return approval

    async def approval_voted(self, approval: Approval) -> None:
        """The request's tally; drawn from the request as it is when the edit is made (and again when a retry
        is), so a late or retried edit never puts the buttons back on a request decided meanwhile."""
        if not (approval.slack_channel and approval.slack_ts):
            return
        thread = PostRef(approval.slack_channel, approval.slack_thread_ts or approval.slack_ts)

        async def draw(latest: Approval) -> tuple[str, Blocks]:
            if latest.status != "pending":
                return approval_blocks.approval_closed(latest)
            return approval_blocks.approval_request(latest, await self._deciders(latest),
                                                    self.settings.agentops_four_eyes,
                                                    diagnosis=self.diagnoses.get(thread, ""))

        async def redraw() -> tuple[str, Blocks]:
            return await draw(await self._current(approval))

        if (latest := await self._current(approval)).status != "pending":
            return  # decided or expired: its closing edit draws it
        await self._update(PostRef(approval.slack_channel, approval.slack_ts), *await draw(latest), redraw=redraw)

    async def action_unattended(self, approval: Approval, thread: PostRef, rule: str,
                                standing: str) -> PostRef | None:
        return await self._post(thread.channel, *permissions.unattended(approval, rule, standing),
                                thread_ts=thread.ts, key=f"unattended:{approval.request_id}")

    async def permission_denied(self, thread: PostRef, action: str, target: str, why: str) -> None:
        await self._note(thread.channel, *permissions.permission_denied(action, target, why),
                         thread_ts=thread.ts, kind="permission")

    async def governance_degraded(self, reason: str) -> None:
        await self._note(self.settings.slack_alert_channel, *permissions.governance_degraded(reason),
                         thread_ts=None, kind="governance")

    async def incident_resolved(self, incident: Incident, thread: PostRef) -> None:
        await self._note(thread.channel, *incident_blocks.resolution_summary(
            incident, github=bool(self.settings.github_token and self.settings.github_repo), links=self.links),
            thread_ts=thread.ts, kind=f"incident:{incident.incident_id}")

    async def replay_finished(self, thread: PostRef, summary: dict[str, Any]) -> None:
        await self._post(thread.channel, *replay_blocks.replay_result(summary), thread_ts=thread.ts,
                         key=f"replay:{summary['replay_id']}")

    async def replay_failed(self, thread: PostRef, reason: str) -> None:
        await self._post(thread.channel, *replay_blocks.replay_failed(reason), thread_ts=thread.ts)

    async def budget_level_reached(self, notice: BudgetNotice) -> None:
        await self._note(self.settings.slack_alert_channel, *budget_blocks.budget_notice(notice), None,
                         f"budget-{notice.standing.cap.period}-{notice.standing.cap.unit}-{notice.level}")
    async def postmortem_drafted(self, postmortem: Postmortem, thread: PostRef,
                                 again: bool = False) -> PostRef | None:
        posted = await self.own.post(thread.channel, *postmortem_blocks.draft(postmortem),
                                     [f"postmortem:{postmortem.incident_id}"], thread_ts=thread.ts, look_first=again)
        return None if isinstance(posted, SlackFailure) else posted

    async def postmortem_decided(self, postmortem: Postmortem, notes: Sequence[str]) -> None:
        if postmortem.slack_channel and postmortem.slack_ts:
            await self._update(PostRef(postmortem.slack_channel, postmortem.slack_ts),
                               *postmortem_blocks.decided(postmortem, notes))
