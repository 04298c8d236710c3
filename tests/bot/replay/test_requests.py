"""A replay asked for in chat, as a domain service: refused at once when it cannot run, otherwise run in
the background and told to the notification port for the investigation's thread."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.replay.requests import NO_THREAD, start_replay
from tests.helpers.replay import recorded_demo


def test_a_replay_is_told_to_the_investigations_thread(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now, replay_runs=4) as (d, investigation_id, _record):
        async def story() -> str | None:
            said = await start_replay(d.deps, "model_drift:classifier_v2", "U0ONCALL")
            await d.settle()
            return said

        assert asyncio.run(story()) is None
        [finished] = d.announcer.of("replay_finished")
        investigation = d.deps.store.investigations.get(investigation_id)
        assert investigation is not None
        assert finished.details["thread"].ts == investigation.slack_ts  # the alert's thread
        summary = finished.details["summary"]
        assert (summary["investigation_id"], summary["runs"], summary["stability"]) == (investigation_id, 12, 1.0)


def test_one_without_a_thread_is_refused_with_what_to_do_instead(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now) as (d, investigation_id, record):
        outside = d.deps.store.investigations.start(trigger="classifier_v2", requested_by="cli", now=now)
        assert outside is not None
        d.deps.store.investigations.finish(outside.investigation_id, status="done", now=now, engine="offline",
                                           diagnosis=d.deps.store.investigations.get(investigation_id).diagnosis)  # type: ignore[union-attr]
        d.deps.store.replays.keep_record(outside.investigation_id, record.to_json(), engine="offline", model="",
                                         now=now)
        said = asyncio.run(start_replay(d.deps, outside.investigation_id, "U0ONCALL"))
        assert said == NO_THREAD.format(outside.investigation_id, outside.investigation_id)
        assert asyncio.run(start_replay(d.deps, "latency:lstm_v1", "U0ONCALL")).startswith(  # type: ignore[union-attr]
            "no investigation 'latency:lstm_v1'")
        assert d.announcer.of("replay_finished") == []
