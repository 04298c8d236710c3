"""Running the bot: Deps built once, the Bolt app over socket mode, the health endpoint, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.analytics import agent_health
from bot.app import build_app
from bot.budgets import caps as budget_caps
from bot.channels import pagers
from bot.claude import anthropic_client
from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings
from bot.deps import Deps
from bot.escalation.engine import Escalator
from bot.escalation.policy import EscalationPolicy, load_policy
from bot.fleet import FleetView
from bot.health import HealthServer
from bot.investigation_leases import drain_renewing, hand_over, heartbeat_sec, keep_investigations
from bot.metrics import Metrics
from bot.ml_service import MLService
from bot.monitor.monitor import Monitor
from bot.notify import Announcer
from bot.permissions.governance import Governance
from bot.permissions.policy import load_action_policy
from bot.postmortems.knowledge import StorePostmortems
from bot.redact import Redactor
from bot.remediation.expiry import expire_due
from bot.remediation.takeover import resume_due
from bot.rules import load_rules
from bot.startup import check_data_dir, warn_unknown_overrides
from bot.store import open_store
from bot.tracker import open_tracker
from bot.warehouse import open_warehouse
from bot.work import WorkSlots
from handlers.announcer import SlackAnnouncer
from handlers.paging import SlackPager, SlackThreadLinks
from handlers.slack_edge import SlackEdge, build_web_client
from handlers.socket_handler import AckTrackingSocketModeHandler
from handlers.startup_checks import check_alert_channel, check_app_token, check_bot_token
from handlers.usergroups import SlackGroupDirectory

T = TypeVar("T")
log = logging.getLogger("agentops")
DRAIN_SEC = 10  # well inside the 30 s an orchestrator usually waits after SIGTERM
EXPIRY_SWEEP_SEC = 10


def build_deps(settings: Settings, announcer: Announcer, clock: Clock | None = None,
               metrics: Metrics | None = None) -> Deps:
    """The domain's Deps, announcing to `announcer`; a bad rules file, missing corpora or an unreachable
    store stops here, before anything is left open."""
    from agents.knowledge import knowledge_base

    # what needs no connection first: a mistake in it leaves nothing to close
    rules = load_rules(settings.agentops_rules_file, settings.stale_after, settings.sweep_lookback)
    governance = Governance(load_action_policy(settings.action_policy_file), settings.action_policy_file,
                            settings.usergroup_cache_ttl_sec)
    knowledge = knowledge_base(settings)
    store = open_store(settings.state_database_url)
    try:
        warehouse = open_warehouse(settings)
    except Exception:
        store.close()
        raise
    warn_unknown_overrides(rules, warehouse)
    knowledge.follow(StorePostmortems(store))  # published post-mortems are past incidents too, on every replica
    clock, metrics = clock or SystemClock(), metrics or Metrics()
    warehouse.observe = metrics.timings.warehouse_query
    budget_caps.export(metrics, settings)
    return Deps(settings=settings, store=store, warehouse=warehouse, knowledge=knowledge,
                fleet=FleetView(warehouse, clock, rules=rules), rules=rules, clock=clock,
                metrics=metrics, anthropic=anthropic_client(settings), announcer=announcer,
                ml_service=MLService(settings.ml_service_url, settings.ml_service_timeout_sec,
                                     redact=Redactor(settings.secret_values())),
                tracker=open_tracker(settings), auto_investigations=WorkSlots(settings.auto_investigate_concurrency),
                governance=governance)


def close_deps(deps: Deps) -> None:
    deps.ml_service.close()
    deps.warehouse.close()
    deps.store.close()


def _tokens(settings: Settings) -> tuple[str, str]:
    if not (settings.slack_bot_token and settings.slack_app_token):
        raise ConfigError("SLACK_BOT_TOKEN and SLACK_APP_TOKEN are required to run the bot "
                          "(see README → Slack app; `agentops seed` works without them)")
    return settings.slack_bot_token.get_secret_value(), settings.slack_app_token.get_secret_value()


class Bot:
    """One running AgentOps replica: the domain's Deps, with Slack as the edge it announces to."""

    def __init__(self, deps: Deps, slack: SlackEdge, policy: EscalationPolicy | None = None) -> None:
        self.deps, self.slack = deps, slack
        self.handler: AsyncSocketModeHandler | None = None
        self.health: HealthServer | None = None
        replica = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.monitor = Monitor(deps, replica=replica)
        # pages through Slack (the edge) and the channels Settings configure
        self.escalator = Escalator(deps, policy or load_policy(None), {"slack": SlackPager(slack),
                                   **pagers(deps.settings)}, SlackThreadLinks(slack), replica)
        self.scheduler: AsyncIOScheduler | None = None

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.stop()  # nothing half-open left behind (HTTP session, socket, health port)
            raise

    async def _start(self) -> None:
        settings = self.deps.settings
        bot_token, app_token = _tokens(settings)
        if settings.health_port:
            # first: a busy port is refused before Slack is asked anything, and /healthz answers (degraded)
            # while the socket connects
            alive = (lambda: self.monitor.alive(self.deps.clock.now())) if settings.monitor_poll_interval_sec else None
            self.health = HealthServer(self.deps, settings.health_host, settings.health_port, self.slack.connected,
                                       alive)
            await self.health.start()
        client = await self.slack.open(bot_token)
        identity = await check_bot_token(client, settings.slack_api_url)
        await check_app_token(client, app_token)
        await check_alert_channel(client, settings.slack_alert_channel)
        self.handler = AckTrackingSocketModeHandler(build_app(self.deps, self.slack), app_token,
                                                    web_client=build_web_client(settings, None), deps=self.deps,
                                                    slack=self.slack)
        await self.handler.connect_async()  # retries until Slack answers; SIGTERM cancels it (see _serve)
        self.slack.watch_socket(self.handler.client.is_connected)
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        if settings.monitor_poll_interval_sec:
            self.scheduler.add_job(self.monitor.tick, "interval", seconds=settings.monitor_poll_interval_sec,
                                   max_instances=1, coalesce=True, next_run_time=datetime.now(UTC),
                                   misfire_grace_time=None)
        # expiry is also enforced at click time; this job edits expired requests in the channel
        self.scheduler.add_job(self.expire_approvals, "interval", seconds=EXPIRY_SWEEP_SEC, max_instances=1,
                               coalesce=True, misfire_grace_time=None)
        if settings.escalation_interval_sec:
            self.scheduler.add_job(self.escalate, "interval", seconds=settings.escalation_interval_sec,
                                   max_instances=1, coalesce=True, misfire_grace_time=None)
        # the heartbeat of this replica's investigations, and the takeover of a stopped replica's
        self.scheduler.add_job(keep_investigations, "interval", args=[self.deps], seconds=heartbeat_sec(self.deps),
                               max_instances=1, coalesce=True, misfire_grace_time=None)
        # every half lease: a dead replica's approved actions resume within about 1.5 leases
        self.scheduler.add_job(self.resume_actions, "interval", seconds=settings.action_lease_sec / 2,
                               max_instances=1, coalesce=True, misfire_grace_time=None)
        if settings.agent_health_interval_sec:  # the agent's own drift (an agent_health alert when it moves)
            self.scheduler.add_job(self.check_agent_health, "interval", seconds=settings.agent_health_interval_sec,
                                   max_instances=1, coalesce=True, misfire_grace_time=None)
        self.scheduler.start()
        log.info("AgentOps is connected to Slack as %s (%s)", identity.get("user"), identity.get("team"))

    async def expire_approvals(self) -> list:
        """One pass of the expiry job (requests past their deadline); never raises, so the schedule goes on."""
        async with self.deps.work.slot():
            try:
                return await expire_due(self.deps)
            except Exception as error:
                if not self.deps.store_outages.reported(error, "expiring approval requests", self.deps.clock.now()):
                    log.exception("expiring approval requests failed; the next pass retries")
                return []

    async def escalate(self) -> list[str]:
        """One pass of the escalation job (steps due, PagerDuty acknowledge/resolve); never raises."""
        async with self.deps.work.slot():
            return await self.escalator.tick()

    async def check_agent_health(self) -> list:
        """One pass of the agent-health job (the bot's own drift); never raises, so the schedule goes on."""
        async with self.deps.work.slot():
            try:
                return await agent_health.check(self.deps, self.monitor.notifier)
            except Exception as error:
                if not self.deps.store_outages.reported(error, "checking the agent's health", self.deps.clock.now()):
                    log.exception("checking the agent's health failed; the next pass retries")
                return []

    async def resume_actions(self) -> int:
        """One pass of the takeover job (approved actions a stopped replica left); never raises."""
        try:
            return await resume_due(self.deps)
        except Exception as error:
            if not self.deps.store_outages.reported(error, "resuming approved actions", self.deps.clock.now()):
                log.exception("resuming approved actions failed; the next pass retries")
            return 0

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.pause()  # no new sweeps; one in progress finishes in the drain below
        if self.handler is not None:
            await self.handler.close_async()  # no new requests from here on
            self.handler = None
        unfinished = await drain_renewing(self.deps, DRAIN_SEC)  # the scheduler's heartbeat is paused too
        await hand_over(self.deps)  # what did not finish is resumed by another replica at once
        if unfinished:
            log.warning("stopping with %d request(s) or sweep(s) unfinished after %ss", unfinished, DRAIN_SEC)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.health is not None:
            await self.health.stop()
            self.health = None
        await self.slack.close()
        log.info("AgentOps stopped")


