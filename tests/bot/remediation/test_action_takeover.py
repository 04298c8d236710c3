"""Approved actions a replica that died left, resumed by another on an injected clock: started once when
never claimed, verified from the ML service's own state when their write was sent, closed with a note when
that state shows nothing to verify — and the lease a live replica renews keeps its action its own."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.ml_service import MLService
from bot.notify import PostRef
from bot.remediation import incidents
from bot.remediation.execute import MAX_TAKEOVERS
from bot.remediation.lease import replica_of
from bot.remediation.takeover import resume_due
from bot.store.records import Approval
from seed.ml_service import DemoMLService
from tests.helpers.announcer import CHANNEL
from tests.helpers.domain import Domain
from tests.helpers.remediation import LEAD, audit, click_on, play, remediation

LEASE = timedelta(seconds=2)
DEAD = "stopped-replica"
SHOWN = PostRef(CHANNEL, "99.000100")  # the progress message the stopped replica was editing


def settings() -> dict[str, object]:
    return {"action_lease_sec": LEASE.total_seconds()}


async def sent_by_a_stopped_replica(d: Domain, approval: Approval, *, expected: str | None = None) -> Approval:
    """What a replica leaves when it dies after recording its write and before verifying it."""
    store, now = d.deps.store.approvals, d.clock.now()
    store.decide(approval.request_id, "approved", LEAD, now)
    assert store.claim_action(approval.request_id, now, DEAD, LEASE)
    await incidents.action_started(d.deps, approval, now)
    assert store.record_progress(approval.request_id, DEAD, SHOWN.channel, SHOWN.ts)
    assert store.about_to_send(approval.request_id, DEAD, expected=expected)
    return store.get(approval.request_id)  # type: ignore[return-value]


async def lease_lapses(d: Domain) -> None:
    d.clock.advance(LEASE + timedelta(seconds=1))
    await resume_due(d.deps)
    await d.settle()


async def rolled_back_as_the_store_fails(d: Domain, service: DemoMLService, rollback: Approval,
                                         *tables: str) -> None:
    """The rollback approved and sent; then every write to `tables` fails in PostgreSQL until `store_back`."""
    service.hang("/health", 1.0)  # holds the verification, so the fault lands before the outcome is stored
    await click_on(d, rollback.request_id, LEAD, "approved")
    while not service.calls("POST", "/model/rollback"):
        await asyncio.sleep(0.02)
    with d.deps.store.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT store_fault CHECK (id < 0) NOT VALID"))
    await d.settle()


def store_back(d: Domain, *tables: str) -> None:
    with d.deps.store.engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT store_fault"))


def incident_of(d: Domain, approval: Approval):  # type: ignore[no-untyped-def]
    return d.deps.store.incidents.for_alert(approval.alert_id or "")


def test_an_approval_never_claimed_is_started_once_by_the_takeover(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = requests["rollback_model"]
            # the replica that stored the decision died before claiming the action
            d.deps.store.approvals.decide(rollback.request_id, "approved", LEAD, d.clock.now())
            assert await resume_due(d.deps) == 0  # a live replica claims at once: not due yet
            d.clock.advance(LEASE + timedelta(seconds=1))
            await asyncio.gather(resume_due(d.deps), resume_due(d.deps))  # two passes race for it
            await d.settle()
            assert len(service.calls("POST", "/model/rollback")) == 1
            [closed] = d.announcer.of("approval_closed")  # the buttons come off the request
            assert closed.about.request_id == rollback.request_id
            [finished] = d.announcer.of("action_finished")
            assert finished.details["status"] == "completed"
            stored = d.deps.store.approvals.get(rollback.request_id)
            assert stored is not None and (stored.action_status, stored.action_phase) == ("completed", "requested")
            assert incident_of(d, rollback).status == "remediating"  # verified; resolved when the alert clears
            assert audit(d, rollback.request_id)[-2:] == [("agentops", "action.rollback_model", "started"),
                                                          ("agentops", "action.rollback_model", "completed")]

        play(d, story)


def test_a_sent_rollback_is_verified_not_repeated_and_its_progress_message_finished(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = await sent_by_a_stopped_replica(d, requests["rollback_model"], expected="v2.3.1")
            MLService(service.url, 5).rollback("classifier")  # its write reached the service
            await resume_due(d.deps)
            assert d.announcer.of("action_resumed") == []  # its lease still holds
            await lease_lapses(d)
            assert len(service.calls("POST", "/model/rollback")) == 1
            [resumed] = d.announcer.of("action_resumed")
            [finished] = d.announcer.of("action_finished")
            assert resumed.details["post"] == finished.details["post"] == SHOWN
            assert finished.details["steps"][0] == ("taken over after the replica running it stopped; verifying it "
                                                    "on the ML service")
            assert (finished.details["status"], finished.details["details"]) == (
                "completed", "classifier_v2 rolled back: v2.3.1 serving (green slot); health ok, ready")
            assert d.deps.store.approvals.get(rollback.request_id).action_status == "completed"  # type: ignore[union-attr]
            assert [a["status"] for a in incident_of(d, rollback).actions] == ["completed"]
            assert audit(d, rollback.request_id)[-2:] == [("agentops", "action.rollback_model", "taken_over"),
                                                          ("agentops", "action.rollback_model", "completed")]

        play(d, story)


def test_a_rollback_the_service_never_got_is_closed_with_a_note_not_sent(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = await sent_by_a_stopped_replica(d, requests["rollback_model"], expected="v2.3.1")
            await lease_lapses(d)  # it died between recording the write and sending it
            assert service.calls("POST", "/model/rollback") == []
            [finished] = d.announcer.of("action_finished")
            assert (finished.details["status"], finished.details["details"]) == (
                "failed", "the service answered, but v2.4.0 is serving, not v2.3.1")
            assert incident_of(d, rollback).status == "escalated"  # people take over

        play(d, story)


def test_a_retrain_a_stopped_replica_triggered_is_verified_by_its_run_id(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            retrain = await sent_by_a_stopped_replica(d, requests["retrain_model"])
            job = MLService(service.url, 5).trigger_training("classifier", "2026-11-21")["job_id"]
            assert d.deps.store.approvals.started_run(retrain.request_id, DEAD, job)
            await lease_lapses(d)
            assert len(service.calls("POST", "/training/trigger")) == 1
            [finished] = d.announcer.of("action_finished")
            assert finished.details["status"] == "completed", finished.details
            assert finished.details["details"].startswith(f"classifier_v2 retrained ({job}): v2.5.0 F1 0.915")

        play(d, story)


def test_a_retrain_sent_without_a_recorded_run_is_closed_with_a_note(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            retrain = await sent_by_a_stopped_replica(d, requests["retrain_model"])
            await lease_lapses(d)
            assert service.calls("POST", "/training/trigger") == []  # never sent twice on a guess
            [finished] = d.announcer.of("action_finished")
            assert finished.details["status"] == "failed"
            assert finished.details["details"].startswith("the bot running it stopped after sending it")
            assert d.deps.store.approvals.get(retrain.request_id).action_status == "failed"  # type: ignore[union-attr]

        play(d, story)


def test_the_heartbeat_keeps_a_running_action_its_replicas_own(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        service.training_sec = 3.0

        async def story(requests: dict[str, Approval]) -> None:
            rid = requests["retrain_model"].request_id
            store = d.deps.store.approvals
            await click_on(d, rid, LEAD, "approved")
            while store.get(rid).action_run_id is None:  # type: ignore[union-attr]
                await asyncio.sleep(0.05)
            d.clock.advance(LEASE + timedelta(seconds=1))  # past the lease it took, but its replica is alive
            lease = store.get(rid).action_lease_until  # type: ignore[union-attr]
            while store.get(rid).action_lease_until == lease:  # type: ignore[union-attr]
                await asyncio.sleep(0.05)  # the next heartbeat (every third of the lease)
            assert store.lapsed(d.clock.now(), timedelta(hours=1)) == []
            assert store.take_over(rid, d.clock.now(), "another-replica", LEASE) is None
            await d.settle()
            [finished] = d.announcer.of("action_finished")
            assert finished.details["status"] == "completed" and d.announcer.of("action_resumed") == []
            assert len(service.calls("POST", "/training/trigger")) == 1

        play(d, story)


@pytest.mark.postgres
def test_a_store_error_while_recording_the_outcome_still_finishes_the_thread_and_records_it_once(  # type: ignore[no-untyped-def]
        tmp_path: Path, now, postgres_url: str) -> None:
    with remediation(tmp_path, now, database_url=postgres_url, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = requests["rollback_model"]
            await rolled_back_as_the_store_fails(d, service, rollback, "incidents")
            [shown] = d.announcer.of("action_finished")  # the thread has the outcome all the same
            assert shown.details["status"] == "completed"
            assert d.deps.store.approvals.get(rollback.request_id).action_status == "running"  # type: ignore[union-attr]
            store_back(d, "incidents")
            await lease_lapses(d)
            assert len(service.calls("POST", "/model/rollback")) == 1
            *_, again = d.announcer.of("action_finished")
            assert again.details["status"] == "completed" and again.details["post"] == shown.details["post"]
            assert d.deps.store.approvals.get(rollback.request_id).action_status == "completed"  # type: ignore[union-attr]
            assert [a["status"] for a in incident_of(d, rollback).actions] == ["completed"]
            assert [o for *_, o in audit(d, rollback.request_id)].count("completed") == 1

        play(d, story)


@pytest.mark.postgres
def test_a_single_replica_takes_over_its_own_action_whose_close_and_release_both_failed(  # type: ignore[no-untyped-def]
        tmp_path: Path, now, postgres_url: str) -> None:
    with remediation(tmp_path, now, database_url=postgres_url, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = requests["rollback_model"]
            await rolled_back_as_the_store_fails(d, service, rollback, "incidents", "approvals")
            stored = d.deps.store.approvals.get(rollback.request_id)
            assert stored is not None and stored.action_status == "running"
            assert stored.action_claimed_by == replica_of(d.deps)  # not even let go: still under this replica
            store_back(d, "incidents", "approvals")
            await lease_lapses(d)  # the only replica there is takes its own dead run over
            assert len(service.calls("POST", "/model/rollback")) == 1
            assert d.deps.store.approvals.get(rollback.request_id).action_status == "completed"  # type: ignore[union-attr]
            assert [a["status"] for a in incident_of(d, rollback).actions] == ["completed"]
            assert [o for *_, o in audit(d, rollback.request_id)][-2:] == ["taken_over", "completed"]

        play(d, story)


def test_an_approval_never_started_for_long_is_closed_as_failed_not_run(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with remediation(tmp_path, now, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = requests["rollback_model"]
            # approved by a bot from before claims (or before an hours-long outage of the store), never started
            d.deps.store.approvals.decide(rollback.request_id, "approved", LEAD, d.clock.now())
            d.clock.advance(timedelta(hours=3))
            await asyncio.gather(resume_due(d.deps), resume_due(d.deps))
            await d.settle()
            assert service.calls("POST", "/model/rollback") == []
            [closed] = d.announcer.of("approval_closed")
            [abandoned] = d.announcer.of("action_abandoned")  # the thread says so, through the port
            assert closed.about.request_id == abandoned.about.request_id == rollback.request_id
            stored = d.deps.store.approvals.get(rollback.request_id)
            assert stored is not None and stored.action_status == "failed"
            assert stored.action_details == abandoned.about.action_details == (
                f"approved at {now:%Y-%m-%d %H:%M} UTC by {LEAD} but never started; nothing was sent to the ML "
                "service. If it is still wanted, investigate again and approve the new request.")
            assert d.announcer.of("action_started") == [] and d.announcer.of("action_finished") == []
            assert [a["status"] for a in incident_of(d, rollback).actions] == ["failed"]
            assert incident_of(d, rollback).status == "escalated"  # people take over
            assert audit(d, rollback.request_id)[-1] == ("agentops", "action.rollback_model", "failed")
            await lease_lapses(d)  # closed for good: no pass runs it later
            assert service.calls("POST", "/model/rollback") == [] and len(d.announcer.of("action_abandoned")) == 1

        play(d, story)


@pytest.mark.postgres
def test_an_outcome_its_incident_never_records_is_taken_over_a_bounded_number_of_times_then_closed(  # type: ignore[no-untyped-def]
        tmp_path: Path, now, postgres_url: str) -> None:
    with remediation(tmp_path, now, database_url=postgres_url, **settings()) as (d, service):
        async def story(requests: dict[str, Approval]) -> None:
            rollback = requests["rollback_model"]
            await rolled_back_as_the_store_fails(d, service, rollback, "incidents")  # and it never comes back
            for _ in range(MAX_TAKEOVERS + 2):
                await lease_lapses(d)
            outcomes = [o for *_, o in audit(d, rollback.request_id)]
            assert outcomes.count("taken_over") == MAX_TAKEOVERS and outcomes[-1] == "completed"
            assert outcomes.count("completed") == 1
            assert d.deps.store.approvals.get(rollback.request_id).action_status == "completed"  # type: ignore[union-attr]
            assert len(d.announcer.of("action_finished")) == MAX_TAKEOVERS + 1  # each run's last word, no more
            assert len(service.calls("POST", "/model/rollback")) == 1

        play(d, story)
