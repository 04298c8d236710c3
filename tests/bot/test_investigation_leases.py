"""Investigations as durable claims, two replicas on one state store with injected clocks: the holder
renews its lease, a lapsed claim is taken over by exactly one replica and restarted or (after its
attempts) closed with a note, a stalled holder never posts a second diagnosis, and a click honours
the lease."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path

from bot.clock import aware_utc
from bot.investigation_leases import MAX_ATTEMPTS, drain_renewing, hand_over, keep_investigations
from bot.investigations import ALREADY_RUNNING, claim, resolve_subject, run_claimed, start_investigation
from bot.monitor.monitor import Monitor
from bot.notify import PostRef, post_of
from bot.store.records import Investigation, StoredAlert
from bot.store.tables import investigations
from tests.helpers.domain import Domain, domain, replica

DRIFT = "model_drift:classifier_v2"
LEASE = timedelta(seconds=6)


@contextmanager
def replicas(tmp_path: Path, now, store_url: str, count: int = 2, **settings: object) -> Iterator[list[Domain]]:  # type: ignore[no-untyped-def]
    """`count` replicas sharing one state store (and each its copy of the drift warehouse)."""
    with domain(tmp_path, now, database_url=store_url, investigation_lease_sec=LEASE.total_seconds(),
                **settings) as first, ExitStack() as stack:
        yield [first, *(stack.enter_context(replica(first)) for _ in range(count - 1))]


def advance(ds: list[Domain], by: timedelta) -> None:
    for d in ds:
        d.clock.advance(by)


async def posted_alert(d: Domain) -> tuple[StoredAlert, PostRef]:
    await Monitor(d.deps, "sweeper").tick()
    alert = d.deps.store.alerts.firing(DRIFT)
    thread = post_of(alert) if alert else None
    assert alert is not None and thread is not None
    return alert, thread


async def claimed_then_killed(d: Domain, alert: StoredAlert, thread: PostRef) -> Investigation:
    """What a replica killed right after claiming leaves: a running claim nobody renews."""
    lead = d.deps.store.incidents.alert_ids(d.deps.store.incidents.for_alert(alert.alert_id).incident_id)[0]
    record = await claim(d.deps, component="classifier_v2", text=DRIFT, requested_by="U0ONCALL", thread=thread,
                         alert_id=lead)
    assert record is not None and record.lease_owner == d.deps.investigation_leases.owner
    d.deps.investigation_leases.release(record.investigation_id)  # the process is gone: nothing renews it
    return record


def test_a_live_replica_keeps_its_claim_and_a_dead_ones_is_restarted_by_exactly_one_other(
        tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url, count=3) as (a, b, c):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            dead = await claimed_then_killed(a, alert, thread)
            live = await claim(b.deps, component="lstm_v1", text="lstm_v1", requested_by="U0ONCALL",
                               thread=PostRef("C0MEMORY", "9.000100"), alert_id=None)
            assert live is not None
            advance([a, b, c], LEASE / 3)
            assert await keep_investigations(b.deps) == []  # b renews its own; nothing has lapsed yet
            advance([a, b, c], LEASE - LEASE / 3 + timedelta(seconds=1))  # a's lease is over, b's renewed one not
            taken = await asyncio.gather(keep_investigations(b.deps), keep_investigations(c.deps))
            assert sorted(len(t) for t in taken) == [0, 1]
            [resumed] = next(t for t in taken if t)
            assert (resumed.investigation_id, resumed.attempts) == (dead.investigation_id, 2)
            winner = b if taken[0] else c
            await winner.settle()
            assert winner.deps.store.investigations.get(dead.investigation_id).status == "done"
            assert b.deps.store.investigations.get(live.investigation_id).status == "running"  # still b's
            [diagnosis] = [s for d in (a, b, c) for s in d.announcer.of("diagnosis_ready")]
            assert diagnosis.about == "classifier_v2"
            assert winner.deps.metrics.investigation_takeovers.labels(outcome="restarted")._value.get() == 1

        asyncio.run(story())


def test_a_claim_that_stopped_every_attempt_is_closed_with_a_note_and_can_be_investigated_again(
        tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            dead = await claimed_then_killed(a, alert, thread)
            for attempt in range(2, MAX_ATTEMPTS + 1):  # each restart died too (taken over, then killed)
                advance([a, b], LEASE + timedelta(seconds=1))
                assert a.deps.store.investigations.take_over(dead.investigation_id, f"killed-{attempt}",
                                                             a.clock.now(), LEASE) is not None
            advance([a, b], LEASE + timedelta(seconds=1))
            assert [t.investigation_id for t in await keep_investigations(b.deps)] == [dead.investigation_id]
            await b.settle()  # its note is posted in the background, not inside the heartbeat
            assert b.deps.store.investigations.get(dead.investigation_id).status == "abandoned"
            [note] = b.announcer.of("investigation_abandoned")
            assert (note.about, note.details["thread"], note.details["starts"]) == ("classifier_v2", thread,
                                                                                   MAX_ATTEMPTS)
            assert b.announcer.of("investigation_started") == []  # not run a third time
            [incident] = b.deps.store.incidents.recent()
            assert incident.status == "escalated"  # not left "investigating" by nobody
            subject = await resolve_subject(b.deps, DRIFT)
            assert not isinstance(subject, str)
            assert await start_investigation(b.deps, subject=subject, requested_by="U0ONCALL", thread=thread,
                                             alert_id=alert.alert_id) is None
            await b.settle()
            assert len(b.announcer.of("diagnosis_ready")) == 1

        asyncio.run(story())


def test_a_run_left_from_before_leases_is_closed_without_escalating_its_incident(
        tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            old = await claimed_then_killed(a, alert, thread)
            with a.deps.store.engine.begin() as conn:  # as a bot from before leases left it, days ago
                conn.execute(investigations.update().where(investigations.c.investigation_id == old.investigation_id)
                             .values(lease_owner=None, lease_until=None, component=None))
            [incident] = b.deps.store.incidents.recent()
            assert incident.status == "investigating"
            assert [t.investigation_id for t in await keep_investigations(b.deps)] == [old.investigation_id]
            await b.settle()  # its note is posted in the background, not inside the heartbeat
            assert b.deps.store.investigations.get(old.investigation_id).status == "abandoned"
            assert len(b.announcer.of("investigation_abandoned")) == 1  # its thread is told
            # nobody left it unanswered: its incident is not escalated (which would page people for the past)
            assert b.deps.store.incidents.get(incident.incident_id).status == "investigating"

        asyncio.run(story())


def test_a_replica_that_stalled_past_its_lease_leaves_the_diagnosis_to_the_one_that_took_over(
        tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            stalled = await claimed_then_killed(a, alert, thread)
            advance([a, b], LEASE + timedelta(seconds=1))
            [taken] = await keep_investigations(b.deps)
            await b.settle()
            await run_claimed(a.deps, stalled)  # a wakes up and finishes its (no longer its) investigation
            assert a.announcer.of("diagnosis_ready") == [] and len(b.announcer.of("diagnosis_ready")) == 1
            final = a.deps.store.investigations.get(taken.investigation_id)
            assert final is not None and final.lease_owner == b.deps.investigation_leases.owner

        asyncio.run(story())


def test_an_investigate_click_honours_the_lease(tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            dead = await claimed_then_killed(a, alert, thread)
            subject = await resolve_subject(b.deps, DRIFT)
            assert not isinstance(subject, str)

            async def click() -> str | None:
                return await start_investigation(b.deps, subject=subject, requested_by="U0OTHER", thread=thread,
                                                 alert_id=alert.alert_id)

            advance([a, b], LEASE - timedelta(seconds=1))
            assert await click() == ALREADY_RUNNING  # its holder may be alive: the lease still runs
            advance([a, b], timedelta(seconds=2))
            assert await click() is None  # lapsed: closed, and the click's investigation runs
            await b.settle()
            assert b.deps.store.investigations.get(dead.investigation_id).status == "abandoned"
            assert len(b.announcer.of("diagnosis_ready")) == 1

        asyncio.run(story())


def test_renewal_and_takeover_are_compare_and_set_across_replicas(tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, _b):
        store = a.deps.store.investigations
        held = store.start(trigger="drift", requested_by="U1", now=now, alert_id="a1", owner="one", lease=LEASE,
                           thread=("C0MEMORY", "1.000100"), component="classifier_v2")
        assert held is not None
        assert store.renew({held.investigation_id}, "two", now + 2 * LEASE) == set()  # not its claim
        assert store.take_over(held.investigation_id, "two", now + LEASE / 2, LEASE) is None  # not lapsed
        assert store.renew({held.investigation_id}, "one", now + 2 * LEASE) == {held.investigation_id}
        assert store.take_over(held.investigation_id, "two", now + LEASE + timedelta(seconds=1), LEASE) is None
        later = now + 2 * LEASE + timedelta(seconds=1)
        winners = [store.take_over(held.investigation_id, who, later, LEASE) for who in ("two", "three")]
        assert [w.lease_owner if w else None for w in winners] == ["two", None]
        assert not store.finish(held.investigation_id, status="done", now=later, engine="offline", diagnosis=None,
                                owner="one")  # the stalled first holder's outcome does not count
        assert store.finish(held.investigation_id, status="done", now=later, engine="offline", diagnosis=None,
                            owner="two")
        assert store.lapsed(later + 2 * LEASE) == []


def test_a_replica_stopping_hands_its_unfinished_claims_over_at_once(tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            lead = a.deps.store.incidents.for_alert(alert.alert_id).alert_id
            record = await claim(a.deps, component="classifier_v2", text=DRIFT, requested_by="U0ONCALL",
                                 thread=thread, alert_id=lead)
            assert record is not None
            assert await keep_investigations(b.deps) == []  # a holds it
            assert await hand_over(a.deps) == 1 and a.deps.investigation_leases.held == set()
            [taken] = await keep_investigations(b.deps)  # no lease to wait out
            assert taken.investigation_id == record.investigation_id
            await b.settle()
            assert len(b.announcer.of("diagnosis_ready")) == 1

        asyncio.run(story())


def test_claims_are_renewed_while_the_shutdown_drain_waits_for_their_investigations(
        tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url, count=1) as (a,):
        async def story() -> None:
            record = await claim(a.deps, component="lstm_v1", text="lstm_v1", requested_by="U0ONCALL",
                                 thread=PostRef("C0MEMORY", "9.000100"), alert_id=None)
            assert record is not None
            finishing = asyncio.Event()
            a.deps.investigations.spawn(finishing.wait())  # an investigation still running at shutdown
            advance([a], LEASE + timedelta(seconds=1))  # a drain this long would have let its lease lapse
            draining = asyncio.create_task(drain_renewing(a.deps, 30))

            def lease_until():  # type: ignore[no-untyped-def]
                return aware_utc(a.deps.store.investigations.get(record.investigation_id).lease_until)

            for _ in range(100):
                if lease_until() > a.clock.now():
                    break
                await asyncio.sleep(0.05)
            assert lease_until() == a.clock.now() + LEASE and a.deps.store.investigations.lapsed(a.clock.now()) == []
            finishing.set()
            assert await draining == 0

        asyncio.run(story())


def test_a_slow_abandon_note_does_not_hold_up_the_heartbeat(tmp_path: Path, now, store_url: str) -> None:  # type: ignore[no-untyped-def]
    with replicas(tmp_path, now, store_url) as (a, b):
        async def story() -> None:
            alert, thread = await posted_alert(a)
            dead = await claimed_then_killed(a, alert, thread)
            advance([a, b], LEASE + timedelta(seconds=1))
            a.deps.store.investigations.take_over(dead.investigation_id, "killed", a.clock.now(), LEASE)
            advance([a, b], LEASE + timedelta(seconds=1))
            slack_answers = asyncio.Event()
            noted = b.announcer.investigation_abandoned

            async def slow_note(*args):  # type: ignore[no-untyped-def]
                await slack_answers.wait()
                await noted(*args)

            b.announcer.investigation_abandoned = slow_note  # type: ignore[method-assign]
            assert len(await asyncio.wait_for(keep_investigations(b.deps), 5)) == 1
            assert b.announcer.of("investigation_abandoned") == []
            slack_answers.set()
            await b.settle()
            assert len(b.announcer.of("investigation_abandoned")) == 1

        asyncio.run(story())
