"""The round trip through the real Alertmanager: alerts pushed to its API v2 reach the bot's ingest
webhook (bearer authorization from http_config) as one Slack post; resolving them in Alertmanager
(endsAt in the past, send_resolved) edits that post to resolved."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.helpers.alertmanager import alertmanager, binary
from tests.helpers.ingest import INGEST, TOKEN, alert_posts, url
from tests.helpers.slack_bot import bot_running


def pushed(model: str, alertname: str, severity: str) -> dict:
    return {"labels": {"alertname": alertname, "model": model, "severity": severity},
            "annotations": {"summary": f"{alertname} on {model}"}, "generatorURL": "http://prometheus.example/graph"}


@pytest.mark.slow
def test_alertmanager_alerts_become_one_post_and_resolve_it(slack: SlackStandIn, tmp_path: Path) -> None:
    binary()  # skips (or fails under CI) before anything starts
    now = datetime.now(UTC)
    with bot_running(slack, tmp_path / ".agentops", now, **INGEST) as bot, \
            alertmanager(tmp_path / "am", url(bot), TOKEN) as am:
        alerts = [pushed("fraud_scorer", "ModelDriftHigh", "page"), pushed("fraud_scorer", "F1Low", "warning")]
        assert httpx.post(f"{am}/api/v2/alerts", json=alerts, timeout=10).status_code == 200
        [posted] = slack.wait_for(lambda: alert_posts(slack), timeout=30)
        shown = slack.render_blocks(posted)
        assert "CRITICAL — fraud_scorer" in shown and "ModelDriftHigh" in shown and "F1Low" in shown
        time.sleep(5)  # over two group_intervals: whatever Alertmanager sends again posts nothing more
        assert len(alert_posts(slack)) == 1 and slack.messages(thread_ts=posted.ts) == []

        past = datetime.now(UTC) - timedelta(seconds=1)
        resolving = [a | {"endsAt": past.isoformat()} for a in alerts]
        assert httpx.post(f"{am}/api/v2/alerts", json=resolving, timeout=10).status_code == 200
        slack.wait_for(lambda: "RESOLVED — fraud_scorer" in slack.render_blocks(posted), timeout=30)
        assert len(alert_posts(slack)) == 1
        assert bot.deps.store.alerts.list_firing("ingest") == []
        [incident] = [i for i in bot.deps.store.incidents.recent() if i.component == "fraud_scorer"]
        assert incident.status == "resolved"
