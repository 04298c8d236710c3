"""Logging, configured once at start-up: level and optional JSON lines, with secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime

from bot.redact import Redactor

# Chatty third-party loggers that would otherwise drown the bot's own lines at INFO (APScheduler alone
# logs two lines per job run): WARNING and up only, everything at LOG_LEVEL=DEBUG.
_QUIET = ("uvicorn", "uvicorn.error", "uvicorn.access", "fakesnow",
          "fakesnow.server", "alembic", "httpx", "urllib3", "botocore", "aiohttp.access",
          "apscheduler", "slack_sdk", "slack_bolt", "anthropic", "github")


# Loggers that only repeat what the bot reports itself: every error the Snowflake connector logs (with a
# traceback, and a urllib3 warning per retry) is raised to the warehouse client too, which says it in one line.
_SILENT = ("snowflake.connector",)


class RedactSecrets(logging.Filter):
    """Replaces any configured secret value in a record with '***' — a last line of defence."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._redact.secrets:
            return True
        message = self._redact(record.getMessage())
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text = self._redact(record.exc_text) if record.exc_text else record.exc_text
        record.msg, record.args, record.exc_text = message, (), text
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    """Uncaught exceptions in library threads (e.g. the Snowflake connector's query-cancel timer
    during an outage) become one log line through our handler and its redaction, not a raw traceback."""
    name = args.thread.name if args.thread else "?"
    logging.getLogger("agentops.threads").warning("background thread %s failed: %s: %s", name,
                                                  args.exc_type.__name__, args.exc_value)


def configure_logging(level: str = "INFO", json_lines: bool = False, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactSecrets(secrets or []))
    threading.excepthook = _log_thread_exception
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _SILENT:  # LOG_LEVEL=DEBUG still shows them, for finding out what the connector did
        logging.getLogger(name).setLevel(logging.DEBUG if root.level <= logging.DEBUG else logging.CRITICAL)
    for name in _QUIET:
        quiet = logging.getLogger(name)
        quiet.setLevel(logging.DEBUG if root.level <= logging.DEBUG else max(logging.WARNING, root.level))
        # fakesnow and uvicorn attach their own handlers; route them through ours (and the filter)
        quiet.handlers[:] = []
        quiet.propagate = True
