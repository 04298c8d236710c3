"""The Slack stand-in answers like Slack: checked with the real slack_sdk WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from seed.slack import SlackStandIn
from seed.slack.blockkit import validate_blocks


@pytest.fixture
def client(slack: SlackStandIn) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(action_id: str = "go", value: str = "v") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": action_id, "value": value}


@pytest.mark.parametrize(("blocks", "reason"), [
    ([section("x")] * 51, "no more than 50 items"),
    ([section("x" * 3001)], "cannot exceed 3000 characters"),
    ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], "action_id attribute cannot exceed 255"),
    ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "value attribute cannot exceed 2000"),
    ([{**section("ok"), "accessory": button(value="v" * 2001)}], "value attribute cannot exceed 2000"),
    ([{"type": "no_such_block"}], "unsupported block type"),
    ([{"type": "carousel"}], "invalid block"),
    ([{"type": "actions", "elements": [{"type": "button"}]}], "missing 1 required keyword-only argument: 'text'"),
])
def test_invalid_blocks_are_refused_like_slack_does(slack: SlackStandIn, client: WebClient, blocks: list,
                                                     reason: str) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="#ml-alerts", text="fallback", blocks=blocks)
    assert raised.value.response["error"] == "invalid_blocks"
    assert any(reason in e for e in raised.value.response["errors"])
    assert slack.messages() == []
    slack.ws.invalid_blocks.clear()  # seen and expected; the fixture checks nothing else was invalid


def test_valid_blocks_post_and_edit_with_threads(slack: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="#ml-alerts", text="alert", blocks=[section("*drift* 0.45")])
    client.chat_postMessage(channel=posted["channel"], thread_ts=posted["ts"], text="investigating…")
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="resolved", blocks=[section("✅ resolved")])
    assert slack.render() == "AgentOps (edited): ✅ resolved\n    ↳ AgentOps: investigating…"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_blocks_without_text_fallback_are_recorded(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="#ml-alerts", blocks=[section("no fallback")])
    assert slack.ws.missing_text == ["chat.postMessage"]
    slack.ws.missing_text.clear()


def test_tokens_are_checked(slack: SlackStandIn) -> None:
    for token, error in ((None, "not_authed"), ("xoxb-wrong", "invalid_auth")):
        with pytest.raises(SlackApiError) as raised:
            WebClient(token=token, base_url=slack.api_url).chat_postMessage(channel="#ml-alerts", text="x")
        assert raised.value.response["error"] == error
    with pytest.raises(SlackApiError):  # the app token is for apps.connections.open only
        WebClient(token=slack.app_token, base_url=slack.api_url).auth_test()


def test_auth_test_accepts_an_empty_body(slack: SlackStandIn) -> None:
    import httpx

    response = httpx.post(f"{slack.api_url}auth.test", headers={"Authorization": f"Bearer {slack.bot_token}"})
    assert response.json()["user_id"] == "U0AGENTOPS"


def test_unknown_channel_and_method(slack: SlackStandIn, client: WebClient) -> None:
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="#nowhere", text="x")
    with pytest.raises(SlackApiError, match="unknown_method"):
        client.api_call("conversations.kick")


def test_file_upload_lands_in_the_thread(slack: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="#ml-alerts", text="alert")
    client.files_upload_v2(channel=posted["channel"], thread_ts=posted["ts"], content=b"\x89PNG chart",
                           filename="trend.png", title="drift_score, 24 h")
    reply = slack.messages(thread_ts=posted["ts"])[0]
    assert reply.files[0]["title"] == "drift_score, 24 h" and reply.files[0]["content"] == b"\x89PNG chart"


def test_validate_blocks_accepts_what_slack_accepts() -> None:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Alert"}}, section("ok"),
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "ctx"}]},
              {"type": "actions", "elements": [button("investigate_alert", "model_drift:classifier_v2")]},
              {"type": "divider"}]
    assert validate_blocks(blocks) == []
