"""The budget meter on the state store: dollars priced from the model's price table, hourly and daily windows
that end on the hour and at midnight UTC, a notice level told once per window, and a budget that cannot be
read refusing Claude (the offline investigator costs nothing) rather than spending blind."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from agents.investigation import Step
from agents.subject import Subject
from bot.budgets.caps import BudgetNotice
from bot.budgets.meter import UNREADABLE, SpendMeter
from bot.budgets.report import budget_report
from bot.config import DEFAULT_MODELS
from bot.investigations import start_investigation
from bot.notify import PostRef
from tests.fakes.messages_api import ScriptedMessagesAPI, each_conversation
from tests.helpers.announcer import CHANNEL
from tests.helpers.domain import Domain, domain

SONNET = DEFAULT_MODELS["claude-sonnet-4-6"]


def call(model: str = "claude-sonnet-4-6", input_tokens: int = 100_000, output_tokens: int = 10_000) -> Step:
    spec = DEFAULT_MODELS[model]
    return Step("model", 1, name=model, input_tokens=input_tokens, output_tokens=output_tokens,
                cost_usd=spec.cost_usd(input_tokens=input_tokens, output_tokens=output_tokens, cache_write_tokens=0,
                                       cache_read_tokens=0))


def test_dollars_per_hour_and_day_each_window_told_once(tmp_path: Path, now: datetime) -> None:
    told: list[BudgetNotice] = []
    one_call = call().cost_usd  # 100k in at $3/MTok, 10k out at $15/MTok: $0.45
    assert round(one_call, 6) == 0.45
    with domain(tmp_path, now, scenario=None, budget_usd_per_hour=1.0, budget_usd_per_day=2.0) as d:
        meter = SpendMeter(d.deps, "inv-1", told.append)
        assert meter.over_budget() == ""
        meter.spent(call())
        meter.spent(call())  # $0.90: 90 % of the hour (80 % told), 45 % of the day
        assert [(n.standing.cap.period, n.level) for n in told] == [("hour", 80)]
        assert meter.over_budget() == ""
        meter.spent(call("claude-haiku-4-5"))  # $0.15 at Haiku's prices: $1.05, the hour is spent
        assert [(n.standing.cap.period, n.level) for n in told][1:] == [("hour", 95), ("hour", 100)]
        assert meter.over_budget() == ("the hourly USD budget is spent ($1.05 of $1.00, until 13:00 UTC)")
        assert SpendMeter(d.deps, "inv-2", told.append).over_budget().startswith("the hourly USD budget is spent")

        d.clock.advance(timedelta(hours=1))  # a new hour: room again, and its levels can be told again
        fresh = SpendMeter(d.deps, "inv-3", told.append)
        assert fresh.over_budget() == ""
        fresh.spent(call())
        fresh.spent(call())  # the hour at 90 %; the day at $1.95, 97.5 %
        assert [(n.standing.cap.period, n.level) for n in told][3:] == [("hour", 80), ("day", 80), ("day", 95)]
        fresh.spent(call("claude-haiku-4-5", 50_000, 2_000))  # $0.06: the day at $2.01
        assert fresh.over_budget() == "the daily USD budget is spent ($2.01 of $2.00, until 00:00 UTC on Nov 22)"

        audited = [e for e in d.deps.store.audit.entries() if e.action == "budget_exceeded"]
        assert sorted(e.subject for e in audited) == ["inv-1", "inv-2", "inv-3"]  # once per investigation
        report = budget_report(d.deps.store, d.deps.settings, d.clock.now())
    assert [(h.hour, round(s.usd, 2)) for h, s in report.hours[-2:]] == [(12, 1.05), (13, 0.96)]
    assert [round(s.usd, 2) for _, s in report.days] == [0, 0, 0, 0, 0, 0, 2.01]
    assert [(m, s.tokens) for m, s in report.models] == [("claude-sonnet-4-6", 440_000),
                                                          ("claude-haiku-4-5", 162_000)]
    assert report.as_json()["caps"][0] | {"spent": 0} == {
        "period": "hour", "unit": "usd", "limit": 1.0, "spent": 0, "percent": 96.0,
        "window_start": "2026-11-21T13:00:00+00:00", "window_end": "2026-11-21T14:00:00+00:00"}


def test_a_budget_that_cannot_be_read_keeps_claude_from_being_asked(tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation([])) as api, \
            domain(tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
                   budget_tokens_per_day=1_000_000) as d:
        with d.deps.store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE model_spend")

        async def story() -> None:
            assert await start_investigation(d.deps, subject=Subject("classifier_v2", "model", "F1 dropped"),
                                             requested_by="U0ONCALL", thread=PostRef(CHANNEL, "1.000100")) is None
            await d.settle()

        asyncio.run(story())
        [said] = d.announcer.of("diagnosis_ready")
    result = said.details["result"]
    assert api.requests == [] and result.engine == "offline" and result.problem == "budget"
    assert result.note.startswith(UNREADABLE)


def test_each_sweep_reads_the_spend_gauges_again_so_they_fall_to_zero_at_the_top_of_the_hour(
        tmp_path: Path, now: datetime) -> None:
    from bot.monitor.monitor import Monitor

    def gauge(d: Domain) -> str:
        return next(line for line in d.deps.metrics.render().decode().splitlines()
                    if line.startswith('agentops_budget_spent{period="hour",unit="usd"}'))

    with domain(tmp_path, now, budget_usd_per_hour=1.0) as d:
        d.deps.store.spend.record(at=now, model="claude-sonnet-4-6", tokens=1000, cost_usd=0.75)  # another replica's
        asyncio.run(Monitor(d.deps, "test").tick())
        assert gauge(d) == 'agentops_budget_spent{period="hour",unit="usd"} 0.75'
        d.clock.advance(timedelta(hours=1))  # a new hour, no model call in it: the alert rules must see 0
        asyncio.run(Monitor(d.deps, "test").tick())
        assert gauge(d) == 'agentops_budget_spent{period="hour",unit="usd"} 0.0'
