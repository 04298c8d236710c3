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


@dataclass(frozen=True)
class FleetReading:
    """What is known of the fleet: the last good snapshot (None if none yet) and when it was read;
    `problem` says why the warehouse could not be read since (None: the snapshot is current)."""

    components: list[ComponentHealth] | None
    read_at: datetime | None
    problem: str | None = None


class FleetView:
    """The latest snapshot, shared by every reader for `max_age`.

    A burst of `/agentops status` clicks, App Home opens and the scheduler read the warehouse
    once, not once each: concurrent callers wait for the one read in flight. During an outage
    (the last read failed, here or in a sweep) readers are answered at once from the last good
    snapshot, saying how old it is, while one background read finds out whether it is over.
    """

    def __init__(self, warehouse: Warehouse, clock: Clock, max_age: timedelta = timedelta(seconds=15),
                 rules: RuleSet | None = None) -> None:
        self._warehouse, self._clock, self._max_age, self._rules = warehouse, clock, max_age, rules or RuleSet()
        self._reading = threading.Lock()  # one warehouse read at a time
        self._state = threading.Lock()  # guards the fields below; never held across a read
        self._good: list[ComponentHealth] | None = None
        self._good_at: datetime | None = None
        self._failure: WarehouseError | None = None  # the latest read's, if it failed
        self._checked_at: datetime | None = None
        self._refreshing = False

    def latest(self) -> FleetReading:
        """Blocking only when no outage is known: then a stale snapshot is read again first."""
        with self._state:
            if self._failure is not None and self._checked_at is not None:
                self._refresh_if_stale()
                return self._reading_now()
        with self._reading:
            with self._state:
                fresh = self._checked_at is not None and self._clock.now() - self._checked_at < self._max_age
            if not fresh:  # a caller that waited for the read in flight finds it fresh
                self._read()
        with self._state:
            return self._reading_now()

    def unavailable(self, error: WarehouseError) -> None:
        """A sweep could not read the warehouse either: readers need not wait to find that out."""
        with self._state:
            self._failure, self._checked_at = error, self._clock.now()

    def reachable(self) -> None:
        """A sweep read the warehouse: the outage is over, and the next reader reads it too."""
        with self._state:
            if self._failure is not None:
                self._failure, self._checked_at = None, None

    def known_problem(self) -> str | None:
        """Why the warehouse could not be read last time it was tried (a sweep or a reader); never reads
        here, but a known problem older than `max_age` is looked at again in the background: without
        sweeps (MONITOR_POLL_INTERVAL_SEC=0) nothing else would find the outage over."""
        with self._state:
            if self._failure is None:
                return None
            self._refresh_if_stale()
            return str(self._failure)

    def get(self) -> list[ComponentHealth]:
        """Blocking; raises WarehouseError (or WarehouseUnavailable) when the last read failed."""
        reading = self.latest()
        with self._state:
            failure = self._failure
        if failure is not None:
            raise failure
        return list(reading.components or [])

    def get_or_reason(self) -> tuple[list[ComponentHealth] | None, str | None]:
        """(components, None), or (None, why not) when the warehouse cannot be read: callers degrade."""
        try:
            return self.get(), None
        except WarehouseError as error:
            return None, str(error)

    def _refresh_if_stale(self) -> None:
        """Under `_state`, the last read failed: one background read, when it failed `max_age` ago."""
        if self._checked_at is not None and self._clock.now() - self._checked_at >= self._max_age \
                and not self._refreshing:
            self._refreshing = True
            threading.Thread(target=self._refresh, name="fleet-refresh", daemon=True).start()

    def _refresh(self) -> None:
        try:
            with self._reading:
                self._read()
        finally:
            with self._state:
                self._refreshing = False

    def _read(self) -> None:
        try:
            components = snapshot(self._warehouse, self._rules)
        except WarehouseError as error:
            with self._state:
                self._failure, self._checked_at = error, self._clock.now()
            return
        with self._state:
            self._good, self._good_at = components, self._clock.now()
            self._failure, self._checked_at = None, self._good_at

    def _reading_now(self) -> FleetReading:
        return FleetReading(list(self._good) if self._good is not None else None, self._good_at,
                            str(self._failure) if self._failure is not None else None)
