"""The fleet at a glance: the latest measurement of every model and pipeline, assessed.

Two queries whatever the number of models (QUALIFY picks each one's latest row). Each component is
judged by its own rules (its overrides, else the defaults): the same the monitor alerts on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.rules import Breach, RuleSet, breaches, overall
from bot.warehouse import Warehouse, WarehouseError
from bot.warehouse.names import component_name

LATEST_MODELS = """
SELECT model_name, model_version, timestamp, f1_score, drift_score, latency_p95_ms, latency_p99_ms,
       anomaly_rate, prediction_count
FROM MODEL_METRICS
QUALIFY ROW_NUMBER() OVER (PARTITION BY model_name ORDER BY timestamp DESC) = 1
ORDER BY model_name"""
LATEST_PIPELINES = """
SELECT pipeline_name, timestamp, records_processed, records_invalid, null_rate, schema_violations, status
FROM DATA_QUALITY
QUALIFY ROW_NUMBER() OVER (PARTITION BY pipeline_name ORDER BY timestamp DESC) = 1
ORDER BY pipeline_name"""


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    kind: str  # model | pipeline
    status: str  # healthy | warning | critical
    measured_at: datetime
    values: dict
    breaches: list[Breach]


def snapshot(warehouse: Warehouse, rules: RuleSet | None = None) -> list[ComponentHealth]:
    """Raises WarehouseUnavailable when the warehouse cannot be reached; callers degrade."""
    rules = rules or RuleSet()
    components = []
    for kind, query, key in (("model", LATEST_MODELS, "model_name"), ("pipeline", LATEST_PIPELINES, "pipeline_name")):
        for row in warehouse.query(query):
            name = component_name(row[key])  # the name the monitor judges (and overrides name) it by
            found = breaches(row, rules.for_component(name, kind))
            components.append(ComponentHealth(name, kind, overall(found), row["timestamp"], row, found))
    return components


class FleetView:
    """The latest snapshot, shared by every reader for `max_age`.

    A burst of `/agentops status` clicks, App Home opens and the scheduler read the warehouse
    once, not once each: concurrent callers wait for the one read in flight. A failure is kept
    for the same time, so an outage answers fast instead of timing out once per caller.
    """

    def __init__(self, warehouse: Warehouse, clock: Clock, max_age: timedelta = timedelta(seconds=15),
                 rules: RuleSet | None = None) -> None:
        self._warehouse, self._clock, self._max_age, self._rules = warehouse, clock, max_age, rules or RuleSet()
        self._lock = threading.Lock()
        self._read_at: datetime | None = None
        self._result: list[ComponentHealth] | WarehouseError | None = None

    def get(self) -> list[ComponentHealth]:
        """Blocking; raises WarehouseError (or WarehouseUnavailable) when the last read failed."""
        with self._lock:
            now = self._clock.now()
            if self._read_at is None or now - self._read_at >= self._max_age:
                try:
                    self._result = snapshot(self._warehouse, self._rules)
                except WarehouseError as error:
                    self._result = error
                self._read_at = now
            if isinstance(self._result, WarehouseError):
                raise self._result
            return list(self._result or [])

    def get_or_reason(self) -> tuple[list[ComponentHealth] | None, str | None]:
        """(components, None), or (None, why not) when the warehouse cannot be read: callers degrade."""
        try:
            return self.get(), None
        except WarehouseError as error:
            return None, str(error)
