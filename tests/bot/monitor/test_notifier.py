"""The monitor's notifications, told to the in-memory announcer: post once per component, repeat on
the interval, redraw on a severity change, resolve, and retry a post the medium refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import naive_utc
from bot.monitor.monitor import Monitor
from seed.loader import seed
from tests.helpers.domain import Domain, domain

DRIFT, F1 = "model_drift:classifier_v2", "accuracy_drop:classifier_v2"


def sweeps(d: Domain, *advances: timedelta) -> list[list]:
    monitor = Monitor(d.deps, replica="test")

    async def run() -> list[list]:
        fired = []
        for advance in advances:
            d.clock.advance(advance)
            fired.append(await monitor.tick())
        return fired

    return asyncio.run(run())


def test_a_breach_is_announced_once_for_its_component_and_opens_one_incident_for_the_post(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        sweeps(d, timedelta(0), timedelta(minutes=5), timedelta(minutes=5))
        [posted] = d.announcer.of("alert_posted")
        assert posted.about == "classifier_v2"
        assert {a.fingerprint for a in posted.details["alerts"]} == {DRIFT, F1}
        stored = {a.fingerprint: a for a in d.deps.store.alerts.list_firing()}
        assert {(a.slack_channel, a.slack_ts) for a in stored.values()} == {
            (posted.details["post"].channel, posted.details["post"].ts)}
        [incident] = d.deps.store.incidents.recent()  # drift and the F1 drop it brings: one cause
        assert [d.deps.store.incidents.for_alert(a.alert_id) for a in stored.values()] == [incident, incident]
        assert d.deps.metrics.alerts_posted.labels(alert_type="model_drift", severity="critical")._value.get() == 1


def test_a_still_firing_alert_is_repeated_on_the_interval_only(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        sweeps(d, timedelta(0), *[timedelta(minutes=5)] * 5)
        assert d.announcer.of("alert_still_firing") == []
        sweeps(d, timedelta(minutes=6), timedelta(minutes=1))  # 31 minutes; REPEAT_INTERVAL is 30m here
        assert sorted(s.about.fingerprint for s in d.announcer.of("alert_still_firing")) == [F1, DRIFT]


def test_recovery_resolves_each_alert_with_its_latest_values_and_redraws_the_post_once(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        sweeps(d, timedelta(0))
        seed(d.deps.warehouse, "healthy", naive_utc(d.clock.now()), reset=True)
        assert sweeps(d, timedelta(minutes=1)) == [[]]
        resolved = {s.about.fingerprint: s.details["latest"] for s in d.announcer.of("alert_resolved")}
        assert set(resolved) == {DRIFT, F1} and resolved[DRIFT]["drift_score"] < 0.2
        [redraw] = d.announcer.of("alert_changed")
        assert {a.status for a in redraw.details["alerts"]} == {"resolved"}
        assert d.deps.store.alerts.list_firing() == []
        assert {i.status for i in d.deps.store.incidents.recent()} == {"resolved"}


def test_a_post_the_medium_refused_is_retried_by_the_next_sweep_as_a_repeat_attempt(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        d.announcer.refuse_posts = 1
        sweeps(d, timedelta(0))
        assert [s.what for s in d.announcer.said] == ["alert_posted:failed"]
        assert all(a.slack_ts is None and a.post_claimed_at is None for a in d.deps.store.alerts.list_firing())
        sweeps(d, timedelta(seconds=1))  # released, not held for the lease: the next sweep tries again
        [posted] = d.announcer.of("alert_posted")
        assert {a.fingerprint for a in posted.details["alerts"]} == {DRIFT, F1}
        # the second attempt: the announcer looks for a post the first may have made before posting
        assert {a.post_attempts for a in posted.details["alerts"]} == {2}
        assert len(d.deps.store.incidents.recent()) == 1


def test_a_silenced_fingerprint_is_not_announced_until_the_silence_ends(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now) as d:
        for fingerprint in (DRIFT, F1):
            d.deps.store.silences.add(fingerprint, "U0ONCALL", now, now + timedelta(hours=1), "deploying a fix")
        sweeps(d, timedelta(0), timedelta(minutes=30))
        assert d.announcer.of("alert_posted") == []
        sweeps(d, timedelta(minutes=31))
        assert len(d.announcer.of("alert_posted")) == 1


def test_a_component_silent_past_the_lookback_stays_stale_instead_of_resolving(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, sweep_lookback="24h") as d:
        sweeps(d, timedelta(hours=4))  # no measurement for 4 h: past STALE_AFTER (3 h)
        stale = "data_quality:classifier_v2"
        assert stale in {a.fingerprint for a in d.deps.store.alerts.list_firing()}
        sweeps(d, timedelta(hours=21))  # 25 h: nothing of it is in the sweep's window any more
        assert stale in {a.fingerprint for a in d.deps.store.alerts.list_firing()}
        assert stale not in {s.about.fingerprint for s in d.announcer.of("alert_resolved")}
        assert stale in {s.about.fingerprint for s in d.announcer.of("alert_still_firing")}  # and still repeats


def test_measurements_older_than_the_lookback_are_not_read(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with domain(tmp_path, now, scenario="healthy", sweep_lookback="6h") as d:
        # a model retired a year ago: its last measurements breached, and it has been silent since
        for hours, f1 in ((24 * 365, 0.5), (24 * 365 - 1, 0.5)):
            d.deps.warehouse.execute(
                "INSERT INTO MODEL_METRICS (timestamp, model_name, model_version, f1_score, drift_score, "
                "latency_p95_ms, latency_p99_ms, anomaly_rate) VALUES (%(t)s, 'old_model', 'v1', %(f1)s, 0.1, "
                "100, 200, 0.01)", {"t": naive_utc(now - timedelta(hours=hours)), "f1": f1})
        assert sweeps(d, timedelta(0)) == [[]]  # read, it would be "no fresh metrics" at least
