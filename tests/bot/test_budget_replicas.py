"""Two replicas (two Store objects on one state database) running scripted Claude investigations at once
against the Messages API stand-in share one hourly token budget: together they stop at the cap, give or
take one investigation; the 80 %, 95 % and 100 % notices are posted once each; every investigation past
the cap is answered by the offline investigator, saying why, and audited as budget_exceeded."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from agents.subject import Subject
from bot.investigations import start_investigation
from bot.notify import PostRef
from bot.work import WorkSlots
from handlers.investigation_blocks import diagnosis_blocks
from handlers.links import Links
from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, each_conversation
from tests.helpers.announcer import CHANNEL
from tests.helpers.domain import Domain, domain, replica

TOKENS_PER_CALL = 1200 + 150  # the stand-in's usage per call (input, output)
PER_INVESTIGATION = TOKENS_PER_CALL * (len(STEPS) + 1)  # three tool turns, then the diagnosis
CAP = 10 * PER_INVESTIGATION
EACH = 12  # per replica: 24 investigations would spend 2.4 × the cap
SLOTS = 2  # investigations at once per replica: 4 calls in flight at most, one investigation's worth


@contextmanager
def two_replicas(tmp_path: Path, now: datetime, store_url: str, api: ScriptedMessagesAPI) -> Iterator[list[Domain]]:
    with domain(tmp_path, now, database_url=store_url, anthropic_api_key="sk-ant-test",
                anthropic_base_url=api.base_url, budget_tokens_per_hour=CAP) as first, replica(first) as second:
        yield [Domain(replace(d.deps, investigations=WorkSlots(slots=SLOTS)), d.announcer, d.clock)
               for d in (first, second)]


async def investigate_all(replicas: list[Domain]) -> None:
    for n in range(EACH):
        for r, d in enumerate(replicas):
            thread = PostRef(CHANNEL, f"{1000 + 10 * n + r}.000100")
            assert await start_investigation(d.deps, subject=Subject("classifier_v2", "model", "F1 dropped"),
                                             requested_by="U0ONCALL", thread=thread) is None
    for d in replicas:
        await d.settle(120)
        assert await d.deps.work.drain(10) == 0  # the notices, posted from the bot's loop


def test_two_replicas_spending_at_once_stop_at_the_cap_and_say_so_once(tmp_path: Path, now: datetime,
                                                                        store_url: str) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, two_replicas(tmp_path, now, store_url, api) as replicas:
        asyncio.run(investigate_all(replicas))
        store = replicas[0].deps.store
        [(hour, spent)] = store.spend.by("hour", now).items()
        investigations = store.investigations.recent(limit=100)
        audited = [e for e in store.audit.entries(limit=500) if e.action == "budget_exceeded"]
        claimed = store.budget_notices.claimed(now)
    said = [s for d in replicas for s in d.announcer.said]
    results = [s.details["result"] for s in said if s.what == "diagnosis_ready"]
    print(f"\n{len(results)} investigations, cap {CAP:,} tokens: spent {spent.tokens:,} "
          f"({spent.tokens - CAP:+,} = {(spent.tokens - CAP) / PER_INVESTIGATION:+.2f} investigations), "
          f"{Counter(r.engine for r in results)}, on each replica "
          f"{[len([s for s in d.announcer.said if s.what == 'diagnosis_ready']) for d in replicas]}")

    # together they stopped at the cap, within one investigation (4 calls were in flight at most)
    assert CAP <= spent.tokens < CAP + PER_INVESTIGATION
    assert spent.tokens == len(api.requests) * TOKENS_PER_CALL  # every call recorded once, none lost
    assert spent.usd > 0
    # nothing lost or doubled: every investigation finished with one diagnosis
    assert len(investigations) == len(results) == 2 * EACH
    assert {i.status for i in investigations} == {"done"}
    offline = [r for r in results if r.engine == "offline"]
    assert offline and len(offline) < 2 * EACH
    for result in offline:  # the thread says why: the fallback note heads the diagnosis message
        assert result.problem == "budget"
        assert result.note.startswith("the hourly token budget is spent (")
        assert f" tokens of {CAP:,} tokens, until 13:00 UTC); this is the offline runbook" in result.note
        _, blocks = diagnosis_blocks("classifier_v2", result, Links())
        assert "hourly token budget is spent" in blocks[1]["text"]["text"]
        assert "offline runbook investigator" in blocks[1]["text"]["text"]
    assert sorted(e.subject for e in audited) == sorted(
        i.investigation_id for i in investigations if i.fallback_reason == "budget")
    # each level once, across both replicas
    notices = [s.about for s in said if s.what == "budget_level_reached"]
    assert sorted(n.level for n in notices) == [80, 95, 100]
    assert {(n.standing.cap.period, n.standing.cap.unit) for n in notices} == {("hour", "tokens")}
    assert sorted(level for *_, level in claimed) == [80, 95, 100]
    assert hour == now
