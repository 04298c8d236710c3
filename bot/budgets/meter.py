"""One investigation's (or answer's, post-mortem draft's, replay's, CLI command's) view of the shared
budget: asked before each model call (an empty answer lets it
go ahead; a reason sends the investigation to the offline investigator), told after each call what it
spent, which it records in the ledger every replica sums, and whether a notice level was crossed.

Every replica checks before every call, so the fleet overshoots a cap by at most the calls already in
flight when it was reached: one per running investigation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from agents.investigation import Step
from bot.budgets.caps import BudgetNotice, Standing, exhausted, observe, standings
from bot.clock import Clock
from bot.config import Settings
from bot.deps import Deps
from bot.metrics import Metrics
from bot.store import Store, open_store

log = logging.getLogger("agentops.budget")
UNREADABLE = "the budget could not be read (the state store did not answer), so Claude was not asked"


@dataclass(frozen=True)
class Ledger:
    """What a meter reads and writes: the bot's Deps, or the pieces of them a CLI command has."""

    store: Store
    settings: Settings
    clock: Clock
    metrics: Metrics
    owner: str  # who claims a notice level (the replica; "cli" for a command)


class SpendMeter:
    def __init__(self, deps: Deps | Ledger, investigation_id: str,
                 announce: Callable[[BudgetNotice], None] | None) -> None:
        self.deps = deps if isinstance(deps, Ledger) else Ledger(deps.store, deps.settings, deps.clock, deps.metrics,
                                                                 deps.investigation_leases.owner)
        self.investigation_id, self.announce = investigation_id, announce
        self.refused = ""  # why Claude stopped being asked, once it did

    @classmethod
    def of(cls, deps: Deps, investigation_id: str) -> SpendMeter:
        """The bot's meter for one investigation, answer, draft or replay; its notices posted from the bot's loop."""
        return cls(deps, investigation_id, announcing(deps))

    def charge(self, model: str, usage: Any) -> None:
        """One Messages API response's usage (a single call: an answer, a draft), priced and recorded."""
        step = Step("model", 0, name=model, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens,
                    cache_write_tokens=usage.cache_creation_input_tokens or 0,
                    cache_read_tokens=usage.cache_read_input_tokens or 0)
        spec = self.deps.settings.anthropic_models.get(model, self.deps.settings.model_spec)
        step.cost_usd = spec.cost_usd(input_tokens=step.input_tokens, output_tokens=step.output_tokens,
                                      cache_write_tokens=step.cache_write_tokens,
                                      cache_read_tokens=step.cache_read_tokens)
        self.spent(step)

    def over_budget(self) -> str:
        """"" while every cap has room; otherwise why not, for the thread (audited once per investigation)."""
        deps = self.deps
        try:
            current = standings(deps.store.spend, deps.settings, deps.clock.now())
        except Exception:  # governance that cannot be read says no: the offline investigator costs nothing
            log.exception("could not read the budget for investigation %s", self.investigation_id)
            return self._refuse(UNREADABLE, None)
        observe(deps.metrics, current)
        spent = exhausted(current)
        return "" if spent is None else self._refuse(spent.refusal(), spent)

    def spent(self, step: Step) -> None:
        """A model call's spend, recorded as it happens; the notices its window now calls for, claimed."""
        deps, now = self.deps, self.deps.clock.now()
        tokens = step.input_tokens + step.output_tokens + step.cache_read_tokens + step.cache_write_tokens
        try:
            deps.store.spend.record(at=now, model=step.name, tokens=tokens, cost_usd=step.cost_usd,
                                    investigation_id=self.investigation_id)
            current = standings(deps.store.spend, deps.settings, now)
            observe(deps.metrics, current)
            announce = self.announce
            if announce is None:  # a meter that cannot tell anyone (a CLI command's) leaves it to the bot's next call
                return
            for standing in current:
                for level in standing.reached():
                    if deps.store.budget_notices.claim(period=standing.cap.period, window_start=standing.window_start,
                                                       cap=standing.cap.unit, level=level, now=now,
                                                       by=deps.owner):
                        deps.metrics.budget_notices.labels(level=str(level)).inc()
                        announce(BudgetNotice(standing, level))
        except Exception:  # the call is made and its answer kept; the next check reads the store again
            log.exception("could not record the spend of investigation %s (%d tokens, $%.4f)",
                          self.investigation_id, tokens, step.cost_usd)

    def _refuse(self, reason: str, standing: Standing | None) -> str:
        if not self.refused:
            self.refused = reason
            details: dict[str, object] = {"investigation_id": self.investigation_id, "reason": reason}
            if standing is not None:
                details |= {"period": standing.cap.period, "cap": standing.cap.unit, "limit": standing.cap.limit,
                            "spent": standing.spent}
            try:
                self.deps.store.audit.record(actor="agentops", action="budget_exceeded", subject=self.investigation_id,
                                             outcome="offline", now=self.deps.clock.now(), details=details)
            except Exception:
                log.exception("could not audit budget_exceeded for investigation %s", self.investigation_id)
        return reason


def cli_meter(store: Store, settings: Settings, clock: Clock, what: str) -> SpendMeter:
    """A CLI command's meter: the same caps and ledger as the bot's (the notices are the bot's to post)."""
    return SpendMeter(Ledger(store, settings, clock, Metrics(), "cli"), f"cli:{what}", None)


@contextmanager
def metered(settings: Settings, clock: Clock, what: str, claude: bool) -> Iterator[SpendMeter | None]:
    """A CLI command's meter on the state store, open while the command runs; None when Claude is not used."""
    if not claude:
        yield None
        return
    store = open_store(settings.state_database_url)
    try:
        yield cli_meter(store, settings, clock, what)
    finally:
        store.close()


def announcing(deps: Deps) -> Callable[[BudgetNotice], None]:
    """Budget notices claimed in a worker thread, posted from the bot's loop (never waited for)."""
    loop = asyncio.get_running_loop()

    def announce(notice: BudgetNotice) -> None:
        loop.call_soon_threadsafe(lambda: deps.work.spawn(deps.announcer.budget_level_reached(notice)))
    return announce
