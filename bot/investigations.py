"""Running an investigation in a thread: one per alert at a time, claimed in the state store under a
lease this replica renews (bot/investigation_leases.py takes over a lapsed one), progress and the
diagnosis told to the announcer, the record (and its failure) in the store, then the incident and the
approval requests its proposals call for."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict
from datetime import timedelta

from agents.chart import trend_chart
from agents.investigation import InvestigationResult, Step, Usage
from agents.investigator import investigate
from agents.prompt import AlertBrief, Briefing, breach_start, brief
from agents.subject import Subject, UnknownComponent, known_components, resolve
from agents.tools import ToolContext
from bot.budgets.meter import SpendMeter
from bot.clock import aware_utc
from bot.deps import Deps
from bot.ml_service import without_credentials
from bot.notify import InvestigationReport, PostRef
from bot.remediation import incidents
from bot.remediation.proposals import request_approvals
from bot.replay.capture import Capture, keep
from bot.store.records import Investigation, StoredAlert
from bot.warehouse import WarehouseError

log = logging.getLogger("agentops.investigation")
ALREADY_RUNNING = "An investigation of this alert is already running; its progress is in the alert's thread."
ALREADY_AUTO = ("AgentOps is already investigating this alert on its own (auto-investigation); its progress and "
                "diagnosis are in the alert's thread.")
EXTERNAL = "external"  # the kind of a component the warehouse does not measure
CANNOT_SHOW = "I couldn't post in that thread; check that @AgentOps is a member of the channel."
UNREACHABLE = "I can't reach the warehouse to investigate: {}"


async def resolve_subject(deps: Deps, text: str) -> Subject | str:
    """The model or pipeline `text` is about, or the reason (for the requester) it cannot be told."""
    try:
        return resolve(text, await asyncio.to_thread(known_components, deps.warehouse))
    except UnknownComponent as error:
        return str(error)
    except WarehouseError as error:
        return UNREACHABLE.format(error)


async def alert_subject(deps: Deps, fingerprint: str) -> Subject | str:
    """What an alert's [Investigate] is about: the stored alert's own component, as the warehouse knows
    it or as EXTERNAL (an ingested alert on something it does not measure), never a guess from the
    fingerprint's words; an alert no longer firing falls back to reading them."""
    alert = await asyncio.to_thread(deps.store.alerts.firing, fingerprint)
    if alert is None:
        return await resolve_subject(deps, fingerprint)
    try:
        known = await asyncio.to_thread(known_components, deps.warehouse)
    except WarehouseError as error:
        return UNREACHABLE.format(error)
    return Subject(alert.component, known.get(alert.component, EXTERNAL), fingerprint)


async def start_investigation(deps: Deps, *, subject: Subject, requested_by: str, thread: PostRef,
                              alert_id: str | None = None) -> str | None:
    """Start it; returns a reason to tell the requester privately when it could not start."""
    if alert_id is not None:  # one incident per post: investigating any of its alerts is investigating its lead
        alert_id = await incidents.lead_alert(deps, alert_id)
    record = await claim(deps, component=subject.component, text=subject.text, requested_by=requested_by,
                         thread=thread, alert_id=alert_id)
    if record is None:
        running = await asyncio.to_thread(deps.store.investigations.running_for, alert_id) if alert_id else None
        return ALREADY_AUTO if running is not None and running.auto else ALREADY_RUNNING
    report = await _announce(deps, subject.component, record)
    if report is None:
        return CANNOT_SHOW
    # the rest can take a minute: it runs in the investigations pool, and the request's slot is freed
    deps.investigations.spawn(_complete(deps, subject, report, record))
    return None


async def claim(deps: Deps, *, component: str, text: str, requested_by: str, thread: PostRef,
                alert_id: str | None, auto: bool = False) -> Investigation | None:
    """The investigation as this replica's durable claim (compare-and-set: one running per alert), under
    a lease renewed while it runs; None when the alert already has one running."""
    now = deps.clock.now()
    held = deps.investigation_leases
    record = await asyncio.to_thread(
        deps.store.investigations.start, trigger=text, requested_by=requested_by, now=now, alert_id=alert_id,
        component=component, thread=(thread.channel, thread.ts), owner=held.owner,
        lease=timedelta(seconds=deps.settings.investigation_lease_sec), auto=auto)
    if record is None:
        return None
    held.hold(record.investigation_id)
    try:
        if alert_id is not None:
            await incidents.investigating(deps, alert_id, now)
    except BaseException:
        held.release(record.investigation_id)  # never renewed for nobody: it lapses, and is taken over
        raise
    return record


