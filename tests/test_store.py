"""The state store on SQLite and PostgreSQL: migrations, alerts, silences, investigations,
approvals decided exactly once under concurrency, and the audit log."""

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.store import DecisionOutcome, Store, StoreUnavailable, open_store
from bot.store.engine import current_revision
from bot.store.tables import approval_decisions, approvals

DRIFT = dict(fingerprint="model_drift:classifier_v2", alert_type="model_drift", severity="critical",
             component="classifier_v2", message="classifier_v2 drift_score 0.45 > 0.3",
             metrics={"drift_score": 0.45})


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


def race(workers: int, work: Callable[[], object]) -> list[object]:
    """Run `work` on `workers` threads released together; each thread has its own store/connection."""
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work()
        except BaseException as error:  # surfaced below, so a crashed worker fails the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def race_on_replicas(store_url: str, workers: int, work: Callable[[Store, int], object]) -> list[object]:
    """`race`, each worker on a store of its own (its own engine and connections), as replicas are."""
    replicas = [open_store(store_url) for _ in range(workers)]
    handed = iter(enumerate(replicas))
    lock = threading.Lock()

    def one() -> object:
        with lock:
            i, replica = next(handed)
        return work(replica, i)

    try:
        return race(workers, one)
    finally:
        for replica in replicas:
            replica.close()


def test_migrations_are_versioned_and_idempotent(store_url: str) -> None:
    first = open_store(store_url)
    second = open_store(store_url)  # a second replica starting: nothing to do, nothing fails
    assert current_revision(second.engine) == "0017"
    assert first.ping() and second.ping()
    first.close()
    second.close()


def test_replicas_migrating_at_once_agree(store_url: str) -> None:
    stores = race(4, lambda: open_store(store_url))
    assert {current_revision(s.engine) for s in stores} == {"0017"}
    for s in stores:
        s.close()


def test_one_firing_alert_per_fingerprint(store: Store, now: datetime) -> None:
    opened = store.alerts.open(**DRIFT, now=now)
    assert opened is not None and opened.status == "firing"
    assert store.alerts.open(**DRIFT, now=now) is None
    assert [a.alert_id for a in store.alerts.list_firing()] == [opened.alert_id]
    resolved = store.alerts.resolve(DRIFT["fingerprint"], now + timedelta(hours=1))
    assert resolved is not None and resolved.status == "resolved"
    assert store.alerts.resolve(DRIFT["fingerprint"], now) is None
    reopened = store.alerts.open(**DRIFT, now=now + timedelta(hours=2))
    assert reopened is not None and reopened.alert_id != opened.alert_id


def test_concurrent_writers_cannot_open_the_same_fingerprint_twice(store: Store, store_url: str,
                                                                    now: datetime) -> None:
    results = race_on_replicas(store_url, 8, lambda replica, _: replica.alerts.open(**DRIFT, now=now))
    assert sum(r is not None for r in results) == 1
    assert len(store.alerts.list_firing()) == 1


def test_alert_post_and_notification_are_recorded(store: Store, now: datetime) -> None:
    alert = store.alerts.open(**DRIFT, now=now)
    store.alerts.record_post(alert.alert_id, "C0ALERTS", "1732190000.000100", now)
    assert store.alerts.firing(DRIFT["fingerprint"]).last_notified_at == now
    assert store.alerts.claim_repeat(alert.alert_id, now, now + timedelta(minutes=1))
    stored = store.alerts.firing(DRIFT["fingerprint"])
    assert (stored.slack_channel, stored.slack_ts) == ("C0ALERTS", "1732190000.000100")
    assert stored.last_notified_at == now + timedelta(minutes=1)
    assert stored.metrics == {"drift_score": 0.45}


def test_silences_cover_their_window_only(store: Store, now: datetime) -> None:
    store.silences.add(DRIFT["fingerprint"], "U012AB3CD", now, now + timedelta(hours=4), reason="retraining")
    assert store.silences.active(DRIFT["fingerprint"], now + timedelta(hours=1)).created_by == "U012AB3CD"
    assert store.silences.active(DRIFT["fingerprint"], now + timedelta(hours=4)) is None
    assert store.silences.active("latency:classifier_v2", now) is None


