"""One way to report a failed Slack Web API call: a log line naming the method, and a counter."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.deps import Deps

log = logging.getLogger("agentops.slack")


def slack_error_code(error: SlackApiError) -> str:
    return str(error.response.get("error") or error.response.status_code)


def report_slack_error(deps: Deps, method: str, error: SlackApiError) -> str:
    code = slack_error_code(error)
    log.error("slack %s failed: %s", method, code)
    deps.metrics.slack_errors.labels(method=method, error=code).inc()
    return code
