"""Logging: secrets never reach a log line; JSON lines when asked."""

import json
import logging
import time
from collections import Counter

import pytest

from bot.logs import configure_logging


@pytest.fixture(autouse=True)
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def test_secrets_are_redacted_in_messages_and_tracebacks(capsys: pytest.CaptureFixture) -> None:
    configure_logging("INFO", secrets=["xoxb-1234-secret"])
    log = logging.getLogger("agentops.test")
    log.info("posting with token %s", "xoxb-1234-secret")
    try:
        raise RuntimeError("auth failed for xoxb-1234-secret")
    except RuntimeError:
        log.exception("slack call failed")
    err = capsys.readouterr().err
    assert "xoxb-1234-secret" not in err
    assert "posting with token ***" in err and "RuntimeError: auth failed for ***" in err


def test_json_lines(capsys: pytest.CaptureFixture) -> None:
    configure_logging("WARNING", json_lines=True)
    logging.getLogger("agentops.test").warning("sweep took %d ms", 12)
    logging.getLogger("agentops.test").info("not shown")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "WARNING" and entry["message"] == "sweep took 12 ms" and entry["logger"] == "agentops.test"


LIBRARIES = ("apscheduler.scheduler", "apscheduler.executors.default", "aiohttp.access",
             "slack_sdk.socket_mode.aiohttp", "slack_bolt.App", "snowflake.connector.connection", "httpx")


def test_libraries_log_warnings_only_unless_debug() -> None:
    configure_logging("INFO")
    assert not [name for name in LIBRARIES if logging.getLogger(name).isEnabledFor(logging.INFO)]
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING)
    assert logging.getLogger("agentops.monitor").isEnabledFor(logging.INFO)
    configure_logging("DEBUG")
    assert all(logging.getLogger(name).isEnabledFor(logging.DEBUG) for name in LIBRARIES)


def _lines_of_a_run(tmp_path, slack, seconds: float, **env: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(level, logger) of each line `agentops run` logged while it swept every second for `seconds`."""
    from tests.helpers.processes import start_bot, stop
    from tests.helpers.slack_bot import free_port

    process = start_bot(tmp_path, slack, HEALTH_PORT=str(free_port()), LOG_JSON="true",
                        MONITOR_POLL_INTERVAL_SEC="1", **env)
    try:
        slack.wait_for(lambda: slack.link.open, timeout=60)
        time.sleep(seconds)  # what the scheduler says about each sweep, and the socket's chatter
    finally:
        stop(process)
        _, stderr = process.communicate(timeout=30)
    entries = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [(entry["level"], entry["logger"]) for entry in entries]


def test_a_bot_run_s_info_log_is_the_bot_s_own_lines(tmp_path, slack) -> None:  # type: ignore[no-untyped-def]
    lines = _lines_of_a_run(tmp_path, slack, 5)
    own = [logger for _, logger in lines if logger.startswith(("agentops", "bot."))]
    assert lines and len(own) >= 0.75 * len(lines), Counter(lines)
    # a library may still warn (a sweep that overran its interval, say), but says nothing at INFO
    assert not [(level, logger) for level, logger in lines
                if level in ("INFO", "DEBUG") and not logger.startswith(("agentops", "bot."))]


def test_at_debug_the_libraries_speak_again(tmp_path, slack) -> None:  # type: ignore[no-untyped-def]
    lines = _lines_of_a_run(tmp_path, slack, 2, LOG_LEVEL="DEBUG")
    assert any(logger.startswith("apscheduler") and level in ("INFO", "DEBUG") for level, logger in lines)