async def run_claimed(deps: Deps, record: Investigation) -> None:
    """A claimed investigation from its start, in its thread: an auto-investigation, or one taken over
    from a replica that stopped."""
    component = record.component or record.trigger
    report = await _announce(deps, component, record)
    if report is None:
        return
    try:
        known = await asyncio.to_thread(known_components, deps.warehouse)
    except WarehouseError as error:
        if await _finish(deps, record.investigation_id, "failed", None):
            await report.failed(f"the warehouse is unavailable ({error})")
        return
    # a component the warehouse does not measure (an alert from elsewhere) is still investigated: the
    # diagnosis says what could and could not be checked
    await _complete(deps, Subject(component, known.get(component, EXTERNAL), record.trigger), report, record)


async def _announce(deps: Deps, component: str, record: Investigation) -> InvestigationReport | None:
    thread = PostRef(record.slack_channel or "", record.slack_ts or "")
    report = await deps.announcer.investigation_started(thread, component)
    if report is None:
        await _finish(deps, record.investigation_id, "failed", None)
    return report


async def _complete(deps: Deps, subject: Subject, report: InvestigationReport, record: Investigation) -> None:
    investigation_id, alert_id = record.investigation_id, record.alert_id
    # the tool layer recorded as it runs: what a replay answers from, without the warehouse
    capture = Capture(deps.warehouse, deps.ml_service, deps.clock.now())
    meter = SpendMeter.of(deps, investigation_id)
    ctx = ToolContext(capture.warehouse, deps.knowledge, deps.clock, on_progress=report.step,
                      ml_service=capture.ml_service, rules=deps.rules, on_model_call=deps.metrics.timings.model_call,
                      over_budget=meter.over_budget, on_spend=meter.spent)
    started = time.monotonic()
    try:
        briefing = await asyncio.to_thread(_briefing, deps, subject, alert_id) if deps.anthropic else None
        result = await asyncio.to_thread(investigate, ctx, subject, alert_id, deps.anthropic, deps.settings, briefing)
        deps.metrics.timings.investigation.labels(engine=result.engine).observe(time.monotonic() - started)
    # a failed investigation keeps the calls it made up to the failure (the last one is what failed)
    except WarehouseError as error:
        if await _finish(deps, investigation_id, "failed", None, ctx.calls):
            await report.failed(f"the warehouse is unavailable ({error})")
        return
    except Exception:
        log.exception("investigation of %s failed", subject.component)
        if await _finish(deps, investigation_id, "failed", None, ctx.calls):
            await report.failed("an internal error; it is in the bot's log")
        return
    # recorded first: whoever reads the diagnosis finds it in App Home too; a replica that lost its claim
    # (it stalled past the lease and another took over) leaves the outcome to that one
    if not await _finish(deps, investigation_id, "done", result):
        log.warning("investigation %s was taken over by another replica; its diagnosis is theirs", investigation_id)
        return
    _health(deps, result)
    try:
        await report.diagnosis_ready(result)
        await _chart(deps, subject, report, result.diagnosis.root_cause_category)
        if alert_id is not None:
            await incidents.diagnosed(deps, alert_id, result.diagnosis, deps.clock.now())
        # the proposals that need a human become approval requests, below the diagnosis and its chart
        await request_approvals(deps, result.diagnosis, engine=result.engine, requested_by=record.requested_by,
                                component=subject.component,
                                investigation_id=investigation_id, alert_id=alert_id, thread=report.thread)
    finally:
        # kept last: its baseline noise is more warehouse queries, which the diagnosis, its time to
        # diagnose and the approvals never wait on; kept even when posting them failed
        endpoint = without_credentials(str(getattr(deps.anthropic, "base_url", "")))
        await asyncio.to_thread(keep, deps.store, investigation_id, capture, subject, result, deps.rules,
                                alert_id=alert_id, model=deps.settings.anthropic_model, endpoint=endpoint,
                                briefing=briefing, now=deps.clock.now())


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


async def _finish(deps: Deps, investigation_id: str, status: str, result: InvestigationResult | None,
                  calls: list[Step] | None = None) -> bool:
    """Record the outcome while this replica holds the claim; False when another replica took it over."""
    engine = result.engine if result else ("claude" if deps.anthropic else "offline")
    usage = result.usage if result else Usage()
    store, held = deps.store.investigations, deps.investigation_leases
    try:
        recorded = await asyncio.to_thread(
            store.finish, investigation_id, status=status, now=deps.clock.now(), engine=engine,
            diagnosis=result.diagnosis.model_dump() if result else None, input_tokens=usage.input_tokens,
            cached_input_tokens=usage.cache_read_tokens, output_tokens=usage.output_tokens,
            cache_write_tokens=usage.cache_write_tokens, cost_usd=usage.cost_usd, owner=held.owner,
            fallback_reason=(result.problem or None) if result and deps.anthropic else None)
    finally:
        held.release(investigation_id)
    if not recorded:
        return False
    steps = result.steps if result is not None else calls or []
    if steps:  # the record of what it did: for audits, export and replay
        await asyncio.to_thread(store.record_steps, investigation_id, [asdict(step) for step in steps])
    deps.metrics.investigations.labels(engine=engine, status=status).inc()
    deps.metrics.spent(usage)
    return True
