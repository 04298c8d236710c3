"""Investigation records (what an investigation's tools read, for replay) and the replays run from them,
run by run. The record is JSON the replay package writes and reads; the store only keeps it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from bot.clock import aware_utc, naive_utc
from bot.store.tables import alerts, investigation_records, investigations, replay_runs, replays


@dataclass(frozen=True)
class KeptRecord:
    investigation_id: str
    recorded_at: datetime
    engine: str
    model: str
    record: dict[str, Any]
    size_bytes: int


@dataclass(frozen=True)
class ReplayRow:
    replay_id: str
    investigation_id: str
    requested_at: datetime
    requested_by: str
    perturbations: str
    runs_per_kind: int
    seed: int
    investigator: str
    original: dict[str, Any]
    stability: float
    tokens: int = 0
    cost_usd: float = 0.0


class ReplayStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keep_record(self, investigation_id: str, record: dict[str, Any], *, engine: str, model: str,
                    now: datetime) -> int:
        """Keep an investigation's record (once: a second is ignored); returns its size in bytes."""
        size = len(json.dumps(record).encode())
        with self._engine.begin() as conn:
            if conn.execute(select(investigation_records.c.investigation_id).where(
                    investigation_records.c.investigation_id == investigation_id)).first() is None:
                conn.execute(insert(investigation_records).values(
                    investigation_id=investigation_id, recorded_at=naive_utc(now), engine=engine, model=model,
                    record=record, size_bytes=size))
        return size

    def record(self, investigation_id: str) -> KeptRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(investigation_records).where(
                investigation_records.c.investigation_id == investigation_id)).mappings().first()
        if row is None:
            return None
        return KeptRecord(row["investigation_id"], aware_utc(row["recorded_at"]), row["engine"], row["model"],
                          row["record"], row["size_bytes"])

    def latest_investigation_of(self, fingerprint: str) -> str | None:
        """The latest finished investigation of any alert with this fingerprint, recorded or not."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(investigations.c.investigation_id)
                .join(alerts, alerts.c.alert_id == investigations.c.alert_id)
                .where(alerts.c.fingerprint == fingerprint, investigations.c.status == "done")
                .order_by(investigations.c.started_at.desc()).limit(1)).scalar()

    def keep_replay(self, investigation_id: str, *, requested_by: str, now: datetime, perturbations: list[str],
                    runs_per_kind: int, seed: int, investigator: str, original: dict[str, Any], stability: float,
                    runs: list[dict[str, Any]], tokens: int = 0, cost_usd: float = 0.0) -> str:
        """A replay and its runs, in one transaction; returns the replay's id."""
        replay_id = uuid.uuid4().hex[:16]
        with self._engine.begin() as conn:
            conn.execute(insert(replays).values(
                replay_id=replay_id, investigation_id=investigation_id, requested_at=naive_utc(now),
                requested_by=requested_by, perturbations=",".join(perturbations), runs_per_kind=runs_per_kind,
                seed=seed, investigator=investigator, original=original, stability=stability,
                tokens=tokens, cost_usd=cost_usd))
            if runs:
                conn.execute(insert(replay_runs), [{**run, "replay_id": replay_id} for run in runs])
        return replay_id

    def replays_of(self, investigation_id: str) -> list[ReplayRow]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(replays).where(replays.c.investigation_id == investigation_id)
                                .order_by(replays.c.requested_at)).mappings().all()
        return [ReplayRow(**{**r, "requested_at": aware_utc(r["requested_at"])}) for r in rows]

    def runs(self, replay_id: str) -> list[dict[str, Any]]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(replay_runs).where(replay_runs.c.replay_id == replay_id)
                                .order_by(replay_runs.c.run)).mappings().all()
        return [dict(r) for r in rows]
