"""Ingest in the state store, on SQLite and PostgreSQL: a signature is accepted once whichever replica sees
it, one replica at a time posts a notification group, and each source resolves only its own alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import open_store

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
LEASE = timedelta(seconds=60)


def test_a_signature_is_accepted_once_across_replicas_and_forgotten_after_the_window(store_url: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    try:
        assert first.ingest_signatures.begin("ab" * 32, NOW, WINDOW, LEASE) == "first"
        first.ingest_signatures.done("ab" * 32, NOW, WINDOW)
        assert second.ingest_signatures.begin("ab" * 32, NOW + timedelta(seconds=1), WINDOW, LEASE) == "done"
        second.ingest_signatures.forget("ab" * 32)  # accepted but not processed: the sender's retry is let in
        assert first.ingest_signatures.begin("ab" * 32, NOW, WINDOW, LEASE) == "first"
        first.ingest_signatures.done("ab" * 32, NOW, WINDOW)
        # long past the window, a timestamp check refuses the request anyway: the memory need not hold it
        assert second.ingest_signatures.begin("cd" * 32, NOW + 3 * WINDOW, WINDOW, LEASE) == "first"
        assert first.ingest_signatures.begin("ab" * 32, NOW + 3 * WINDOW, WINDOW, LEASE) == "first"
    finally:
        first.close()
        second.close()


def test_a_resend_of_a_request_in_progress_waits_and_takes_over_one_whose_replica_died(store_url: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    try:
        assert first.ingest_signatures.begin("ef" * 32, NOW, WINDOW, LEASE) == "first"
        # the sender timed out and resent it while the first replica still works on it: asked to retry
        assert second.ingest_signatures.begin("ef" * 32, NOW + timedelta(seconds=10), WINDOW, LEASE) == "running"
        # the first replica died mid-request: once its lease lapses the resend is processed
        assert second.ingest_signatures.begin("ef" * 32, NOW + LEASE + timedelta(seconds=1), WINDOW, LEASE) == "first"
        assert first.ingest_signatures.begin("ef" * 32, NOW + LEASE + timedelta(seconds=2), WINDOW, LEASE) == "running"
        second.ingest_signatures.done("ef" * 32, NOW + LEASE + timedelta(seconds=3), WINDOW)
        assert first.ingest_signatures.begin("ef" * 32, NOW + LEASE + timedelta(seconds=4), WINDOW, LEASE) == "done"
    finally:
        first.close()
        second.close()


def test_each_source_resolves_only_its_own_alerts(store_url: str) -> None:
    store = open_store(store_url)
    try:
        common = dict(alert_type="latency", severity="warning", message="m", metrics={}, now=NOW)
        store.alerts.open(fingerprint="latency:a", component="a", **common)
        store.alerts.open(fingerprint="latency:b", component="b", source="ingest", group_key="g" * 40, **common)
        assert store.alerts.resolve("latency:a", NOW, "ingest") is None
        assert store.alerts.resolve("latency:b", NOW, "warehouse") is None
        assert [a.fingerprint for a in store.alerts.firing_of({"latency:a", "latency:b", "x"}, "ingest")] == [
            "latency:b"]
        assert store.alerts.resolve("latency:b", NOW, "ingest") is not None
        assert [a.fingerprint for a in store.alerts.list_firing()] == ["latency:a"]
    finally:
        store.close()


def test_one_replica_at_a_time_holds_a_groups_post_claim(store_url: str) -> None:
    first, second = open_store(store_url), open_store(store_url)
    lease = timedelta(minutes=2)
    try:
        assert first.ingest_groups.claim("g" * 40, "a", NOW, lease)
        assert not second.ingest_groups.claim("g" * 40, "b", NOW, lease)
        second.ingest_groups.release("g" * 40, "b")  # not b's to release: nothing changes
        assert not second.ingest_groups.claim("g" * 40, "b", NOW, lease)
        first.ingest_groups.release("g" * 40, "a")
        assert second.ingest_groups.claim("g" * 40, "b", NOW, lease)
        assert first.ingest_groups.claim("g" * 40, "a", NOW + lease + timedelta(seconds=1), lease)  # b died
    finally:
        first.close()
        second.close()
