"""Button listeners, one per file; each acks first and carries only an id in its value."""

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from handlers.actions import (
    acknowledge_alert,
    decide_approval,
    decide_postmortem,
    feedback,
    investigate_alert,
    not_a_problem,
    page_alerts,
    silence_alert,
)
from handlers.actions.ids import (
    ACKNOWLEDGE_ALERT,
    APPROVE_ACTION,
    DENY_ACTION,
    DISCARD_POSTMORTEM,
    FEEDBACK_ANSWER,
    FEEDBACK_DIAGNOSIS,
    INVESTIGATE_ALERT,
    NOT_A_PROBLEM,
    PUBLISH_POSTMORTEM,
    SILENCE_ALERT,
)
from handlers.alert_list_blocks import ALERTS_PAGE
from handlers.slack_edge import SlackEdge


def register(app: AsyncApp, deps: Deps, slack: SlackEdge) -> None:
    app.action(INVESTIGATE_ALERT)(investigate_alert.make_listener(deps, slack))
    app.action(SILENCE_ALERT)(silence_alert.make_listener(deps, slack))
    app.action(ACKNOWLEDGE_ALERT)(acknowledge_alert.make_listener(deps, slack))
    app.action(NOT_A_PROBLEM)(not_a_problem.make_listener(deps, slack))
    app.action(APPROVE_ACTION)(decide_approval.make_listener(deps, slack, "approved"))
    app.action(DENY_ACTION)(decide_approval.make_listener(deps, slack, "denied"))
    app.action(FEEDBACK_DIAGNOSIS)(feedback.make_listener(deps, slack, "diagnosis"))
    app.action(FEEDBACK_ANSWER)(feedback.make_listener(deps, slack, "answer"))
    app.action(PUBLISH_POSTMORTEM)(decide_postmortem.make_listener(deps, slack, "published"))
    app.action(DISCARD_POSTMORTEM)(decide_postmortem.make_listener(deps, slack, "discarded"))
    for direction in ("previous", "next"):
        app.action(f"{ALERTS_PAGE}_{direction}")(page_alerts.make_listener(deps, slack))
