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


FEEDBACK = {"type": "feedback_buttons", "action_id": "fb",
            "positive_button": {"text": {"type": "plain_text", "text": "👍"}, "value": "good"},
            "negative_button": {"text": {"type": "plain_text", "text": "👎"}, "value": "bad"}}


@pytest.mark.parametrize(("blocks", "reason"), [
    ([section("x")] * 51, "no more than 50 items"),
    ([section("x" * 3001)], "cannot exceed 3000 characters"),
    ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], "action_id attribute cannot exceed 255"),
    ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "value attribute cannot exceed 2000"),
    ([{**section("ok"), "accessory": button(value="v" * 2001)}], "value attribute cannot exceed 2000"),
    ([{"type": "no_such_block"}], "unsupported block type"),
    ([{"type": "carousel"}], "invalid block"),
    ([{"type": "actions", "elements": [{"type": "button"}]}], "missing 1 required keyword-only argument: 'text'"),
    # feedback buttons: only in context_actions, which holds only them or icon buttons, at most 5
    ([{"type": "actions", "elements": [FEEDBACK]}], "only allowed in context_actions"),
    ([{"type": "context_actions", "elements": [button()]}], "unsupported element type 'button' in context_actions"),
    ([{"type": "context_actions", "elements": [FEEDBACK] * 6}], "no more than 5 items"),
    ([{"type": "context_actions", "elements": []}], "at least 1 element"),
    ([{"type": "context_actions", "elements": [{**FEEDBACK, "negative_button": {"value": "bad"}}]}],
     "missing 1 required keyword-only argument: 'text'"),
    ([{"type": "context_actions", "elements": [
        {**FEEDBACK, "positive_button": {**FEEDBACK["positive_button"], "value": "v" * 2001}}]}],
     "value must be a string of 1 to 2000"),
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


def test_feedback_buttons_in_context_actions_are_accepted() -> None:
    assert validate_blocks([section("x"), {"type": "context_actions", "elements": [FEEDBACK]}]) == []


def test_thread_status_is_set_in_a_thread_by_channel_id_and_cleared_by_the_reply(slack: SlackStandIn,
                                                                                 client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0MLALERTS", text="alert")["ts"]
    client.assistant_threads_setStatus(channel_id="C0MLALERTS", thread_ts=parent, status="is looking…")
    assert slack.ws.statuses == {("C0MLALERTS", parent): "is looking…"}
    reply = client.chat_postMessage(channel="C0MLALERTS", thread_ts=parent, text="found it")["ts"]
    assert slack.ws.statuses == {}  # the app's reply ends its status, as in Slack
    for args, error in (({"channel_id": "#ml-alerts", "thread_ts": parent}, "channel_not_found"),
                        ({"channel_id": "C0MLALERTS", "thread_ts": reply}, "invalid_thread_ts"),
                        ({"channel_id": "C0MLALERTS", "thread_ts": "1.2"}, "invalid_thread_ts")):
        with pytest.raises(SlackApiError) as refused:
            client.assistant_threads_setStatus(status="x", **args)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        client.api_call("assistant.threads.setStatus", json={"channel_id": "C0MLALERTS", "thread_ts": parent})
    assert refused.value.response["error"] == "invalid_arguments"  # status is required ("" clears it)


def test_permalink_and_reaction_removal(slack: SlackStandIn, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0MLALERTS", text="alert")["ts"]
    reply = client.chat_postMessage(channel="C0MLALERTS", thread_ts=parent, text="diagnosis")["ts"]
    link = client.chat_getPermalink(channel="C0MLALERTS", message_ts=reply)["permalink"]
    assert link == (f"https://agentops-standin.slack.com/archives/C0MLALERTS/p{reply.replace('.', '')}"
                    f"?thread_ts={parent}&cid=C0MLALERTS")
    client.reactions_add(channel="C0MLALERTS", timestamp=parent, name="eyes")
    client.reactions_remove(channel="C0MLALERTS", timestamp=parent, name="eyes")
    with pytest.raises(SlackApiError) as refused:
        client.reactions_remove(channel="C0MLALERTS", timestamp=parent, name="eyes")
    assert refused.value.response["error"] == "no_reaction"


def test_message_metadata_is_returned_by_history_and_replies_only_when_asked(slack: SlackStandIn,
                                                                           client: WebClient) -> None:
    tagged = {"event_type": "agentops_post", "event_payload": {"keys": ["alert:a1"]}}
    parent = client.chat_postMessage(channel="C0MLALERTS", text="alert", metadata=tagged)
    client.chat_postMessage(channel="C0MLALERTS", text="note", thread_ts=parent["ts"],
                            metadata={"event_type": "agentops_post", "event_payload": {"keys": ["note:n1"]}})
    client.chat_postMessage(channel="C0MLALERTS", text="later")
    history = client.conversations_history(channel="C0MLALERTS", include_all_metadata=True, limit=1)
    assert [m["text"] for m in history["messages"]] == ["later"] and history["has_more"]
    rest = client.conversations_history(channel="C0MLALERTS", include_all_metadata=True,
                                        cursor=history["response_metadata"]["next_cursor"])
    assert [(m["text"], m.get("metadata")) for m in rest["messages"]] == [("alert", tagged)]  # no thread replies
    assert "metadata" not in client.conversations_history(channel="C0MLALERTS")["messages"][1]
    replies = client.conversations_replies(channel="C0MLALERTS", ts=parent["ts"], include_all_metadata=True)
    assert [m["metadata"]["event_payload"]["keys"] for m in replies["messages"]] == [["alert:a1"], ["note:n1"]]
    with pytest.raises(SlackApiError) as name:  # the history methods take a channel id, as in Slack
        client.conversations_history(channel="#ml-alerts")
    assert name.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as bad:
        client.chat_postMessage(channel="C0MLALERTS", text="x", metadata={"event_type": "agentops_post"})
    assert bad.value.response["error"] == "invalid_metadata_format"


def test_faults_lose_the_answer_after_the_post_is_stored(slack: SlackStandIn, client: WebClient) -> None:
    slack.faults.after_storing("chat.postMessage", "500")
    with pytest.raises(SlackApiError) as lost:
        client.chat_postMessage(channel="C0MLALERTS", text="stored, answer lost")
    assert lost.value.response.status_code == 500
    assert [m.text for m in slack.messages()] == ["stored, answer lost"]
    slack.faults.window(0.5, 429, retry_after=2)
    with pytest.raises(SlackApiError) as limited:
        client.auth_test()
    assert limited.value.response.status_code == 429 and limited.value.response.headers["Retry-After"] == "2"