def test_one_running_investigation_per_alert(store: Store, now: datetime) -> None:
    first = store.investigations.start(trigger="drift", requested_by="U1", now=now, alert_id="a1")
    assert first is not None
    assert store.investigations.start(trigger="drift", requested_by="U2", now=now, alert_id="a1") is None
    store.investigations.finish(first.investigation_id, status="done", now=now, engine="offline",
                                diagnosis={"root_cause_category": "distribution_shift"},
                                input_tokens=1200, cached_input_tokens=900, output_tokens=300)
    done = store.investigations.get(first.investigation_id)
    assert (done.status, done.input_tokens, done.cached_input_tokens, done.output_tokens) == ("done", 1200, 900, 300)
    assert store.investigations.start(trigger="again", requested_by="U1", now=now, alert_id="a1") is not None
    # free-text investigations have no alert and never block each other
    assert store.investigations.start(trigger="x", requested_by="U1", now=now) is not None
    assert store.investigations.start(trigger="y", requested_by="U1", now=now) is not None
    assert len(store.investigations.recent()) == 4


def request(store: Store, now: datetime, timeout: timedelta = timedelta(seconds=300)):
    return store.approvals.request(action="rollback_model", target="classifier_v2", reason="F1 dropping",
                                   proposed_by="offline", requested_by="U0REQUEST", now=now, timeout=timeout)


def test_an_approval_is_decided_once(store: Store, now: datetime) -> None:
    pending = request(store, now)
    assert len(pending.request_id) >= 20  # unguessable: it travels in a button value
    first = store.approvals.decide(pending.request_id, "approved", "U0APPROVE", now + timedelta(seconds=5))
    assert first.outcome is DecisionOutcome.DECIDED
    assert (first.approval.status, first.approval.decided_by) == ("approved", "U0APPROVE")
    second = store.approvals.decide(pending.request_id, "denied", "U0OTHER", now + timedelta(seconds=6))
    assert second.outcome is DecisionOutcome.ALREADY_DECIDED and second.approval.decided_by == "U0APPROVE"
    assert store.approvals.pending() == []


def test_concurrent_decisions_commit_exactly_one(store: Store, store_url: str, now: datetime) -> None:
    pending = request(store, now)

    def click(replica: Store, i: int) -> object:
        return replica.approvals.decide(pending.request_id, "approved" if i % 2 else "denied", f"U0CLICK{i}", now)

    results = race_on_replicas(store_url, 10, click)
    assert sum(r.outcome is DecisionOutcome.DECIDED for r in results) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(approval_decisions)).scalar() == 1
        status = conn.execute(select(approvals.c.status)).scalar()
    winner = next(r for r in results if r.outcome is DecisionOutcome.DECIDED)
    assert status == winner.approval.status


def test_expiry_is_enforced_at_click_time(store: Store, now: datetime) -> None:
    pending = request(store, now, timeout=timedelta(seconds=300))
    late = store.approvals.decide(pending.request_id, "approved", "U0APPROVE", now + timedelta(seconds=300))
    assert late.outcome is DecisionOutcome.EXPIRED and late.approval.status == "expired"
    again = store.approvals.decide(pending.request_id, "approved", "U0APPROVE", now)
    assert again.outcome is DecisionOutcome.ALREADY_DECIDED


def test_expire_due_closes_only_overdue_requests(store: Store, now: datetime) -> None:
    old = request(store, now - timedelta(minutes=10))
    fresh = request(store, now)
    expired = store.approvals.expire_due(now)
    assert [a.request_id for a in expired] == [old.request_id]
    assert store.approvals.expire_due(now) == []
    assert [a.request_id for a in store.approvals.pending()] == [fresh.request_id]


def test_unknown_request_ids_decide_nothing(store: Store, now: datetime) -> None:
    assert store.approvals.decide("forged-id", "approved", "U0APPROVE", now).outcome is DecisionOutcome.UNKNOWN
    with pytest.raises(ValueError):
        store.approvals.decide(request(store, now).request_id, "maybe", "U0APPROVE", now)


def test_audit_log_keeps_every_entry(store: Store, now: datetime) -> None:
    store.audit.record(actor="U0APPROVE", action="approval.decide", subject="req-1", outcome="approved", now=now)
    store.audit.record(actor="U0NOBODY", action="approval.decide", subject="req-1", outcome="refused",
                       now=now, details={"reason": "not an approver"})
    entries = store.audit.entries(subject="req-1")
    assert [(e.actor, e.outcome) for e in entries] == [("U0NOBODY", "refused"), ("U0APPROVE", "approved")]
    assert entries[0].details == {"reason": "not an approver"} and entries[0].at == now


def test_unreachable_store_is_one_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="check DATABASE_URL") as raised:
        open_store("postgresql+psycopg://agentops:pw-not-shown@127.0.0.1:9/agentops")
    assert "pw-not-shown" not in str(raised.value)


