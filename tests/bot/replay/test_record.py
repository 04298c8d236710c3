"""Every investigation keeps its record: the request, the rules, the start time, the investigator and every
answer its tools got, in order, with their types."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bot.replay.codec import decode, encode
from bot.replay.record import Record, rules_to_json
from tests.helpers.remediation import play, remediation
from tests.helpers.replay import recorded_demo


def test_the_demo_investigation_keeps_a_record_of_what_its_tools_read(tmp_path: Path, now: datetime) -> None:
    with recorded_demo(tmp_path, now) as (d, investigation_id, record):
        kept = d.deps.store.replays.record(investigation_id)
        assert kept is not None and kept.engine == "offline" and kept.model == ""
        assert (record.component, record.kind, record.text) == ("classifier_v2", "model", "model_drift:classifier_v2")
        assert record.started_at == now and record.alert_id is not None
        assert rules_to_json(record.rules) == rules_to_json(d.deps.rules)
        sql = [c.op for c in record.calls]
        assert any("FROM MODEL_METRICS WHERE model_name = %(m)s" in q and "LIMIT 1" in q for q in sql)
        assert any("FROM FEATURE_DRIFT" in q for q in sql) and any("FROM DATA_QUALITY" in q for q in sql)
        # rows as the tools saw them: the latest measurement's time comes back a datetime
        latest = next(decode(c.result)[0] for c in record.calls if "LIMIT 1" in c.op and c.params
                      and c.params.get("m") == "classifier_v2")
        assert isinstance(latest["timestamp"], datetime) and latest["drift_score"] > 0.4
        # the component's own 7-day noise, per column, for metric jitter
        assert 0 < record.noise["classifier_v2"]["drift_score"] < 0.05
        assert record.noise["classifier_v2/V14"]["psi_score"] > 0
        assert 1_000 < kept.size_bytes < 100_000


def test_values_come_back_with_their_types() -> None:
    row = {"timestamp": datetime(2026, 11, 21, 11, 50), "f1": Decimal("0.9100"), "name": "classifier_v2", "n": 3}
    assert decode(json.loads(json.dumps(encode([row])))) == [row]


def test_the_record_is_kept_after_the_diagnosis_and_its_approvals(tmp_path: Path, now: datetime) -> None:
    # keeping the record runs the baseline-noise queries on the live warehouse: the diagnosis and the approval
    # requests must not wait on them
    with remediation(tmp_path, now) as (d, _service):
        kept_when_asked: list[bool] = []

        def look() -> None:
            [investigation] = d.deps.store.investigations.recent()
            kept_when_asked.append(d.deps.store.replays.record(investigation.investigation_id) is not None)

        d.announcer.while_approval_requested = look
        play(d, _no_one_clicks)
        [investigation] = d.deps.store.investigations.recent()
        kept = d.deps.store.replays.record(investigation.investigation_id)
    assert kept_when_asked == [False, False]  # retrain and rollback were both asked before the record was kept
    assert kept is not None and Record.from_json(kept.record).noise  # and it was kept, noise included
    said = [s.what for s in d.announcer.said]
    assert said.index("diagnosis_ready") < said.index("approval_requested")


async def _no_one_clicks(_requests: object) -> None:
    """The story ends at the approval requests."""
