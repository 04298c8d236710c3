"""Incident ids name the day and a 4-hex-digit suffix: on a busy day suffixes repeat, and a repeat must
draw again rather than leave the post without an incident."""

from datetime import UTC, datetime
from pathlib import Path

from bot.store import open_store


def test_a_busy_day_opens_every_incident_though_suffixes_repeat(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    try:
        # 1,000 ids among 65,536 suffixes: about 7.6 repeats expected (none at all in 1 run of 2,000)
        opened = [store.incidents.open(alert_ids=[f"a{n}"], fingerprint=f"latency:m{n}", alert_type="latency",
                                       severity="warning", component=f"m{n}", breach_started_at=now, now=now)
                  for n in range(1000)]
        assert all(i is not None for i in opened)
        assert len({i.incident_id for i in opened}) == 1000
    finally:
        store.close()
