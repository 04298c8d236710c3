"""Migration 0013 on a store that already holds incidents: escalations from before the upgrade are still
counted (escalated_at filled in), so the agent-health job does not fire on its first run; and the store
downgrades with its rows (SQLite rebuilds tables that incident_alerts references)."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from bot.analytics.agent_health import assess
from bot.analytics.health_rules import AgentHealthRules
from bot.store import Store
from bot.store.engine import MIGRATIONS, current_revision, make_engine, migrate
from bot.store.tables import incident_alerts
from tests.helpers.history import PlannedIncident, plan_history, write_history


def head_revision() -> str | None:
    """The newest migration, whichever later ones exist."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    engine = make_engine(store_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def four_in_ten_escalated(split: datetime) -> object:
    counts = {True: 4, False: 4}

    def outcome(at: datetime, _rng: random.Random) -> str:
        recent = at >= split
        counts[recent] -= 1
        return "escalated" if counts[recent] >= 0 else "auto_fixed"
    return outcome


def resolved_later(p: PlannedIncident) -> PlannedIncident:
    """An escalated incident whose alert cleared afterwards: its status says resolved, not escalated."""
    if p.outcome != "escalated" or p.resolve_sec is not None:
        return p
    return dataclasses.replace(p, resolve_sec=(p.escalate_sec or 0) + 1800)


def test_escalations_before_the_upgrade_still_count_and_agent_health_stays_quiet(store: Store,
                                                                                 now: datetime) -> None:
    split = now - timedelta(days=7)
    outcome = four_in_ten_escalated(split)
    before = [resolved_later(p) for p in plan_history(split, count=10, days=20, outcome=outcome)]  # type: ignore[arg-type]
    write_history(store, before)
    for p in before:
        if p.outcome == "escalated":  # the escalation job saw it escalated (its chain's start row)
            [incident] = store.incidents.of_fingerprint(f"{p.alert_type}:model_{p.n}")
            assert store.escalations.claim(subject=f"escalated:{incident.incident_id}", step="start",
                                           channel="slack", fingerprint=incident.fingerprint, replica="r1",
                                           now=p.at(p.escalate_sec))  # type: ignore[arg-type]
    migrate(store.engine, "0012", down=True)  # the store as the previous release left it
    migrate(store.engine)
    assert current_revision(store.engine) == head_revision()
    stored = {i.fingerprint: i for i in store.incidents.recent(limit=50)}
    for p in before:
        escalated_at = stored[f"{p.alert_type}:model_{p.n}"].escalated_at
        assert (escalated_at is not None) is (p.outcome == "escalated")
        if escalated_at is not None:
            assert escalated_at.replace(tzinfo=None) == p.at(p.escalate_sec).replace(tzinfo=None)  # type: ignore[union-attr]
    # after the upgrade, the same share of incidents is escalated
    write_history(store, plan_history(now, count=10, days=6, seed=17, outcome=outcome))  # type: ignore[arg-type]
    [_, escalation] = assess(store, now, AgentHealthRules())
    assert escalation.judged and escalation.before == 0.4 and escalation.after == 0.4
    assert not escalation.moved


@pytest.mark.parametrize("revision", ["0012", "0009"])
def test_a_sqlite_store_with_incidents_downgrades_and_upgrades_again(tmp_path, now: datetime,  # type: ignore[no-untyped-def]
                                                                     revision: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    store = Store(engine)
    write_history(store, plan_history(now, count=10, days=6))
    migrate(engine, revision, down=True)
    assert current_revision(engine) == revision
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incident_alerts)).scalar() == 12
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again afterwards
    engine.dispose()
