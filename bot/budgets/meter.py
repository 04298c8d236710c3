"""One investigation's view of the shared budget: asked before each model call (an empty answer lets it
go ahead; a reason sends the investigation to the offline investigator), told after each call what it
spent, which it records in the ledger every replica sums, and whether a notice level was crossed.

Every replica checks before every call, so the fleet overshoots a cap by at most the calls already in
flight when it was reached: one per running investigation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from agents.investigation import Step
from bot.budgets.caps import BudgetNotice, Standing, exhausted, observe, standings
from bot.deps import Deps

log = logging.getLogger("agentops.budget")
UNREADABLE = "the budget could not be read (the state store did not answer), so Claude was not asked"


class SpendMeter:
    def __init__(self, deps: Deps, investigation_id: str, announce: Callable[[BudgetNotice], None]) -> None:
        self.deps, self.investigation_id, self.announce = deps, investigation_id, announce
        self.refused = ""  # why Claude stopped being asked, once it did

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
            for standing in current:
                for level in standing.reached():
                    if deps.store.budget_notices.claim(period=standing.cap.period, window_start=standing.window_start,
                                                       cap=standing.cap.unit, level=level, now=now,
                                                       by=deps.investigation_leases.owner):
                        deps.metrics.budget_notices.labels(level=str(level)).inc()
                        self.announce(BudgetNotice(standing, level))
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
