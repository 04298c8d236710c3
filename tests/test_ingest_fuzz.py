"""1,200 hostile ingest requests against the running bot: every one refused with a 4xx JSON answer, the
bot alive afterwards, nothing posted — and the one valid alert sent among them posted exactly once."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.helpers.ingest import INGEST, alert_posts, generic_alert, signed, url
from tests.helpers.ingest_fuzz import Probe, probes
from tests.helpers.slack_bot import bot_running

COUNT = 1_200


@pytest.mark.slow
def test_fuzzed_ingest_bodies_are_all_refused_and_the_valid_alert_posted_once(slack: SlackStandIn, tmp_path: Path,
                                                                             now) -> None:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now, **INGEST) as bot, httpx.Client(timeout=30) as client:
        body = json.dumps(generic_alert(affected_component="the_valid_one")).encode()
        valid = Probe("valid", "/ingest/alert", body, signed(body, bot.clock.now()))
        made = list(probes(random.Random(11), COUNT, bot.clock.now, valid))
        statuses: Counter[tuple[str, int]] = Counter()
        for i, probe in enumerate(made):
            if i == 5:  # the valid alert, early in the storm: every later replay of it is refused
                accepted = client.post(url(bot, valid.path), content=valid.body, headers=valid.headers)
                assert accepted.status_code == 200, accepted.text
            answer = client.post(url(bot, probe.path), content=probe.body, headers=probe.headers)
            statuses[probe.kind, answer.status_code] += 1
            assert 400 <= answer.status_code < 500, f"{probe.kind}: {answer.status_code} {answer.text[:300]}"
            assert answer.json()["error"], probe.kind
        assert len(made) >= 1_000 and {kind for kind, _ in statuses} == {
            "truncated", "wrong_type", "not_json", "credentials", "replay", "content_type", "missing", "oversized"}
        assert statuses["replay", 409] > 0 and statuses["oversized", 413] == COUNT // 10
        assert client.get(url(bot, "/healthz")).status_code == 200  # alive
        [posted] = alert_posts(slack)
        assert "the_valid_one" in slack.render_blocks(posted)
        assert [a.component for a in bot.deps.store.alerts.list_firing("ingest")] == ["the_valid_one"]
        print(sorted(statuses.items()))
