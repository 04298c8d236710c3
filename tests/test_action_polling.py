"""Reads an action polls, through the real httpx client against the demo ML service: a window of 503s or a
hang never decides the outcome; only the service's answer, or the action's deadline, does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.ml_service import MLService
from bot.remediation.actions import ActionResult, run_action
from seed.ml_service import DemoMLService

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
RETRIES = 2  # the client's own retries per read: 0.4 s + 0.8 s of backoff, well inside the windows below


@pytest.fixture
def service() -> Iterator[DemoMLService]:
    with DemoMLService(training_sec=0.3) as demo:
        yield demo


def act(service: DemoMLService, action: str, *, timeout_sec: float = 20, read_timeout: float = 2) -> ActionResult:
    ml = MLService(service.url, timeout_sec=read_timeout, retries=RETRIES)
    try:
        return run_action(ml, action, "classifier_v2", NOW, lambda _step: None, poll_sec=0.05,
                          timeout_sec=timeout_sec)
    finally:
        ml.close()


def test_a_503_window_during_status_polling_still_verifies_the_retrain(service: DemoMLService) -> None:
    service.unavailable("/training/status", 2.5)  # longer than the client's own retries take
    result = act(service, "retrain_model")
    assert result.status == "completed", result.details
    assert result.details.startswith("classifier_v2 retrained (train-0001): v2.5.0 F1 0.915 passed the gate")
    assert len(service.calls("GET", "/training/status")) > 1 + RETRIES  # the poll outlived one read's retries
    assert len(service.calls("POST", "/training/trigger")) == 1
    assert service.registry.info("classifier")["active"]["version"] == "v2.5.0"


def test_a_hang_during_status_polling_still_verifies_the_retrain(service: DemoMLService) -> None:
    service.hang("/training/status", 2.0, times=1 + RETRIES)  # every try of one read times out
    result = act(service, "retrain_model", read_timeout=0.5)
    assert result.status == "completed", result.details
    assert "v2.5.0 F1 0.915 passed the gate" in result.details
    assert len(service.calls("GET", "/training/status")) > 1 + RETRIES


def test_a_503_window_while_verifying_a_rollback_still_verifies_it(service: DemoMLService) -> None:
    service.unavailable("/health", 2.5)
    result = act(service, "rollback_model")
    assert (result.status, result.details) == (
        "completed", "classifier_v2 rolled back: v2.4.0 → v2.3.1 (green slot); health ok, ready")
    assert len(service.calls("POST", "/model/rollback")) == 1


def test_only_the_deadline_ends_an_outage_and_says_so(service: DemoMLService) -> None:
    service.unavailable("/training/status", 60)
    result = act(service, "retrain_model", timeout_sec=2)
    assert result.status == "failed"
    assert result.details.startswith("/training/status could not be read before the action's deadline (2 s): "
                                     f"ML service at {service.url} did not answer GET /training/status (HTTP 503")
    assert len(service.calls("POST", "/training/trigger")) == 1  # never triggered again


def test_the_service_answer_decides_even_right_after_an_outage(service: DemoMLService) -> None:
    service.training_f1 = 0.65  # the gate refuses it: a real answer, reported as such
    service.unavailable("/training/status", 1.5)
    result = act(service, "retrain_model")
    assert result.status == "failed"
    assert result.details.startswith("training run train-0001 was not promoted")
