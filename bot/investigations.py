"""Running an investigation in a thread: one per alert at a time, progress and the diagnosis told to
the announcer, the record (and its failure) in the state store, then the incident and the approval
requests its proposals call for."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict

from agents.chart import trend_chart
from agents.investigation import InvestigationResult, Usage
from agents.investigator import investigate
from agents.prompt import AlertBrief, Briefing, breach_start, brief
from agents.subject import Subject, UnknownComponent, known_components, resolve
from agents.tools import ToolContext
from bot.clock import aware_utc
from bot.deps import Deps
from bot.notify import InvestigationReport, PostRef
from bot.remediation import incidents
from bot.remediation.proposals import request_approvals
from bot.store.records import Investigation, StoredAlert
from bot.warehouse import WarehouseError

log = logging.getLogger("agentops.investigation")
ALREADY_RUNNING = "An investigation of this alert is already running; its progress is in the alert's thread."
CANNOT_SHOW = "I couldn't post in that thread; check that @AgentOps is a member of the channel."


async def resolve_subject(deps: Deps, text: str) -> Subject | str:
    """The model or pipeline `text` is about, or the reason (for the requester) it cannot be told."""
    try:
        return resolve(text, await asyncio.to_thread(known_components, deps.warehouse))
    except UnknownComponent as error:
        return str(error)
    except WarehouseError as error:
        return f"I can't reach the warehouse to investigate: {error}"


async def start_investigation(deps: Deps, *, subject: Subject, requested_by: str, thread: PostRef,
                              alert_id: str | None = None) -> str | None:
    """Start it; returns a reason to tell the requester privately when it could not start."""
    if alert_id is not None:  # one incident per post: investigating any of its alerts is investigating its lead
        alert_id = await incidents.lead_alert(deps, alert_id)
    record = await asyncio.to_thread(deps.store.investigations.start, trigger=subject.text,
                                     requested_by=requested_by, now=deps.clock.now(), alert_id=alert_id)
    if record is None:
        return ALREADY_RUNNING
    if alert_id is not None:
        await incidents.investigating(deps, alert_id, deps.clock.now())
    report = await deps.announcer.investigation_started(thread, subject.component)
    if report is None:
        await _finish(deps, record.investigation_id, "failed", None)
        return CANNOT_SHOW
    # the rest can take a minute: it runs in the investigations pool, and the request's slot is freed
    deps.investigations.spawn(_complete(deps, subject, report, record, alert_id))
    return None


async def _complete(deps: Deps, subject: Subject, report: InvestigationReport, record: Investigation,
                    alert_id: str | None) -> None:
    investigation_id = record.investigation_id
    ctx = ToolContext(deps.warehouse, deps.knowledge, deps.clock, on_progress=report.step,
                      ml_service=deps.ml_service, rules=deps.rules)
    try:
        briefing = await asyncio.to_thread(_briefing, deps, subject, alert_id) if deps.anthropic else None
        result = await asyncio.to_thread(investigate, ctx, subject, alert_id, deps.anthropic, deps.settings, briefing)
    except WarehouseError as error:
        await _finish(deps, investigation_id, "failed", None)
        await report.failed(f"the warehouse is unavailable ({error})")
        return
    except Exception:
        log.exception("investigation of %s failed", subject.component)
        await _finish(deps, investigation_id, "failed", None)
        await report.failed("an internal error; it is in the bot's log")
        return
    # recorded first: whoever reads the diagnosis finds it in App Home too
    await _finish(deps, investigation_id, "done", result)
    _health(deps, result)
    await report.diagnosis_ready(result)
    await _chart(deps, subject, report, result.diagnosis.root_cause_category)
    if alert_id is not None:
        await incidents.diagnosed(deps, alert_id, result.diagnosis, deps.clock.now())
    # the proposals that need a human become approval requests, below the diagnosis and its chart
    await request_approvals(deps, result.diagnosis, engine=result.engine, requested_by=record.requested_by,
                            component=subject.component,
                            investigation_id=investigation_id, alert_id=alert_id, thread=report.thread)


def _briefing(deps: Deps, subject: Subject, alert_id: str | None) -> Briefing:
    """What the monitor knew, for Claude's first message: the alert, its thresholds, recent deploys."""
    alert = deps.store.alerts.get(alert_id) if alert_id else None
    if alert is None:
        return brief(deps.warehouse, subject, deps.rules, deps.clock.now())
    incident = deps.store.incidents.for_alert(alert.alert_id)
    group = [deps.store.alerts.get(a) for a in deps.store.incidents.alert_ids(incident.incident_id)] if incident else []
    others = tuple(_alert_brief(a) for a in group if a is not None and a.alert_id != alert.alert_id)
    return brief(deps.warehouse, subject, deps.rules, deps.clock.now(), _alert_brief(alert), others)


def _alert_brief(alert: StoredAlert) -> AlertBrief:
    fired_at = aware_utc(alert.first_seen_at)
    return AlertBrief(alert.alert_type, alert.severity, alert.message, alert.metrics, fired_at,
                      breach_start(alert.message, fired_at))


async def _chart(deps: Deps, subject: Subject, report: InvestigationReport, category: str) -> None:
    """The alerting metric's 24 h trend as a chart in the thread; a missing chart never fails the run."""
    try:
        chart = await asyncio.to_thread(trend_chart, deps.warehouse, deps.rules, subject.component, subject.kind,
                                        category, deps.clock.now())
    except WarehouseError as error:
        log.warning("no trend chart for %s: %s", subject.component, error)
        return
    if chart is not None:
        await report.trend_chart(*chart)


def _health(deps: Deps, result: InvestigationResult) -> None:
    if result.problem == "configuration":
        log.error("Claude is misconfigured: %s", result.note)
        deps.claude_health.problem = result.note.split("; this is the offline")[0]
    elif result.engine == "claude":
        deps.claude_health.problem = ""
    if result.problem:
        deps.metrics.claude_fallbacks.labels(reason=result.problem).inc()
    if result.usage.cache_misses:
        deps.metrics.cache_misses.inc(result.usage.cache_misses)


async def _finish(deps: Deps, investigation_id: str, status: str, result: InvestigationResult | None) -> None:
    engine = result.engine if result else ("claude" if deps.anthropic else "offline")
    usage = result.usage if result else Usage()
    store = deps.store.investigations
    await asyncio.to_thread(store.finish, investigation_id, status=status, now=deps.clock.now(), engine=engine,
                            diagnosis=result.diagnosis.model_dump() if result else None,
                            input_tokens=usage.input_tokens, cached_input_tokens=usage.cache_read_tokens,
                            output_tokens=usage.output_tokens, cache_write_tokens=usage.cache_write_tokens,
                            cost_usd=usage.cost_usd)
    if result is not None and result.steps:  # the record of what it did: for audits, export and replay
        await asyncio.to_thread(store.record_steps, investigation_id, [asdict(step) for step in result.steps])
    deps.metrics.investigations.labels(engine=engine, status=status).inc()
    if usage.cost_usd:
        deps.metrics.cost_usd.inc(usage.cost_usd)
    for kind, count in (("input", usage.input_tokens), ("cached_input", usage.cache_read_tokens),
                        ("cache_write", usage.cache_write_tokens), ("output", usage.output_tokens)):
        if count:
            deps.metrics.tokens.labels(kind=kind).inc(count)
