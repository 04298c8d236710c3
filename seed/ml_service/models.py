"""The demo ML service's state: each model type's versions in blue/green slots, and its training runs.

Plain data and rules, no I/O: rollback swaps to the standby slot; a finished training run is
promoted only when it passes the retraining runbook's evaluation gate
(new F1 ≥ production F1 − 0.01).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime

GATE_TOLERANCE = 0.01


@dataclass
class ModelVersion:
    version: str
    f1: float  # on the service's holdout set: what the evaluation gate compares
    trained_on: str  # the data version it was trained on


@dataclass
class ServedModel:
    model_type: str
    model_name: str
    slots: dict[str, ModelVersion | None]  # "blue" / "green"
    active_slot: str
    loaded_at: datetime

    @property
    def standby_slot(self) -> str:
        return "green" if self.active_slot == "blue" else "blue"

    @property
    def active(self) -> ModelVersion:
        return self.slots[self.active_slot]  # type: ignore[return-value]

    @property
    def standby(self) -> ModelVersion | None:
        return self.slots[self.standby_slot]

    def describe(self) -> dict:
        standby = self.standby
        return {"model_type": self.model_type, "model_name": self.model_name,
                "active": {"slot": self.active_slot, **asdict(self.active)},
                "standby": {"slot": self.standby_slot, **asdict(standby)} if standby else None,
                "loaded_at": self.loaded_at.isoformat()}


@dataclass
class TrainingRun:
    job_id: str
    model_type: str
    data_version: str
    started_at: datetime
    status: str = "running"  # running | completed | failed
    finished_at: datetime | None = None
    version: str | None = None
    f1: float | None = None
    production_f1: float | None = None
    passed_gate: bool | None = None
    promoted: bool = False
    error: str | None = None

    def describe(self) -> dict:
        data = asdict(self)
        for key in ("started_at", "finished_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


class ServiceError(Exception):
    """A request the service refuses; `status` is the HTTP status it answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ModelRegistry:
    models: dict[str, ServedModel]
    runs: list[TrainingRun] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def get(self, model_type: str) -> ServedModel:
        try:
            return self.models[model_type]
        except KeyError:
            raise ServiceError(404, f"unknown model_type {model_type!r}; serving: {', '.join(self.models)}") from None

    def info(self, model_type: str | None) -> dict:
        with self._lock:
            if model_type:
                return self.get(model_type).describe()
            return {"models": [m.describe() for m in self.models.values()]}

    def swap(self, model_type: str, now: datetime, *, why: str) -> ServedModel:
        """Blue-green swap: the standby slot starts serving (rollback and reload are both this)."""
        with self._lock:
            model = self.get(model_type)
            if model.standby is None:
                raise ServiceError(409, f"{model.model_name} has no model in its standby slot to {why} to")
            model.active_slot, model.loaded_at = model.standby_slot, now
            return model

    def start_training(self, model_type: str, data_version: str, now: datetime) -> TrainingRun:
        with self._lock:
            self.get(model_type)
            if any(r.model_type == model_type and r.status == "running" for r in self.runs):
                raise ServiceError(409, f"a {model_type} training run is already running")
            run = TrainingRun(f"train-{next(self._ids):04d}", model_type, data_version, now)
            self.runs.append(run)
            return run

    def finish_training(self, run: TrainingRun, new_f1: float, now: datetime) -> ServedModel | None:
        """Evaluate, and promote through the standby slot when the gate passes; the promoted model or None."""
        with self._lock:
            model = self.get(run.model_type)
            production = model.active.f1
            run.f1, run.production_f1, run.finished_at = round(new_f1, 4), production, now
            run.passed_gate = new_f1 >= production - GATE_TOLERANCE
            if not run.passed_gate:
                run.status = "failed"
                run.error = (f"evaluation gate: new F1 {new_f1:.3f} < production F1 {production:.3f} − "
                             f"{GATE_TOLERANCE}; not promoted")
                return None
            run.version = _next_version([v.version for v in model.slots.values() if v])
            # load into standby, then swap: the old active model becomes the standby (the rollback target)
            model.slots[model.standby_slot] = ModelVersion(run.version, round(new_f1, 4), run.data_version)
            model.active_slot, model.loaded_at = model.standby_slot, now
            run.status, run.promoted = "completed", True
            return model

    def fail_training(self, run: TrainingRun, error: str, now: datetime) -> None:
        with self._lock:
            run.status, run.error, run.finished_at, run.passed_gate = "failed", error, now, False

    def status(self, model_type: str | None) -> list[dict]:
        with self._lock:
            return [r.describe() for r in reversed(self.runs) if model_type in (None, r.model_type)]


def _next_version(versions: list[str]) -> str:
    """v2.4.0, v2.3.1 → v2.5.0"""
    parts = max(tuple(int(p) for p in v.lstrip("v").split(".")) for v in versions)
    return f"v{parts[0]}.{parts[1] + 1}.0"


def demo_registry(now: datetime) -> ModelRegistry:
    """The fleet the seed scenarios describe, each model with its previous version on standby."""
    def served(model_type: str, name: str, active: ModelVersion, standby: ModelVersion) -> ServedModel:
        return ServedModel(model_type, name, {"blue": active, "green": standby}, "blue", now)

    return ModelRegistry({
        "classifier": served("classifier", "classifier_v2", ModelVersion("v2.4.0", 0.91, "2026-10-01"),
                             ModelVersion("v2.3.1", 0.90, "2026-08-15")),
        "lstm": served("lstm", "lstm_v1", ModelVersion("v1.2.0", 0.90, "2026-09-20"),
                       ModelVersion("v1.1.4", 0.89, "2026-07-02")),
        "anomaly": served("anomaly", "anomaly_v1", ModelVersion("v1.0.3", 0.90, "2026-10-12"),
                          ModelVersion("v1.0.2", 0.89, "2026-09-01")),
    })
