"""The baseline for bench/ack_latency.py: a Bolt AsyncApp in socket mode that only acks.

Same client settings and socket-mode handler as AgentOps; reads SLACK_* from the environment;
stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.config import load_settings
from handlers.slack_edge import build_web_client


async def ack_only(ack) -> None:  # type: ignore[no-untyped-def]
    await ack()


async def main() -> None:
    settings = load_settings()
    app = AsyncApp(client=build_web_client(settings, settings.slack_bot_token.get_secret_value()))
    app.command("/agentops")(ack_only)
    app.action(re.compile(".*"))(ack_only)
    handler = AsyncSocketModeHandler(app, settings.slack_app_token.get_secret_value(),
                                     web_client=build_web_client(settings, None))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await handler.connect_async()
    await stop.wait()
    await handler.close_async()


if __name__ == "__main__":
    asyncio.run(main())
