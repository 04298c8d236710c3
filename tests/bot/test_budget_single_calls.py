"""Every model call is under the fleet's budget, not only an investigation's: an @mention answer and a
post-mortem draft are checked before their one Messages call (past a cap: the passages quoted, the template
filled in, no request sent) and charged after it (one ledger row each); a Claude replay is refused past a cap
(offline it still runs) and each of its calls charged under it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agents.answer import answer
from bot.budgets.meter import SpendMeter
from bot.claude import anthropic_client
from bot.replay import service
from bot.replay.requests import start_replay
from bot.store.tables import model_spend
from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, each_conversation, message, text
from tests.helpers.domain import Domain, domain
from tests.helpers.postmortems import WRITTEN, postmortem_or_investigation, resolved_demo_incident
from tests.helpers.replay import recorded_demo

QUESTION = "What should I do when model drift is detected?"
COMPOSED = "Roll back, then retrain [runbooks/model_drift.md › Decision tree]."


def rows_of(d: Domain, charged_to: str) -> int:
    with d.deps.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model_spend)
                                .where(model_spend.c.investigation_id == charged_to)).scalar_one())


def test_an_answer_past_the_hourly_cap_quotes_the_passages_and_under_it_is_charged(tmp_path: Path,
                                                                                    now: datetime) -> None:
    with ScriptedMessagesAPI(lambda body, i: message([text(COMPOSED)])) as api, \
            domain(tmp_path, now, scenario=None, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
                   budget_usd_per_hour=1.0) as d:
        client = anthropic_client(d.deps.settings)

        async def ask(asked: str) -> tuple[str, SpendMeter]:  # the meter posts notices from the bot's loop
            meter = SpendMeter.of(d.deps, asked)
            body, _ = await asyncio.to_thread(answer, d.deps.knowledge, QUESTION, client, "claude-sonnet-4-6", meter)
            return body, meter

        body, _meter = asyncio.run(ask("answer:1"))
        assert body == COMPOSED and len(api.requests) == 1
        assert rows_of(d, "answer:1") == 1  # 1,200 in and 150 out at Sonnet's prices
        hour, _day = d.deps.store.spend.in_windows(now)
        assert (hour.tokens, round(hour.usd, 6)) == (1350, round(1200 * 3e-6 + 150 * 15e-6, 6))

        d.deps.store.spend.record(at=now, model="claude-sonnet-4-6", tokens=300_000, cost_usd=1.0)  # the hour spent
        body, meter = asyncio.run(ask("answer:2"))
        assert len(api.requests) == 1  # no second request
        assert body.startswith("From *runbooks/model_drift.md ›") and rows_of(d, "answer:2") == 0
        assert meter.refused.startswith("the hourly USD budget is spent ($1.01 of $1.00, until 13:00 UTC)")


def test_a_postmortem_past_the_cap_is_the_template_with_no_request(tmp_path: Path, now: datetime) -> None:
    # one token an hour: the investigation's first call spends the hour, so the draft finds it spent
    with ScriptedMessagesAPI(lambda body, i: message([text("## Summary\nnot asked for")])) as api, \
            resolved_demo_incident(tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
                                   budget_tokens_per_hour=1) as (d, _, draft):
        assert [r for r in api.requests if "tools" not in r] == []  # the post-mortem call was never made
        assert draft.drafted_by == "template" and rows_of(d, f"postmortem:{draft.incident_id}") == 0


def test_a_postmortem_under_the_cap_is_charged_one_ledger_row(tmp_path: Path, now: datetime) -> None:

    with ScriptedMessagesAPI(postmortem_or_investigation(WRITTEN)) as api, \
            resolved_demo_incident(tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
                                   budget_usd_per_hour=100.0) as (d, _, draft):
        assert draft.drafted_by == "claude" and len([r for r in api.requests if "tools" not in r]) == 1
        assert rows_of(d, f"postmortem:{draft.incident_id}") == 1


def test_a_claude_replay_past_the_cap_is_refused_and_under_it_each_call_is_charged(tmp_path: Path,
                                                                                    now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
            budget_usd_per_hour=5.0) as (d, investigation_id, record):
        assert record.engine == "claude"
        asked = len(api.requests)
        meter = SpendMeter(d.deps, f"replay:{investigation_id}", None)
        service.run(d.deps.store, investigation_id, kinds=["order"], n=1, seed=0, knowledge=d.deps.knowledge,
                    settings=d.deps.settings, client=anthropic_client(d.deps.settings), requested_by="cli", now=now,
                    meter=meter)
        replayed = len(api.requests) - asked
        assert replayed > 0 and rows_of(d, f"replay:{investigation_id}") == replayed

        d.deps.store.spend.record(at=now, model="claude-sonnet-4-6", tokens=1_000_000, cost_usd=5.0)
        refused = asyncio.run(start_replay(d.deps, "model_drift:classifier_v2", "U0ONCALL"))
        assert refused is not None and refused.startswith("the hourly USD budget is spent (")
        assert refused.endswith(f"or replay the record with the offline investigator now: "
                                f"`agentops replay {investigation_id} --offline`")
        with pytest.raises(service.ReplayRefused, match="hourly USD budget is spent"):
            service.run(d.deps.store, investigation_id, kinds=["order"], n=1, seed=0, knowledge=d.deps.knowledge,
                        settings=d.deps.settings, client=anthropic_client(d.deps.settings), requested_by="cli",
                        now=now, meter=SpendMeter(d.deps, f"replay:{investigation_id}", None))
        assert len(api.requests) - asked == replayed  # nothing more was sent
        offline = service.run(d.deps.store, investigation_id, kinds=["order"], n=1, seed=0,
                              knowledge=d.deps.knowledge, settings=d.deps.settings, client=None, requested_by="cli",
                              now=now, offline=True, meter=SpendMeter(d.deps, f"replay:{investigation_id}", None))
        assert offline.result.investigator.startswith("offline investigator")
