"""Keeping the record of an investigation as it runs: the tool layer recorded (bot/replay/recording.py),
then, once it answered, the record with the rules in force, the start time and the components' noise."""

from __future__ import annotations

import logging
import time
from datetime import datetime

from agents.investigation import InvestigationResult
from agents.prompt import Briefing
from agents.subject import Subject
from bot.ml_service import MLService
from bot.replay.noise import baseline_noise
from bot.replay.record import Record
from bot.replay.recording import Recorder, RecordingMLService, RecordingWarehouse
from bot.rules import RuleSet
from bot.store import Store
from bot.warehouse import Warehouse

log = logging.getLogger("agentops.replay")


class Capture:
    """Hand `warehouse` and `ml_service` to the ToolContext; call `record()` when the investigation answered."""

    def __init__(self, warehouse: Warehouse, ml_service: MLService | None, started_at: datetime) -> None:
        self._live = warehouse
        self.recorder = Recorder()
        self.warehouse: RecordingWarehouse = self.recorder.warehouse(warehouse)
        self.ml_service: RecordingMLService | None = self.recorder.ml_service(ml_service)
        self.started_at = started_at
        self._started = time.monotonic()

    def record(self, subject: Subject, result: InvestigationResult, rules: RuleSet, *, alert_id: str | None,
               model: str = "", endpoint: str = "", briefing: Briefing | None = None) -> Record:
        seconds = time.monotonic() - self._started
        calls = list(self.recorder.calls)
        claude = result.engine == "claude"
        return Record(subject.component, subject.kind, subject.text, result.engine, self.started_at, rules, calls,
                      alert_id=alert_id, model=model if claude else "", endpoint=endpoint if claude else "",
                      seconds=round(seconds, 3), noise=baseline_noise(self._live, calls, self.started_at),
                      briefing=briefing if claude else None)


def keep(store: Store, investigation_id: str, capture: Capture, subject: Subject, result: InvestigationResult,
         rules: RuleSet, *, alert_id: str | None, model: str, endpoint: str, briefing: Briefing | None,
         now: datetime) -> None:
    """Keep the record beside the investigation; a record that cannot be kept never fails the investigation
    (its replay will say there is no record)."""
    try:
        record = capture.record(subject, result, rules, alert_id=alert_id, model=model, endpoint=endpoint,
                                briefing=briefing)
        size = store.replays.keep_record(investigation_id, record.to_json(), engine=record.engine,
                                         model=record.model, now=now)
        log.info("investigation %s recorded: %d calls, %d bytes", investigation_id, len(record.calls), size)
    except Exception:
        log.exception("the record of investigation %s could not be kept", investigation_id)