def test_post_claims_are_exclusive_and_expire(store: Store, now: datetime) -> None:
    alert = store.alerts.open(**DRIFT, now=now)
    lease = timedelta(minutes=2)
    assert store.alerts.claim_post(alert.alert_id, "replica-a", now, lease)
    assert not store.alerts.claim_post(alert.alert_id, "replica-b", now + timedelta(minutes=1), lease)
    # replica-a died before posting: after the lease, replica-b may post
    assert store.alerts.claim_post(alert.alert_id, "replica-b", now + timedelta(minutes=3), lease)
    store.alerts.record_post(alert.alert_id, "C0ALERTS", "1.000100", now + timedelta(minutes=3))
    assert not store.alerts.claim_post(alert.alert_id, "replica-c", now + timedelta(hours=1), lease)


def test_repeat_and_severity_claims_are_compare_and_set(store: Store, now: datetime) -> None:
    alert = store.alerts.open(**DRIFT, now=now)
    store.alerts.record_post(alert.alert_id, "C0ALERTS", "1.000100", now)
    later = now + timedelta(hours=4)
    assert store.alerts.claim_repeat(alert.alert_id, now, later)
    assert not store.alerts.claim_repeat(alert.alert_id, now, later)  # another replica already did
    assert store.alerts.change_severity(alert.alert_id, "critical", "warning", "calmer", {"drift_score": 0.25})
    assert not store.alerts.change_severity(alert.alert_id, "critical", "warning", "calmer", {})
    assert [a.severity for a in store.alerts.sharing_post("C0ALERTS", "1.000100")] == ["warning"]


def test_an_abandoned_investigation_does_not_block_the_alert_forever(store: Store, now: datetime) -> None:
    died = store.investigations.start(trigger="drift", requested_by="U1", now=now, alert_id="a1")
    assert store.investigations.start(trigger="drift", requested_by="U2", now=now + timedelta(minutes=10),
                                      alert_id="a1") is None  # still plausibly running
    again = store.investigations.start(trigger="drift", requested_by="U2", now=now + timedelta(minutes=16),
                                       alert_id="a1")
    assert again is not None and store.investigations.get(died.investigation_id).status == "abandoned"


def test_an_approved_action_is_claimed_by_one_caller(store: Store, store_url: str, now: datetime) -> None:
    pending = request(store, now)
    assert not store.approvals.claim_action(pending.request_id, now)  # not approved yet: nothing to run
    store.approvals.decide(pending.request_id, "approved", "U0LEAD", now)
    claims = race_on_replicas(store_url, 8, lambda replica, _: replica.approvals.claim_action(pending.request_id, now))
    assert sum(bool(r) for r in claims) == 1
    store.approvals.finish_action(pending.request_id, "completed", "rolled back", now + timedelta(seconds=5))
    done = store.approvals.get(pending.request_id)
    assert (done.action_status, done.action_details) == ("completed", "rolled back")


def test_a_lapsed_action_is_taken_over_by_one_replica_and_its_old_holder_records_nothing(  # type: ignore[no-untyped-def]
        store: Store, store_url: str, now: datetime) -> None:
    lease = timedelta(seconds=10)
    pending = request(store, now)
    store.approvals.decide(pending.request_id, "approved", "U0LEAD", now)
    assert store.approvals.claim_action(pending.request_id, now, "replica-1", lease)
    later = now + timedelta(seconds=5)
    assert store.approvals.lapsed(later, timedelta(hours=1)) == []
    assert store.approvals.take_over(pending.request_id, later, "replica-2", lease) is None
    assert store.approvals.renew(pending.request_id, "replica-1", later, lease)  # the heartbeat: until now + 15 s
    assert store.approvals.lapsed(now + timedelta(seconds=12), timedelta(hours=1)) == []
    lapsed_at = now + timedelta(seconds=16)
    assert store.approvals.lapsed(lapsed_at, timedelta(hours=1)) == [pending.request_id]
    taken = race_on_replicas(store_url, 8, lambda replica, n: replica.approvals.take_over(
        pending.request_id, lapsed_at, f"taker-{n}", lease))
    [winner] = [t for t in taken if t is not None]
    assert winner.action_claimed_by.startswith("taker-")  # type: ignore[attr-defined]
    assert not store.approvals.renew(pending.request_id, "replica-1", lapsed_at, lease)
    assert store.approvals.record_progress(pending.request_id, winner.action_claimed_by, "C1", "2.0")  # type: ignore[attr-defined]
    assert not store.approvals.record_progress(pending.request_id, "replica-1", "C1", "1.0")  # overtaken
    assert store.approvals.get(pending.request_id).action_progress_ts == "2.0"  # type: ignore[union-attr]
    assert not store.approvals.finish_action(pending.request_id, "completed", "late", lapsed_at, "replica-1")
    assert store.approvals.finish_action(pending.request_id, "completed", "verified", lapsed_at,
                                         winner.action_claimed_by)  # type: ignore[attr-defined]
    assert store.approvals.lapsed(now + timedelta(hours=2), timedelta(hours=1)) == []


