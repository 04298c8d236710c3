"""Every investigation keeps its record: the request, the rules, the start time, the investigator and every
answer its tools got, in order, with their types."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bot.replay.codec import decode, encode
from bot.replay.record import rules_to_json
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
