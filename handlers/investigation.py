"""Running an investigation in a Slack thread: one per alert at a time, progress edited into one
message, the diagnosis in its place at the end, the record (and its failure) in the state store."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError

from agents.chart import trend_chart
from agents.loop import Outcome, Usage, investigate
from agents.subject import Subject, UnknownComponent, known_components, resolve
from agents.tools import ToolContext
from bot.deps import Deps
from bot.remediation import incidents
from bot.remediation.requests import request_approvals
from bot.store.records import Investigation
from bot.warehouse import WarehouseError
from handlers import investigation_blocks
from handlers.progress import ProgressMessage
from handlers.slack_errors import report_slack_error

log = logging.getLogger("agentops.investigation")
ALREADY_RUNNING = "An investigation of this alert is already running; its progress is in the alert's thread."


async def resolve_subject(deps: Deps, text: str) -> Subject | str:
    """The model or pipeline `text` is about, or the reason (for the requester) it cannot be told."""
    try:
        return resolve(text, await asyncio.to_thread(known_components, deps.warehouse))
    except UnknownComponent as error:
        return str(error)
    except WarehouseError as error:
        return f"I can't reach the warehouse to investigate: {error}"


async def investigate_in_thread(deps: Deps, *, subject: Subject, requested_by: str, channel: str, thread_ts: str,
                                alert_id: str | None = None) -> str | None:
    """Run it; returns a reason to tell the requester privately when it could not start."""
    record = await asyncio.to_thread(deps.store.investigations.start, trigger=subject.text,
                                     requested_by=requested_by, now=deps.clock.now(), alert_id=alert_id)
    if record is None:
        return ALREADY_RUNNING
    if alert_id is not None:
        await incidents.investigating(deps, alert_id, deps.clock.now())
    run = _Run(deps, subject, channel, thread_ts)
    if not await run.post_progress():
        await run.finish(record.investigation_id, "failed", None)
        return "I couldn't post in that thread; check that @AgentOps is a member of the channel."
    # the rest can take a minute: it runs in the investigations pool, and this request's slot is freed
    deps.investigations.spawn(_complete(run, record, alert_id))
    return None


async def _complete(run: _Run, record: Investigation, alert_id: str | None) -> None:
    investigation_id = record.investigation_id
    subject = run.subject
    try:
        outcome = await asyncio.to_thread(run.investigate, alert_id)
    except WarehouseError as error:
        await run.finish(investigation_id, "failed", None)
        await run.show(*investigation_blocks.failed(subject.component, f"the warehouse is unavailable ({error})"))
        return
    except Exception:
        log.exception("investigation of %s failed", subject.component)
        await run.finish(investigation_id, "failed", None)
        await run.show(*investigation_blocks.failed(subject.component, "an internal error; it is in the bot's log"))
        return
    # recorded first: whoever reads the diagnosis finds it in App Home too
    await run.finish(investigation_id, "done", outcome.diagnosis.model_dump(), outcome)
    await run.show(*investigation_blocks.diagnosis_blocks(subject.component, outcome))
    await run.upload_chart(outcome.diagnosis.root_cause_category)
    if alert_id is not None:
        await incidents.diagnosed(run.deps, alert_id, outcome.diagnosis, run.deps.clock.now())
    # the proposals that need a human become approval requests, below the diagnosis and its chart
    await request_approvals(run.deps, outcome.diagnosis, engine=outcome.engine, requested_by=record.requested_by,
                            investigation_id=investigation_id, alert_id=alert_id, channel=run.channel,
                            thread_ts=run.thread_ts)


class _Run:
    def __init__(self, deps: Deps, subject: Subject, channel: str, thread_ts: str) -> None:
        self.deps, self.subject, self.channel, self.thread_ts = deps, subject, channel, thread_ts
        self.progress = ProgressMessage(deps, channel, thread_ts,
                                        lambda steps: investigation_blocks.progress(subject.component, steps))

    async def post_progress(self) -> bool:
        posted = await self.progress.post()
        self.channel = self.progress.channel
        return posted

    def investigate(self, alert_id: str | None) -> Outcome:
        """In a worker thread: the blocking tools (and model calls), each step shown as it starts."""
        ctx = ToolContext(self.deps.warehouse, self.deps.knowledge, self.deps.clock, on_progress=self.progress.step,
                          ml_service=self.deps.ml_service)
        settings = self.deps.settings
        return investigate(ctx, self.subject, alert_id, self.deps.anthropic, settings.anthropic_model,
                           settings.agent_max_steps, settings.agent_token_budget)

    async def show(self, text: str, blocks: list[dict]) -> None:
        await self.progress.show(text, blocks)

    async def upload_chart(self, category: str) -> None:
        """The alerting metric's 24 h trend as a PNG in the thread; a missing chart never fails the run."""
        try:
            chart = await asyncio.to_thread(trend_chart, self.deps.warehouse, self.subject.component, category,
                                            self.deps.clock.now())
        except WarehouseError as error:
            log.warning("no trend chart for %s: %s", self.subject.component, error)
            return
        if chart is None:
            return
        png, title = chart
        try:
            await self.deps.slack.files_upload_v2(  # type: ignore[union-attr]
                channel=self.channel, thread_ts=self.thread_ts, content=png, title=title,
                filename=f"{self.subject.component}-trend.png")
        except SlackApiError as error:
            report_slack_error(self.deps, "files.completeUploadExternal", error)

    async def finish(self, investigation_id: str, status: str, diagnosis: dict | None,
                     outcome: Outcome | None = None) -> None:
        engine = outcome.engine if outcome else ("claude" if self.deps.anthropic else "offline")
        usage = outcome.usage if outcome else Usage()
        await asyncio.to_thread(self.deps.store.investigations.finish, investigation_id, status=status,
                                now=self.deps.clock.now(), engine=engine, diagnosis=diagnosis,
                                input_tokens=usage.input_tokens, cached_input_tokens=usage.cache_read_tokens,
                                output_tokens=usage.output_tokens)
        self.deps.metrics.investigations.labels(engine=engine, status=status).inc()
        for kind, count in (("input", usage.input_tokens), ("cached_input", usage.cache_read_tokens),
                            ("cache_write", usage.cache_write_tokens), ("output", usage.output_tokens)):
            if count:
                self.deps.metrics.tokens.labels(kind=kind).inc(count)
