"""Two replicas sharing PostgreSQL, each sent the same Alertmanager notification at the same moment (a
load balancer in front, Alertmanager resending): one post, one incident; the resolution resolves it once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from seed.slack import SlackStandIn
from tests.helpers.ingest import INGEST, alert_posts, am_alert, am_notification, post
from tests.helpers.slack_bot import bot_running


def test_the_same_notification_on_two_replicas_is_posted_and_resolved_once(slack: SlackStandIn, tmp_path: Path,
                                                                          now: datetime, postgres_url: str,
                                                                          shared_warehouse: dict[str, str]) -> None:
    shared = {k.lower(): v for k, v in shared_warehouse.items()} | {"database_url": postgres_url} | INGEST
    with bot_running(slack, tmp_path / "a", now, **shared) as first, \
            bot_running(slack, tmp_path / "b", now, **shared) as second:
        note = am_notification(am_alert("ModelDriftHigh"), am_alert("F1Low"))
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda bot: post(bot, note), [first, second] * 4))
        assert {a.status_code for a in answers} <= {200, 503}  # 503: the other replica is mid-post; retried
        assert post(first, note).status_code == 200 and post(second, note).status_code == 200
        [posted] = alert_posts(slack)
        assert len(first.deps.store.incidents.recent()) == 1
        resolving = am_notification(am_alert("ModelDriftHigh", status="resolved"), am_alert("F1Low", status="resolved"))
        with ThreadPoolExecutor(4) as pool:
            assert {a.status_code for a in pool.map(lambda bot: post(bot, resolving), [first, second] * 2)} == {200}
        slack.wait_for(lambda: "RESOLVED" in slack.render_blocks(posted))
        assert len(slack.messages(thread_ts=posted.ts)) == 2  # one "resolved" note per alert, not per replica
        assert [i.status for i in second.deps.store.incidents.recent()] == ["resolved"]
