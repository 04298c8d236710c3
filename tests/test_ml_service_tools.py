"""check_model_health / check_training_status through the real httpx client, against a loopback service."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agents.knowledge import KnowledgeBase
from agents.tools import ToolContext
from agents.tools.service import check_model_health, check_training_status
from bot.clock import ManualClock
from bot.ml_service import MLService
from tests.helpers.slack_bot import free_port

ANSWERS = {"/health": {"status": "ok"}, "/ready": {"ready": True, "models_loaded": 2},
           "/model/info": {"active": "classifier_v2:v2.4.0", "standby": "classifier_v2:v2.3.1"},
           "/training/status": [{"run_id": "tr-41", "model_type": "classifier", "status": "completed",
                                 "f1": 0.912, "passed_gate": True}]}


@pytest.fixture
def service() -> Iterator[dict]:
    state = {"fail_next": 0, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            state["requests"].append(self.path)
            if state["fail_next"]:
                state["fail_next"] -= 1
                self.send_response(503)
                self.end_headers()
                return
            body = json.dumps(ANSWERS.get(path, {"error": "not found"})).encode()
            self.send_response(200 if path in ANSWERS else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()


def context(url: str) -> ToolContext:
    return ToolContext(None, KnowledgeBase(), ManualClock(datetime.now(UTC)),  # type: ignore[arg-type]
                       ml_service=MLService(url, timeout_sec=2, retries=2))


def test_model_health_reports_the_active_and_standby_model(service: dict) -> None:
    result = check_model_health(context(service["url"]))
    assert result.status == "ok" and '"active": "classifier_v2:v2.4.0"' in result.summary


def test_a_503_is_retried(service: dict) -> None:
    service["fail_next"] = 2
    result = check_training_status(context(service["url"]), "classifier")
    assert result.status == "ok" and '"passed_gate": true' in result.summary
    assert service["requests"] == ["/training/status?model_type=classifier"] * 3


def test_an_unreachable_service_is_an_error_result_not_an_exception() -> None:
    result = check_model_health(context(f"http://127.0.0.1:{free_port()}"))
    assert result.status == "error"
    assert result.summary.startswith("ML service at http://127.0.0.1:") and "check ML_SERVICE_URL" in result.summary


def test_no_service_configured() -> None:
    ctx = ToolContext(None, KnowledgeBase(), ManualClock(datetime.now(UTC)))  # type: ignore[arg-type]
    assert check_training_status(ctx, "classifier").summary == "no ML service is configured (ML_SERVICE_URL)"
