"""The ML service's write side through the real httpx client against the demo ML service:
rollback and retrain verified, the evaluation gate, and writes never repeated after a lost answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.ml_service import MLService, MLServiceRejected, MLServiceUnavailable
from bot.remediation.actions import run_action
from bot.warehouse import Warehouse
from seed.ml_service import DemoMLService
from tests.helpers.slack_bot import free_port

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def service() -> Iterator[DemoMLService]:
    with DemoMLService(training_sec=0.1) as demo:
        yield demo


def client(service: DemoMLService) -> MLService:
    return MLService(service.url, timeout_sec=2, retries=2)


def act(service: DemoMLService, action: str, steps: list[str] | None = None):  # type: ignore[no-untyped-def]
    return run_action(client(service), action, "classifier_v2", NOW, (steps if steps is not None else []).append,
                      poll_sec=0.02, timeout_sec=10)


def test_rollback_swaps_to_the_standby_slot_and_is_verified(service: DemoMLService) -> None:
    steps: list[str] = []
    result = act(service, "rollback_model", steps)
    assert (result.status, result.details) == (
        "completed", "classifier_v2 rolled back: v2.4.0 → v2.3.1 (green slot); health ok, ready")
    assert steps == ["asking the ML service to roll classifier_v2 back from v2.4.0 to v2.3.1",
                     "verifying health, readiness and the model now serving"]
    assert [r.body for r in service.calls("POST", "/model/rollback")] == [{"model_type": "classifier"}]


def test_a_retrain_that_passes_the_gate_is_promoted_and_verified(service: DemoMLService) -> None:
    result = act(service, "retrain_model")
    assert result.status == "completed"
    assert result.details == ("classifier_v2 retrained (train-0001): v2.5.0 F1 0.915 passed the gate "
                              "(production 0.910 − 0.01) and serves from the green slot")
    assert service.calls("POST", "/training/trigger")[0].body == {"model_type": "classifier",
                                                                   "data_version": "2026-11-21"}
    info = service.registry.info("classifier")
    assert (info["active"]["version"], info["standby"]["version"]) == ("v2.5.0", "v2.4.0")  # old one kept for rollback


def test_a_retrain_below_the_gate_fails_and_is_not_promoted(service: DemoMLService) -> None:
    service.training_f1 = 0.65  # class imbalance, as in INC-2026-0225
    result = act(service, "retrain_model")
    assert result.status == "failed"
    assert result.details == ("training run train-0001 was not promoted: evaluation gate: new F1 0.650 < "
                              "production F1 0.910 − 0.01; not promoted")
    assert service.registry.info("classifier")["active"]["version"] == "v2.4.0"


def test_the_gate_allows_a_retrain_just_within_tolerance(service: DemoMLService) -> None:
    service.training_f1 = 0.9005  # production 0.91 − 0.01 = 0.90
    assert act(service, "retrain_model").status == "completed"


def test_a_second_training_run_while_one_runs_is_refused(service: DemoMLService) -> None:
    service.training_sec = 5
    ml = client(service)
    ml.trigger_training("classifier", "2026-11-21")
    with pytest.raises(MLServiceRejected, match="HTTP 409: a classifier training run is already running"):
        ml.trigger_training("classifier", "2026-11-21")


def test_a_write_is_not_repeated_after_a_5xx(service: DemoMLService) -> None:
    service.fail("/model/rollback", 503)
    with pytest.raises(MLServiceUnavailable, match="it may or may not have acted"):
        client(service).rollback("classifier")
    assert len(service.calls("POST", "/model/rollback")) == 1


def test_reads_are_retried_after_a_5xx(service: DemoMLService) -> None:
    service.fail("/model/info", 503, times=2)
    assert client(service).model_info("classifier")["active"]["version"] == "v2.4.0"
    assert len(service.calls("GET", "/model/info")) == 3


def test_a_refused_connection_is_retried_even_for_a_write_and_then_reported() -> None:
    ml = MLService(f"http://127.0.0.1:{free_port()}", timeout_sec=1, retries=1)
    result = run_action(ml, "rollback_model", "classifier_v2", NOW, lambda step: None, poll_sec=0.01, timeout_sec=1)
    assert result.status == "failed" and "did not answer GET /model/info (ConnectError)" in result.details


def test_credentials_in_the_service_url_never_reach_a_message() -> None:
    port = free_port()
    ml = MLService(f"http://agentops:s3cret-p&ss@127.0.0.1:{port}", timeout_sec=1, retries=0)
    result = run_action(ml, "rollback_model", "classifier_v2", NOW, lambda step: None, poll_sec=0.01, timeout_sec=1)
    assert result.status == "failed" and f"ML service at http://127.0.0.1:{port} did not answer" in result.details
    assert "s3cret" not in result.details


def test_an_unknown_model_is_reported(service: DemoMLService) -> None:
    result = run_action(client(service), "rollback_model", "fraud_gbm_v7", NOW, lambda s: None, poll_sec=0.01,
                        timeout_sec=1)
    assert (result.status, result.details) == ("failed", "the ML service does not serve a model named fraud_gbm_v7")


def test_other_endpoints_answer(service: DemoMLService) -> None:
    ml = client(service)
    assert ml.health()["status"] == "ok" and ml.ready()["ready"] is True
    assert ml.reload("classifier")["active"]["version"] == "v2.3.1"
    assert 'demo_ml_requests_total{method="POST",path="/model/reload"} 1' in ml.metrics()


def test_a_promoted_model_writes_its_first_measurement(seeded_warehouse: Callable[..., Warehouse]) -> None:
    warehouse = seeded_warehouse("drift", NOW)
    clock = ManualClock(NOW + timedelta(minutes=10))  # after the seeded measurements

    def latest() -> dict:
        return warehouse.query("SELECT model_version, f1_score, drift_score FROM MODEL_METRICS "
                               "WHERE model_name = 'classifier_v2' ORDER BY timestamp DESC LIMIT 1")[0]

    with DemoMLService(clock=clock, warehouse=warehouse, training_sec=0.05) as demo:
        assert run_action(client(demo), "retrain_model", "classifier_v2", NOW, lambda s: None, poll_sec=0.02,
                          timeout_sec=10).status == "completed"
        row = demo.wait_for(lambda: latest()["model_version"] == "v2.5.0" and latest())
    assert row["f1_score"] == 0.915 and row["drift_score"] < 0.1
