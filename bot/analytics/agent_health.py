"""The agent's own drift (SPEC §9): every hour, the last 7 days against the 30 before. Mean diagnosis
confidence falling, or the escalation rate rising, past the rules file's `agent_health:` thresholds fires
an `agent_health` alert through the normal alert path (stored, claimed, posted once across replicas,
repeated, resolved when the measure recovers; the escalation policy routes it by its severity).

Each measure is its own alert (component `agentops.confidence`, `agentops.escalation`), raised under
source "agentops": no warehouse sweep and no ingest sender ever resolves it. A window with fewer than
`min_sample` investigations (or closed incidents) is not judged, so a quiet week neither pages nor clears.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.analytics import AGENT_HEALTH
from bot.analytics.health_rules import AgentHealthRules
from bot.analytics.stats import outcome
from bot.clock import aware_utc
from bot.deps import Deps
from bot.monitor.sweep import Alert
from bot.store import Store

if TYPE_CHECKING:
    from bot.monitor.notifier import Notifier

SOURCE = "agentops"
RECENT, BASELINE = timedelta(days=7), timedelta(days=30)
COMPONENTS = {"confidence": "agentops.confidence", "escalation_rate": "agentops.escalation"}


@dataclass(frozen=True)
class Movement:
    """One measure, the 30 days before against the last 7."""

    measure: str  # confidence | escalation_rate
    before: float | None
    after: float | None
    samples: tuple[int, int]  # (before, after): investigations, or closed incidents
    judged: bool  # enough samples in both windows
    moved: bool  # past its threshold (only when judged)
    change: float | None = None  # relative: (after − before) / before

    @property
    def component(self) -> str:
        return COMPONENTS[self.measure]

    @property
    def fingerprint(self) -> str:
        return f"{AGENT_HEALTH}:{self.component}"


def assess(store: Store, now: datetime, rules: AgentHealthRules) -> list[Movement]:
    until = aware_utc(now)
    split = until - RECENT
    start = split - BASELINE
    finished = store.analytics.investigations_finished(start, until)
    before = [i.confidence for i in finished if i.confidence is not None and i.finished_at < split]
    after = [i.confidence for i in finished if i.confidence is not None and i.finished_at >= split]
    posted = store.analytics.incidents_posted(start, until, excluded_types=(AGENT_HEALTH,))
    closed = [(i.detected_at >= split, outcome(i)) for i in posted if outcome(i) != "open"]
    escalations = ([kind == "escalated" for recent, kind in closed if not recent],
                   [kind == "escalated" for recent, kind in closed if recent])
    return [_confidence(before, after, rules), _escalation(*escalations, rules)]


def _confidence(before: list[float], after: list[float], rules: AgentHealthRules) -> Movement:
    samples = (len(before), len(after))
    if min(samples) < rules.min_sample:
        return Movement("confidence", None, None, samples, judged=False, moved=False)
    old, new = math.fsum(before) / len(before), math.fsum(after) / len(after)
    change = (new - old) / old if old else None
    moved = change is not None and -change > rules.confidence_drop
    return Movement("confidence", round(old, 4), round(new, 4), samples, True, moved,
                    None if change is None else round(change, 4))


def _escalation(before: list[bool], after: list[bool], rules: AgentHealthRules) -> Movement:
    samples = (len(before), len(after))
    if min(samples) < rules.min_sample:
        return Movement("escalation_rate", None, None, samples, judged=False, moved=False)
    old, new = sum(before) / len(before), sum(after) / len(after)
    if old:
        change: float | None = (new - old) / old
        moved = change is not None and change > rules.escalation_rise
    else:
        # from a baseline of none escalated any escalation is an infinite relative rise: it pages only once
        # the rate itself passes the threshold (20 % of closed incidents by default), not on a single one
        change, moved = None, new > rules.escalation_rise
    return Movement("escalation_rate", round(old, 4), round(new, 4), samples, True, moved,
                    None if change is None else round(change, 4))


def message(movement: Movement) -> str:
    """Which measure moved, from what to what, and against which threshold."""
    old, new = movement.before or 0.0, movement.after or 0.0
    n_before, n_after = movement.samples
    if movement.measure == "confidence":
        return (f"{movement.component}: mean diagnosis confidence fell {-(movement.change or 0):.0%} — "
                f"{old:.2f} over the 30 days before to {new:.2f} over the last 7 "
                f"({n_before} → {n_after} investigations)")
    rise = f"rose {movement.change:.0%}" if movement.change is not None else "rose from none"
    return (f"{movement.component}: escalation rate {rise} — {old:.0%} of closed incidents over the 30 days "
            f"before to {new:.0%} over the last 7 ({n_before} → {n_after} closed)")


def _values(movement: Movement) -> dict[str, float]:
    return {f"{movement.measure}_{when}": value for when, value in (("before", movement.before),
                                                                   ("after", movement.after)) if value is not None}


def alert_of(movement: Movement, rules: AgentHealthRules, now: datetime) -> Alert:
    moment = aware_utc(now)
    return Alert(alert_id=hashlib.sha1(f"{movement.fingerprint}|{moment.isoformat()}".encode()).hexdigest()[:16],
                 fingerprint=movement.fingerprint, severity=rules.severity,  # type: ignore[arg-type]
                 alert_type=AGENT_HEALTH, component=movement.component,
                 metrics=_values(movement),
                 message=message(movement), timestamp=moment, started_at=moment,
                 runbook="runbooks/incident_response.md")


async def check(deps: Deps, notifier: Notifier) -> list[Movement]:
    """One pass of the hourly job: fire what moved, resolve what recovered, leave the unjudged alone."""
    now = deps.clock.now()
    rules = deps.rules.agent_health
    movements = await asyncio.to_thread(assess, deps.store, now, rules)
    firing = {m.fingerprint: alert_of(m, rules, now) for m in movements if m.moved}
    recovered = {m.fingerprint: _values(m) for m in movements if m.judged and not m.moved}
    await notifier.apply_own(firing, recovered, now, SOURCE)
    return movements
