"""Recording the tool layer's inputs: thin wrappers around the Warehouse and the MLService handed to an
investigation's ToolContext. Each answer (or failure) is passed through unchanged and kept, in order,
as a Call of the record. Reads only: an investigation never writes, so a write is refused."""

from __future__ import annotations

import threading
from typing import Any

from bot.ml_service import MLService, MLServiceUnavailable
from bot.replay.codec import encode
from bot.replay.record import Call
from bot.warehouse import Warehouse, WarehouseError
from bot.warehouse.client import Params

READ_ONLY = "an investigation only reads; {} is not part of its tool layer"


class Recorder:
    """The calls of one investigation; Claude's parallel tool calls add to it from several threads."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def warehouse(self, inner: Warehouse) -> RecordingWarehouse:
        return RecordingWarehouse(inner, self)

    def ml_service(self, inner: MLService | None) -> RecordingMLService | None:
        return RecordingMLService(inner, self) if inner is not None else None


class RecordingWarehouse(Warehouse):
    def __init__(self, inner: Warehouse, recorder: Recorder) -> None:
        # no connection of its own: every statement goes to `inner`, which the caller owns and closes
        super().__init__({}, timeout_sec=1, retries=0, describe=inner.describe)
        self._inner, self._recorder = inner, recorder

    def query(self, sql: str, params: Params = None) -> list[dict[str, Any]]:
        kept = encode(dict(params)) if params is not None else None
        try:
            rows = self._inner.query(sql, params)
        except WarehouseError as error:
            self._recorder.add(Call("warehouse", sql, kept, None, str(error)))
            raise
        self._recorder.add(Call("warehouse", sql, kept, encode(rows)))
        return rows

    def execute(self, sql: str, params: Params = None, *, idempotent: bool = False) -> int:
        raise WarehouseError(READ_ONLY.format("a write"))

    def close(self) -> None:
        """The inner warehouse is its owner's to close."""


class RecordingMLService(MLService):
    def __init__(self, inner: MLService, recorder: Recorder) -> None:
        # deliberately no super().__init__: it would open an HTTP client of its own; `inner` answers
        self.base_url, self.shown_url = inner.base_url, inner.shown_url
        self._inner, self._recorder = inner, recorder

    def health(self) -> Any:
        return self._read("health", None)

    def ready(self) -> Any:
        return self._read("ready", None)

    def model_info(self, model_type: str | None = None) -> Any:
        return self._read("model_info", model_type)

    def training_status(self, model_type: str | None = None) -> Any:
        return self._read("training_status", model_type)

    def metrics(self) -> str:
        return str(self._read("metrics", None))

    def reload(self, model_type: str) -> Any:
        raise MLServiceUnavailable(READ_ONLY.format("a model reload"))

    def rollback(self, model_type: str) -> Any:
        raise MLServiceUnavailable(READ_ONLY.format("a rollback"))

    def trigger_training(self, model_type: str, data_version: str) -> Any:
        raise MLServiceUnavailable(READ_ONLY.format("a training run"))

    def close(self) -> None:
        """The inner client is its owner's to close."""

    def _read(self, method: str, model_type: str | None) -> Any:
        params = {"model_type": model_type} if model_type is not None else None
        try:
            answer = getattr(self._inner, method)(model_type) if model_type is not None else getattr(
                self._inner, method)()
        except MLServiceUnavailable as error:
            self._recorder.add(Call("ml_service", method, params, None, str(error)))
            raise
        self._recorder.add(Call("ml_service", method, params, encode(answer)))
        return answer
