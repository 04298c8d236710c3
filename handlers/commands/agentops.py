"""The /agentops listener: ack at once, route the first word to its subcommand, answer usage otherwise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from logging import Logger

from slack_bolt.context.ack.async_ack import AsyncAck

from bot.deps import Deps
from handlers.blocks import notice, usage
from handlers.commands import (
    ack,
    alerts,
    budget,
    help,
    investigate,
    replay,
    silence,
    silences,
    stats,
    status,
    unsilence,
)
from handlers.commands.invocation import Invocation
from handlers.mrkdwn import code
from handlers.reply import reply
from handlers.slack_edge import SlackEdge

SUBCOMMANDS: dict[str, Callable[[Invocation], Awaitable[None]]] = {
    "help": help.run,
    "status": status.run,
    "investigate": investigate.run,
    "alerts": alerts.run,
    "silence": silence.run,
    "silences": silences.run,
    "unsilence": unsilence.run,
    "ack": ack.run,
    "replay": replay.run,
    "stats": stats.run,
    "budget": budget.run,
}


def make_listener(deps: Deps, slack: SlackEdge) -> Callable[..., Awaitable[None]]:
    async def agentops_command(ack: AsyncAck, command: dict, logger: Logger) -> None:
        await ack()  # within Slack's 3 seconds, before any slow work
        async with deps.work.slot():
            await _route(command, slack, logger, deps)

    return agentops_command


def _field(command: dict, name: str, limit: int = 4000) -> str:
    value = command.get(name)
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


async def _route(command: dict, slack: SlackEdge, logger: Logger, deps: Deps) -> None:
    # every field read defensively: a malformed payload gets an answer (where one is possible), never a traceback
    response_url = _field(command, "response_url", 1000)
    name, _, args = _field(command, "text").strip().partition(" ")
    subcommand = SUBCOMMANDS.get(name.lower())
    if subcommand is None:
        problem = "Tell me what to do." if not name else f"I don't know {code(name, 40)}."
        await reply(slack, response_url, *usage(problem))
        return
    user, channel = _field(command, "user_id", 40), _field(command, "channel_id", 40)
    if not (user and channel):
        await reply(slack, response_url, *notice("I couldn't tell who asked, or where, so I did nothing."))
        return
    invocation = Invocation(name.lower(), args.strip(), user, channel, response_url, slack, deps)
    try:
        await subcommand(invocation)
    except Exception as error:
        if deps.store_outages.reported(error, f"running /agentops {invocation.name}", deps.clock.now()):
            await invocation.reply(*notice(f"I can't reach the state store, so `/agentops {invocation.name}` did "
                                           "nothing. Try again in a minute."))
            return
        logger.exception("/agentops %s failed", invocation.name)
        await invocation.reply(*notice(f"Something went wrong running `/agentops {invocation.name}`; the error "
                                       "is in the bot's log. Try again in a minute."))
