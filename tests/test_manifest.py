"""manifest.yaml creates the app as it runs: socket mode, /agentops, the events and scopes it uses."""

from pathlib import Path

import yaml

MANIFEST = yaml.safe_load((Path(__file__).resolve().parent.parent / "manifest.yaml").read_text())


def test_socket_mode_interactivity_and_home() -> None:
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_the_command_and_events_the_handlers_register() -> None:
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == ["/agentops"]
    assert sorted(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == ["app_home_opened", "app_mention"]


def test_scopes_are_the_ones_called() -> None:
    # chat.postMessage/update/postEphemeral and assistant.threads.setStatus (investigation progress in a
    # channel thread) → chat:write; chat.getPermalink needs none; reactions.add/remove → reactions:write;
    # app_mention → app_mentions:read; /agentops → commands; chart uploads → files:write.
    # views.publish needs no extra scope; conversations.info/list at start-up → channels:read, groups:read;
    # conversations.history/replies (finding the bot's own post after a lost answer) → channels:history,
    # groups:history; usergroups.users.list (approvers named by group) → usergroups:read.
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == [
        "app_mentions:read", "channels:history", "channels:read", "chat:write", "commands", "files:write",
        "groups:history", "groups:read", "reactions:write", "usergroups:read"]
