"""Button listeners, one per file; each acks first and carries only an id in its value."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers.actions.ids import INVESTIGATE_ALERT, SILENCE_ALERT


def register(app: AsyncApp, deps: Deps) -> None:
    from handlers.actions import investigate_alert, silence_alert

    app.action(INVESTIGATE_ALERT)(investigate_alert.make_listener(deps))
    app.action(SILENCE_ALERT)(silence_alert.make_listener(deps))
