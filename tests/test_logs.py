"""Logging: secrets never reach a log line; JSON lines when asked."""

import json
import logging

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
