"""Fixtures for end-to-end Slack tests: the stand-in, and the real bot connected to it over socket mode."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.runtime import BotThread, build_bot, close_deps
from seed.slack import SlackStandIn
from tests.helpers.warehouses import seeded_data_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bot_settings(slack: SlackStandIn, data_dir: Path, **overrides: object) -> Settings:
    """The monitor's, the escalation job's and the agent-health job's schedules are off (interval 0): tests
    run their passes themselves, on a manual clock."""
    values = dict(agentops_data_dir=data_dir, slack_bot_token=slack.bot_token, slack_app_token=slack.app_token,
                  slack_api_url=slack.api_url, health_port=free_port(), health_host="127.0.0.1",
                  monitor_poll_interval_sec=0, escalation_interval_sec=0, agent_health_interval_sec=0)
    return load_settings(**(values | overrides))


@dataclass
class RunningBot:
    slack: SlackStandIn
    deps: Deps
    thread: BotThread
    clock: ManualClock

    def tick(self, advance: timedelta = timedelta(0)) -> list:
        """Move the clock, then run one monitor sweep on the bot's loop."""
        self.clock.advance(advance)
        return self.thread.call(self.thread.bot.monitor.tick())


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    with SlackStandIn() as stand_in:
        yield stand_in
        # every message the bot sent during the test was valid Block Kit with a text fallback
        assert stand_in.ws.invalid_blocks == []
        assert stand_in.ws.missing_text == []


@contextmanager
def bot_running(slack: SlackStandIn, data_dir: Path, now, **overrides: object) -> Iterator[RunningBot]:  # type: ignore[no-untyped-def]
    """The real bot against the stand-in, the warehouse seeded with the drift scenario at `now`."""
    clock = ManualClock(now)
    settings = bot_settings(slack, data_dir, **({"repeat_interval": "30m"} | overrides))
    if settings.embedded_warehouse:
        seeded_data_dir(settings.agentops_data_dir, "drift", now)
    bot = build_bot(settings, clock=clock)
    deps = bot.deps
    thread = BotThread(bot)
    thread.start()
    try:
        yield RunningBot(slack, deps, thread, clock)
    finally:
        thread.stop()
        close_deps(deps)


@pytest.fixture
def running_bot(slack: SlackStandIn, tmp_path: Path, now) -> Iterator[RunningBot]:  # type: ignore[no-untyped-def]
    with bot_running(slack, tmp_path / ".agentops", now) as bot:
        yield bot


@contextmanager
def investigating_with_claude(slack: SlackStandIn, data_dir: Path, now) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    """The bot with Claude on the scripted Messages API (its tool steps, then the diagnosis when forced):
    one sweep, then Investigate clicked on the alert. Yields (api, bot, alert_post)."""
    from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, final_when_forced

    with ScriptedMessagesAPI(final_when_forced(STEPS)) as api, \
            bot_running(slack, data_dir, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url) as bot:
        bot.tick()
        [alert_post] = slack.messages("C0MLALERTS")
        slack.wait_ack(slack.click("investigate_alert", "model_drift:classifier_v2", alert_post.ts))
        yield api, bot, alert_post