async def _serve(bot: Bot) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # a signal is honoured while starting too: the socket client retries an unreachable Slack forever
    starting, stopping = asyncio.ensure_future(bot.start()), asyncio.ensure_future(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()  # Bot.start stops what it opened on the way out
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        return
    if starting.exception() is not None:
        stopping.cancel()
    starting.result()  # a refusal at start-up is raised here, for the CLI's one line
    try:
        await stopping
    finally:
        await bot.stop()


def build_bot(settings: Settings, clock: Clock | None = None) -> Bot:
    """The composition root: the domain's Deps announcing to the Slack edge (opened when the bot starts)."""
    policy = load_policy(settings.escalation_policy_file)  # a mistake in it stops here, before anything opens
    metrics = Metrics()
    slack = SlackEdge(settings, metrics)
    announcer = SlackAnnouncer(slack)
    deps = build_deps(settings, announcer, clock, metrics)
    announcer.watch_silences(lambda fingerprint: getattr(deps.store.silences.active(fingerprint, deps.clock.now()),
                                                         "ends_at", None))
    announcer.watch_posts(deps.store.alerts.sharing_post)
    deps.governance.directory = SlackGroupDirectory(slack)
    announcer.watch_governance(deps.governance)
    announcer.watch_approvals(deps.store.approvals.get)
    return Bot(deps, slack, policy)


def run(settings: Settings) -> int:
    """`agentops run`: serve until SIGTERM or Ctrl-C."""
    _tokens(settings)  # fail before opening anything
    check_data_dir(settings)
    bot = build_bot(settings)
    try:
        asyncio.run(_serve(bot))
    finally:
        close_deps(bot.deps)
    return 0


class BotThread:
    """The bot on an event loop of its own thread: for tests and the demo, which drive it from outside."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="agentops-bot", daemon=True)

    def start(self, timeout: float = 30.0) -> Bot:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.bot.start(), self._loop).result(timeout)
        return self.bot

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the bot's loop (e.g. a scheduler tick) and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        try:
            self.call(self.bot.stop(), timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
