"""The ingest webhook on the running bot: Alertmanager-, Grafana- and generic-shaped alerts become one
Slack post per notification group at once, resends repeat nothing, resolutions resolve the post, and
the checks (off, auth, size, shape, replay) answer 4xx JSON naming what is wrong."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from seed.slack import SlackStandIn
from tests.helpers.ingest import (
    BEARER,
    INGEST,
    SECRET,
    TOKEN,
    alert_posts,
    am_alert,
    am_notification,
    generic_alert,
    grafana_notification,
    post,
    signed,
    url,
)
from tests.helpers.slack_bot import RunningBot, bot_running


@pytest.fixture
def bot(slack: SlackStandIn, tmp_path: Path, now: datetime) -> Iterator[RunningBot]:
    with bot_running(slack, tmp_path / ".agentops", now, **INGEST) as running:
        yield running


def test_an_alertmanager_group_is_one_post_one_incident_and_a_resend_posts_nothing(bot: RunningBot) -> None:
    note = am_notification(am_alert("ModelDriftHigh"), am_alert("F1Low", severity="warning"),
                           group_key='{}:{model="fraud_scorer"}')
    answer = post(bot, note)
    assert answer.status_code == 200, answer.text
    assert answer.json()["firing"] == ["F1Low:fraud_scorer", "ModelDriftHigh:fraud_scorer"]
    [posted] = alert_posts(bot.slack)  # at once: no sweep ran
    shown = bot.slack.render_blocks(posted)
    assert "CRITICAL — fraud_scorer" in shown and "ModelDriftHigh on fraud_scorer" in shown and "F1Low" in shown
    stored = bot.deps.store.alerts.list_firing("ingest")
    assert {a.source for a in stored} == {"ingest"} and {a.slack_ts for a in stored} == {posted.ts}
    incidents = [bot.deps.store.incidents.for_alert(a.alert_id) for a in stored]
    assert incidents[0] is not None and incidents == [incidents[0]] * 2
    assert post(bot, note).status_code == 200  # Alertmanager's resend on group_interval
    assert len(alert_posts(bot.slack)) == 1 and bot.slack.messages(thread_ts=posted.ts) == []


def test_a_later_alert_of_the_group_joins_its_post(bot: RunningBot) -> None:
    key = '{}:{model="fraud_scorer"}'
    assert post(bot, am_notification(am_alert("ModelDriftHigh"), group_key=key)).status_code == 200
    assert post(bot, am_notification(am_alert("ModelDriftHigh"), am_alert("F1Low"), group_key=key)).status_code == 200
    [posted] = alert_posts(bot.slack)
    assert "F1Low" in bot.slack.render_blocks(bot.slack.wait_for(lambda: posted.edits and posted))
    [lead, joined] = bot.deps.store.alerts.sharing_post(posted.channel, posted.ts)
    assert bot.deps.store.incidents.for_alert(joined.alert_id) == bot.deps.store.incidents.for_alert(lead.alert_id)


def test_resolved_in_alertmanager_resolves_the_post_and_its_incident(bot: RunningBot) -> None:
    assert post(bot, am_notification(am_alert())).status_code == 200
    [posted] = alert_posts(bot.slack)
    assert post(bot, am_notification(am_alert(status="resolved"))).status_code == 200
    bot.slack.wait_for(lambda: posted.edits)
    assert "RESOLVED — fraud_scorer" in bot.slack.render_blocks(posted)
    [note] = bot.slack.messages(thread_ts=posted.ts)
    assert "`ModelDriftHigh:fraud_scorer` was resolved by its sender" in note.text
    assert bot.deps.store.alerts.list_firing() == []
    [incident] = bot.deps.store.incidents.recent()
    assert incident.status == "resolved"


def test_the_sweep_never_resolves_an_ingested_alert_nor_ingest_a_swept_one(bot: RunningBot) -> None:
    bot.tick()  # the seeded drift: the sweep posts classifier_v2's alerts
    swept = {a.fingerprint for a in bot.deps.store.alerts.list_firing("warehouse")}
    assert "model_drift:classifier_v2" in swept
    # an external alert on a component the warehouse knows and finds healthy
    assert post(bot, am_notification(am_alert("ModelDriftHigh", model="lstm_v1"))).status_code == 200
    bot.tick(timedelta(minutes=1))
    assert {a.fingerprint for a in bot.deps.store.alerts.list_firing("ingest")} == {"ModelDriftHigh:lstm_v1"}
    resolving = am_notification(am_alert("model_drift", model="classifier_v2", status="resolved"))
    assert post(bot, resolving).status_code == 200
    assert {a.fingerprint for a in bot.deps.store.alerts.list_firing("warehouse")} == swept


def test_a_grafana_alert_keeps_its_values(bot: RunningBot) -> None:
    note = grafana_notification(am_alert("HighLatency", model="fraud_scorer", severity="critical"))
    assert post(bot, note).status_code == 200, post(bot, note).text
    [posted] = alert_posts(bot.slack)
    assert "HighLatency on fraud_scorer" in bot.slack.render_blocks(posted)
    [alert] = bot.deps.store.alerts.list_firing("ingest")
    assert alert.metrics["B"] == 1840.5 and alert.metrics["labels"]["alertname"] == "HighLatency"


def test_a_generic_alert_is_posted_and_resolved_by_its_own_status(bot: RunningBot) -> None:
    answer = post(bot, generic_alert(), path="/ingest/alert")
    assert answer.json() == {"status": "accepted", "firing": ["latency:fraud_scorer"], "resolved": []}
    [posted] = alert_posts(bot.slack)
    assert "p99 latency 2400 ms" in bot.slack.render_blocks(posted)
    assert post(bot, generic_alert(status="resolved"), path="/ingest/alert").status_code == 200
    bot.slack.wait_for(lambda: posted.edits)
    assert bot.deps.store.alerts.list_firing() == []


def test_a_signed_request_is_accepted_once_and_its_replay_refused(bot: RunningBot) -> None:
    body = json.dumps(generic_alert()).encode()
    headers = signed(body, bot.clock.now())
    assert post(bot, body, "/ingest/alert", headers).status_code == 200
    replay = post(bot, body, "/ingest/alert", headers)
    assert replay.status_code == 409 and "replayed" in replay.json()["error"]
    stale = signed(body, bot.clock.now() - timedelta(minutes=6))
    assert post(bot, body, "/ingest/alert", stale).status_code == 401
    forged = signed(body, bot.clock.now(), secret="not-the-secret")
    assert "does not match" in post(bot, body, "/ingest/alert", forged).json()["error"]
    assert len(alert_posts(bot.slack)) == 1


def test_a_signed_request_resent_while_its_first_try_runs_is_asked_to_retry_not_refused(bot: RunningBot) -> None:
    body = json.dumps(generic_alert()).encode()
    headers = signed(body, bot.clock.now())
    bot.slack.faults.delay("chat.postMessage", 2.0)  # a slow Slack: the sender times out and resends
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(post, bot, body, "/ingest/alert", headers)
        bot.slack.wait_for(lambda: bot.deps.store.alerts.list_firing())
        resent = post(bot, body, "/ingest/alert", headers)
        assert resent.status_code == 503 and "still being processed" in resent.json()["error"]
        assert resent.headers["Retry-After"]
        assert first.result().status_code == 200
    bot.slack.faults.delay("chat.postMessage", 0.0)
    assert post(bot, body, "/ingest/alert", headers).status_code == 409  # done now: a replay
    assert len(alert_posts(bot.slack)) == 1


@pytest.mark.parametrize(("payload", "status", "field", "says"), [
    (b'{"groupKey": "g", "alerts": [', 400, None, "not valid JSON"),
    (b"[1, 2]", 400, None, "expected a JSON object"),
    ({"groupKey": "g", "status": "firing", "alerts": []}, 422, "alerts", "at least 1"),
    ({"groupKey": "g", "status": "firing", "alerts": [{"status": "firing", "labels": {"model": 7},
                                                       "startsAt": "2026-11-21T11:00:00Z"}]},
     422, "alerts[0].labels.model", "valid string"),
    (am_notification(am_alert() | {"labels": {"alertname": "X"}}), 422, "alerts[0].labels", "model, pipeline"),
    (am_notification(am_alert() | {"startsAt": "yesterday"}), 422, "alerts[0].startsAt", "datetime"),
])
def test_bad_bodies_are_refused_with_the_field_that_is_wrong(bot: RunningBot, payload: object, status: int,
                                                             field: str | None, says: str) -> None:
    answer = post(bot, payload)  # type: ignore[arg-type]
    assert answer.status_code == status and says in answer.json()["error"], answer.text
    assert answer.json().get("field") == field
    assert alert_posts(bot.slack) == []


def test_auth_size_and_content_type_are_checked(bot: RunningBot) -> None:
    note = am_notification(am_alert())
    assert post(bot, note, headers={"Content-Type": "application/json"}).status_code == 401
    wrong = post(bot, note, headers={"Authorization": "Bearer nope", "Content-Type": "application/json"})
    assert wrong.status_code == 401 and "INGEST_TOKEN" in wrong.json()["error"]
    assert post(bot, note, headers=BEARER | {"Content-Type": "text/plain"}).status_code == 415
    huge = httpx.post(url(bot), content=b"{" + b" " * (5 * 1024 * 1024) + b"}", headers=BEARER, timeout=30)
    assert huge.status_code == 413 and "INGEST_MAX_BYTES" in huge.json()["error"]
    chunked = httpx.post(url(bot), content=iter([b" " * 65536] * 40), headers=BEARER, timeout=30)
    assert chunked.status_code == 413
    assert alert_posts(bot.slack) == []
    assert SECRET not in wrong.text


def test_ingest_is_off_until_a_token_or_secret_is_set(running_bot: RunningBot) -> None:
    answer = post(running_bot, am_notification(am_alert()))
    assert answer.status_code == 403 and "set INGEST_TOKEN" in answer.json()["error"]


def test_a_post_slack_refused_is_a_503_and_the_senders_retry_posts_it_once(bot: RunningBot) -> None:
    bot.slack.fail("chat.postMessage")  # once, and not an error worth retrying at once
    note = am_notification(am_alert())
    refused = post(bot, note)
    assert refused.status_code == 503 and refused.json()["pending"] == ["ModelDriftHigh:fraud_scorer"]
    assert refused.headers["Retry-After"] and alert_posts(bot.slack) == []
    bot.clock.advance(timedelta(minutes=3))  # past the post claim's lease
    assert post(bot, note).status_code == 200
    assert post(bot, note).status_code == 200
    assert len(alert_posts(bot.slack)) == 1


def test_labels_someone_else_wrote_are_shown_as_text_not_markup(bot: RunningBot) -> None:
    hostile = am_alert("<!channel> *Drift*", model="<@U0ONCALL>_`x`") | {
        "annotations": {"summary": "<https://evil.example|click> <!here> &lt;"}}
    assert post(bot, am_notification(hostile)).status_code == 200
    [posted] = alert_posts(bot.slack)

    def mrkdwn(node: object) -> Iterator[str]:  # what Slack reads as markup (plain_text and button values are not)
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                yield node["text"]
            for value in node.values():
                yield from mrkdwn(value)
        elif isinstance(node, list):
            for item in node:
                yield from mrkdwn(item)

    sent = "".join(mrkdwn(posted.blocks)) + posted.text
    assert "<!channel>" not in sent and "<!here>" not in sent and "<https://evil" not in sent
    assert "<@U0ONCALL>" not in sent and "&lt;!channel&gt;" in sent


def test_a_body_cut_short_is_refused_as_bad_input_and_the_bot_keeps_serving(bot: RunningBot) -> None:
    port = bot.deps.settings.health_port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"POST /ingest/alertmanager HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"groupKey\":".encode())
        raw.shutdown(socket.SHUT_WR)  # the sender goes away mid-body: there is nobody to answer
        raw.recv(4096)
    refused = bot.deps.metrics.ingest_requests.labels(outcome="400")
    bot.slack.wait_for(lambda: refused._value.get() == 1)
    assert post(bot, am_notification(am_alert())).status_code == 200


@pytest.mark.parametrize("component", ["fraud_scorer", "classifier_v2_shadow"])
def test_investigate_on_an_ingested_post_is_about_the_alerts_own_component(bot: RunningBot, component: str) -> None:
    # one the warehouse does not measure, and one whose name holds a model it does (classifier_v2)
    assert post(bot, am_notification(am_alert("ModelDriftHigh", model=component))).status_code == 200
    [posted] = alert_posts(bot.slack)
    fingerprint = f"ModelDriftHigh:{component}"
    bot.slack.wait_ack(bot.slack.click("investigate_alert", fingerprint, posted.ts, user="U0APPROVER"))
    diagnosis = bot.slack.wait_for(lambda: next((m for m in bot.slack.messages(thread_ts=posted.ts)
                                                 if m.text.startswith("Diagnosis for")), None), timeout=30)
    assert diagnosis.text.startswith(f"Diagnosis for {component}:")
    assert bot.slack.ephemerals("U0APPROVER") == []
    [record] = bot.deps.store.investigations.recent()
    assert (record.status, record.component, record.alert_id) == (
        "done", component, bot.deps.store.alerts.firing(fingerprint).alert_id)
