"""The replay's tool layer: a Warehouse and an MLService that answer from the record, never from the
live services. A query the record does not hold is a WarehouseError "not in the record", which the
tools report as they would any failed query.

Times in a query's parameters are matched within the recorded run's length: the original ran on a
moving clock, the replay on one fixed at the recorded start, so a window the tools compute may start up
to that many seconds earlier than the one recorded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.ml_service import MLService, MLServiceUnavailable
from bot.replay.codec import decode, encode
from bot.replay.record import Call, Record
from bot.warehouse import Warehouse, WarehouseError
from bot.warehouse.client import Params

NOT_RECORDED = "not in the record: {} (a replay answers only what the original investigation read)"
SLACK_SEC = 1.0  # beyond the recorded run's length: a clock read between two statements

# what a perturbation does to an answer before the tools see it (identity when nothing is perturbed)
Rows = list[dict[str, Any]]
Lens = Callable[[Call, Rows], Rows]


def _as_is(_call: Call, rows: Rows) -> Rows:
    return rows


def _split(params: dict[str, Any] | None) -> tuple[str, dict[str, datetime]]:
    """The parameters that must match exactly (as JSON), and the times that may differ a little."""
    plain, times = {}, {}
    for key, value in (params or {}).items():
        if isinstance(value, datetime):
            times[key] = value.replace(tzinfo=None)
        else:
            plain[key] = value
    return json.dumps(encode(plain), sort_keys=True), times


class ReplayWarehouse(Warehouse):
    def __init__(self, record: Record, lens: Lens = _as_is) -> None:
        super().__init__({}, timeout_sec=1, retries=0, describe="the investigation's record")
        self._lens = lens
        self._tolerance = record.seconds + SLACK_SEC
        self._calls: dict[tuple[str, str], list[tuple[dict[str, datetime], Call]]] = {}
        for call in record.calls:
            if call.source == "warehouse":
                plain, times = _split(decode(call.params))
                self._calls.setdefault((call.op, plain), []).append((times, call))

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        plain, times = _split(dict(params) if params is not None else None)
        for recorded_times, call in self._calls.get((sql, plain), []):
            if recorded_times.keys() == times.keys() and all(
                    abs((recorded_times[k] - t).total_seconds()) <= self._tolerance for k, t in times.items()):
                if call.error:
                    raise WarehouseError(call.error)
                return self._lens(call, decode(call.result))
        asked = f"the query {' '.join(sql.split())[:160]!r} with {dict(params or {})}"
        raise WarehouseError(NOT_RECORDED.format(asked))

    def execute(self, sql: str, params: Params = None, *, idempotent: bool = False) -> int:
        raise WarehouseError(NOT_RECORDED.format("a write"))

    def close(self) -> None:
        """Nothing to close: no connection was ever opened."""


class ReplayMLService(MLService):
    def __init__(self, record: Record, shown_url: str = "the recorded ML service") -> None:
        # deliberately no super().__init__: a replay opens no HTTP client
        self.base_url = self.shown_url = shown_url
        self._answers: dict[tuple[str, str | None], Call] = {}
        for call in record.calls:
            if call.source == "ml_service":
                self._answers.setdefault((call.op, (call.params or {}).get("model_type")), call)

    def health(self) -> Any:
        return self._answer("health", None)

    def ready(self) -> Any:
        return self._answer("ready", None)

    def model_info(self, model_type: str | None = None) -> Any:
        return self._answer("model_info", model_type)

    def training_status(self, model_type: str | None = None) -> Any:
        return self._answer("training_status", model_type)

    def metrics(self) -> str:
        return str(self._answer("metrics", None))

    def reload(self, model_type: str) -> Any:
        raise MLServiceUnavailable(NOT_RECORDED.format("a model reload"))

    def rollback(self, model_type: str) -> Any:
        raise MLServiceUnavailable(NOT_RECORDED.format("a rollback"))

    def trigger_training(self, model_type: str, data_version: str) -> Any:
        raise MLServiceUnavailable(NOT_RECORDED.format("a training run"))

    def close(self) -> None:
        """Nothing to close."""

    def _answer(self, method: str, model_type: str | None) -> Any:
        call = self._answers.get((method, model_type))
        if call is None:
            raise MLServiceUnavailable(NOT_RECORDED.format(f"the ML service's {method}"))
        if call.error:
            raise MLServiceUnavailable(call.error)
        return decode(call.result)
