"""A Claude replay end to end: the demo's investigation answered by Claude (the real anthropic client
against the scripted Messages API), recorded, then replayed with Claude from its record with the
warehouse stopped — labelled as a Claude replay with its model and endpoint, claiming nothing about the
real model."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.claude import anthropic_client
from bot.replay import service
from bot.replay.requests import start_replay
from handlers.replay_blocks import replay_result
from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, each_conversation, tool_use
from tests.helpers.domain import Domain
from tests.helpers.processes import agentops
from tests.helpers.remediation import LEAD, click_on
from tests.helpers.replay import recorded_demo


def test_a_claude_investigation_replays_with_claude_from_its_record(tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url) as (d, _id, record):
        assert (record.engine, record.model, record.endpoint) == ("claude", "claude-sonnet-4-6", f"{api.base_url}")
        assert record.briefing is not None and record.briefing.alert is not None  # what its first message said
        asked = len(api.requests)
        d.deps.warehouse.close()  # the replay reads the record, never the warehouse
        client = anthropic_client(d.deps.settings)
        done = service.run(d.deps.store, "model_drift:classifier_v2", kinds=["text", "metrics", "order"], n=2,
                           seed=0, knowledge=d.deps.knowledge, settings=d.deps.settings, client=client,
                           requested_by="U0ONCALL", now=now)
        replayed = api.requests[asked:]
    summary = service.summary(done)
    assert summary["engine"] == "claude" and summary["model"] == "claude-sonnet-4-6"
    assert summary["investigator"] == (
        f"Claude replay: model claude-sonnet-4-6 at {api.base_url} — these runs measure this replay against this "
        "endpoint only, not the model's stability in general")
    assert service.lines(done)[0].endswith(summary["investigator"])
    assert {r.engine for r in done.result.runs} == {"claude"} and done.result.stability == 1.0
    # six runs of four calls each, every one sent the recorded model; the paraphrases reached the model
    assert len(replayed) == 24 and {r["model"] for r in replayed} == {"claude-sonnet-4-6"}
    firsts = [r["messages"][0]["content"][0]["text"] for r in replayed if len(r["messages"]) == 1]
    texts = [run.request for run in done.result.runs if run.perturbation == "text"]
    assert all(any(f"<request>{t}</request>" in f for f in firsts) for t in texts)
    # and the tools answered from the record: the metrics the model was shown are the recorded ones
    shown = [c for r in replayed for m in r["messages"] if m["role"] == "user" and isinstance(m["content"], list)
             for c in m["content"] if c.get("type") == "tool_result"]
    assert any("classifier_v2 v2.4.0" in str(c["content"]) and "drift 0.45" in str(c["content"]) for c in shown)


def test_a_tool_call_the_record_lacks_is_an_error_the_model_sees(tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url) as (d, _id, _record):
        api.responder = each_conversation([[tool_use("query_metric_trend", component="lstm_v1", metric="f1_score")]])
        client = anthropic_client(d.deps.settings)
        done = service.run(d.deps.store, "model_drift:classifier_v2", kinds=["order"], n=1, seed=0,
                           knowledge=d.deps.knowledge, settings=d.deps.settings, client=client, requested_by="cli",
                           now=now)
        [result] = [c for m in api.requests[-1]["messages"] if m["role"] == "user" and isinstance(m["content"], list)
                    for c in m["content"] if c.get("type") == "tool_result"]
    assert result["is_error"] is True and "not in the record" in result["content"]
    assert done.result.runs[0].engine == "claude"


def test_a_claude_record_without_a_key_is_refused_not_answered_offline(tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url) as (d, inv_id, _record):
        options = {"kinds": ["text"], "n": 1, "seed": 0, "knowledge": d.deps.knowledge, "settings": d.deps.settings,
                   "requested_by": "cli", "now": now}
        with pytest.raises(service.ReplayRefused) as refused:
            service.run(d.deps.store, inv_id, client=None, **options)  # type: ignore[arg-type]
        assert str(refused.value) == (
            f"investigation {inv_id} was Claude's (model claude-sonnet-4-6); set ANTHROPIC_API_KEY to replay it with "
            "Claude, or pass --offline to replay its record with the offline investigator")
        offline = service.run(d.deps.store, inv_id, client=None, offline=True, **options)  # type: ignore[arg-type]
        assert offline.result.investigator.startswith("offline investigator")


def test_credentials_in_the_claude_base_url_are_never_stored_or_printed(tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api:
        with_credentials = api.base_url.replace("http://", "http://ops:hunter2-proxy-pass@")
        settings = {"anthropic_api_key": "sk-ant-test", "anthropic_base_url": with_credentials}
        with recorded_demo(tmp_path, now, **settings) as (d, inv_id, record):
            assert record.endpoint == api.base_url
            done = service.run(d.deps.store, inv_id, kinds=["order"], n=1, seed=0, knowledge=d.deps.knowledge,
                               settings=d.deps.settings, client=anthropic_client(d.deps.settings),
                               requested_by="cli", now=now)
            [kept] = d.deps.store.replays.replays_of(inv_id)
            assert done.result.runs[0].engine == "claude"  # the stand-in answered through the proxy URL
            assert "hunter2" not in kept.investigator and "ops:" not in kept.investigator
            assert "hunter2" not in json.dumps(service.summary(done)) and api.base_url in kept.investigator
            where = {"AGENTOPS_DATA_DIR": str(d.deps.settings.agentops_data_dir), "ANTHROPIC_API_KEY": "sk-ant-test",
                     "ANTHROPIC_BASE_URL": with_credentials}
            printed = agentops("replay", inv_id, "--n", "1", "--perturb", "order", "--json", cwd=tmp_path, **where)
            plain = agentops("replay", inv_id, "--n", "1", "--perturb", "order", cwd=tmp_path, **where)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["engine"] == "claude"
    assert "hunter2" not in printed.stdout + plain.stdout and "Claude replay: model" in plain.stdout


def test_a_claude_replays_tokens_are_counted_and_its_cost_kept(tmp_path: Path, now: datetime) -> None:
    def spent(d: Domain) -> tuple[float, float]:
        sample = d.deps.metrics.registry.get_sample_value
        tokens = sum(sample("agentops_tokens_total", {"kind": k}) or 0.0
                     for k in ("input", "cached_input", "cache_write", "output"))
        return tokens, sample("agentops_investigation_cost_usd_total") or 0.0

    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url,
            replay_runs=1) as (d, inv_id, _record):
        before = spent(d)
        model_calls = d.deps.metrics.registry.get_sample_value("agentops_llm_call_duration_seconds_count",
                                                              {"outcome": "ok"}) or 0.0

        async def story() -> None:
            assert await start_replay(d.deps, inv_id, "U0ONCALL") is None
            await d.settle()

        asyncio.run(story())
        after = spent(d)
        [kept] = d.deps.store.replays.replays_of(inv_id)
        [finished] = d.announcer.of("replay_finished")
    summary = finished.details["summary"]
    assert kept.tokens > 0 and kept.cost_usd > 0  # three Claude runs' worth, on the replay's row
    assert after[0] - before[0] == kept.tokens and after[1] - before[1] == pytest.approx(kept.cost_usd)
    assert (summary["tokens"], summary["cost_usd"]) == (kept.tokens, round(kept.cost_usd, 6))
    assert (d.deps.metrics.registry.get_sample_value("agentops_llm_call_duration_seconds_count",
                                                     {"outcome": "ok"}) or 0.0) > model_calls
    _text, blocks = replay_result(summary)
    assert f"spent {kept.tokens:,} tokens, $" in blocks[1]["elements"][0]["text"]


def test_replays_queue_in_their_own_pool_one_per_investigation_and_stop_at_their_deadline(
        tmp_path: Path, now: datetime) -> None:
    with ScriptedMessagesAPI(each_conversation(STEPS)) as api, recorded_demo(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url, replay_runs=2,
            anthropic_timeout_sec=3, anthropic_max_retries=0) as (d, inv_id, record):
        kept = d.deps.store.investigations.get(inv_id)
        assert kept is not None
        others = []  # two more finished investigations in threads of their own, with the same record
        for n in (1, 2):
            other = d.deps.store.investigations.start(trigger=kept.trigger, requested_by="U0ONCALL", now=now,
                                                      thread=("C0MLALERTS", f"9{n}.000100"))
            assert other is not None
            d.deps.store.investigations.finish(other.investigation_id, status="done", now=now, engine="claude",
                                               diagnosis=kept.diagnosis)
            d.deps.store.replays.keep_record(other.investigation_id, record.to_json(), engine="claude",
                                             model=record.model, now=now)
            others.append(other.investigation_id)
        [rollback] = [s.about for s in d.announcer.of("approval_requested") if s.about.action == "rollback_model"]
        api.hang_next(times=3)  # each replay's first Messages API call hangs until the client gives up

        async def busy_replays() -> tuple[list[str | None], float]:
            said = [await start_replay(d.deps, ref, "U0ONCALL") for ref in (inv_id, *others, inv_id)]
            await asyncio.sleep(0.5)  # the replays are calling Claude
            clicked = time.monotonic()
            assert (await click_on(d, rollback.request_id, LEAD, "approved")).outcome == "decided"
            while not d.announcer.of("action_started") and time.monotonic() - clicked < 10:
                await asyncio.sleep(0.02)
            started = time.monotonic() - clicked
            await d.settle(120)
            return said, started

        said, started = asyncio.run(busy_replays())
        assert said[:3] == [None, None, None]
        assert said[3] == (f"a replay of investigation {inv_id} is already queued or running; its result will be "
                           "in the investigation's thread")
        assert started < 1.5  # not behind three replays hanging on Claude for 3 s each
        assert len(d.announcer.of("replay_finished")) == 3

        # a replay stops starting runs at REPLAY_DEADLINE_SEC (600 s): each model call here takes four minutes
        inner = each_conversation(STEPS)

        def slow(body: dict, index: int) -> dict:
            d.clock.advance(timedelta(minutes=4))
            return inner(body, index)

        api.responder = slow

        async def late_replay() -> None:
            assert await start_replay(d.deps, inv_id, "U0ONCALL") is None
            await d.settle(120)

        asyncio.run(late_replay())
        summary = d.announcer.of("replay_finished")[-1].details["summary"]
        replays = d.deps.store.replays.replays_of(inv_id)
    assert (summary["stopped_early"], summary["runs"], summary["planned_runs"]) == (True, 1, 6)
    assert len(d.deps.store.replays.runs(replays[-1].replay_id)) == 1
    body = replay_result(summary)[1][0]["text"]["text"]
    print(body)
    assert "⏱️ Stopped early: the replay's deadline ran out after 1 of 6 runs; the figures are over those runs." in body