def test_an_action_claimed_before_leases_counts_as_lapsed_only_past_its_longest_run(store: Store,
                                                                                    now: datetime) -> None:
    pending = request(store, now)
    store.approvals.decide(pending.request_id, "approved", "U0LEAD", now)
    assert store.approvals.claim_action(pending.request_id, now)
    with store.engine.begin() as conn:  # as a bot from before leases left it
        conn.execute(approvals.update().values(action_claimed_by=None, action_lease_until=None, action_phase=None))
    assert store.approvals.lapsed(now + timedelta(minutes=30), timedelta(minutes=40)) == []
    assert store.approvals.lapsed(now + timedelta(minutes=41), timedelta(minutes=40)) == [pending.request_id]
    taken = store.approvals.take_over(pending.request_id, now + timedelta(minutes=41), "replica-2",
                                      timedelta(seconds=10))
    assert taken is not None and taken.action_phase is None  # what it sent is unknown: verified, never resent


def incident(store: Store, now: datetime, alert_ids: tuple[str, ...] = ("a1",)):  # type: ignore[no-untyped-def]
    return store.incidents.open(alert_ids=list(alert_ids), fingerprint="model_drift:classifier_v2",
                                alert_type="model_drift", severity="critical", component="classifier_v2",
                                breach_started_at=now - timedelta(minutes=20), now=now)


def test_the_alerts_posted_together_share_one_incident_opened_once(store_url: str, now: datetime) -> None:
    opened = race_on_replicas(store_url, 4, lambda replica, _: incident(replica, now, ("a1", "a2")).incident_id)
    assert len(set(opened)) == 1
    store = open_store(store_url)
    try:
        assert store.incidents.for_alert("a2").incident_id == opened[0]  # type: ignore[union-attr]
        assert store.incidents.alert_ids(opened[0]) == ["a1", "a2"]
        assert len(store.incidents.recent()) == 1 and store.incidents.for_alert("a3") is None
    finally:
        store.close()


def test_an_action_recorded_again_on_its_incident_replaces_its_entry(store: Store, now: datetime) -> None:
    opened = incident(store, now)
    store.incidents.add_action(opened.incident_id, "retrain_model", "skipped", "denied by U0LEAD", now, "req-1")
    for _ in range(2):  # verified and recorded again after the first recording half failed
        store.incidents.add_action(opened.incident_id, "rollback_model", "completed", "v2.3.1 serving", now, "req-2")
    store.incidents.add_action(opened.incident_id, "rollback_model", "completed", "v2.3.1 serving", now)  # unnamed
    actions = store.incidents.get(opened.incident_id).actions  # type: ignore[union-attr]
    assert [(a["action"], a["status"], a.get("request_id")) for a in actions] == [
        ("retrain_model", "skipped", "req-1"), ("rollback_model", "completed", "req-2"),
        ("rollback_model", "completed", None)]


def test_an_incident_opens_once_per_alert_and_moves_by_compare_and_set(store: Store, now: datetime) -> None:
    opened = incident(store, now)
    assert incident(store, now + timedelta(minutes=1)).incident_id == opened.incident_id
    assert opened.incident_id.startswith("INC-2026-1121-") and opened.status == "open"
    assert store.incidents.advance(opened.incident_id, "investigating", from_statuses=("open",))
    assert not store.incidents.advance(opened.incident_id, "investigating", from_statuses=("open",))
    store.incidents.mark_acted(opened.incident_id, now + timedelta(minutes=3))
    store.incidents.mark_acted(opened.incident_id, now + timedelta(minutes=9))  # the first action counts
    store.incidents.add_action(opened.incident_id, "rollback_model", "completed", "v2.4.0 → v2.3.1", now)
    assert store.incidents.advance(opened.incident_id, "resolved", resolved_at=now + timedelta(minutes=10))
    assert not store.incidents.advance(opened.incident_id, "resolved")  # resolved once
    done = store.incidents.get(opened.incident_id)
    assert (done.time_to_detect_sec, done.time_to_act_sec) == (1200.0, 180.0)
    assert [a["action"] for a in done.actions] == ["rollback_model"]
    assert [i.incident_id for i in store.incidents.resolved_unrecorded()] == [opened.incident_id]
    store.incidents.mark_recorded(opened.incident_id, now)
    assert store.incidents.resolved_unrecorded() == []
