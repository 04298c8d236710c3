"""Escalation claims and acknowledgements under concurrency, on SQLite and PostgreSQL: of replicas racing
for one step exactly one pages; of people racing to acknowledge one post exactly one is first."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import aware_utc
from bot.store import Store, open_store
from tests.test_store import DRIFT, race_on_replicas

NOW = datetime(2026, 11, 21, 12, 0)


def posted_pair(store: Store) -> list[str]:
    first = store.alerts.open(**DRIFT, now=NOW)
    second = store.alerts.open(**(DRIFT | {"fingerprint": "accuracy_drop:classifier_v2"}), now=NOW)
    assert first and second
    return [first.alert_id, second.alert_id]


def test_one_replica_of_eight_claims_each_step(store_url: str) -> None:
    won = race_on_replicas(store_url, 8, lambda store, i: store.escalations.claim(
        subject="post:INC-1", step="1", channel="email", fingerprint="model_drift:classifier_v2",
        replica=f"r{i}", now=NOW) and f"r{i}")
    [winner] = [w for w in won if w]
    store = open_store(store_url)
    try:
        [row] = store.escalations.steps("post:INC-1")
        assert row.outcome == "claimed" and row.claimed_by == winner
        store.escalations.finish("post:INC-1", "1", "sent", "sent to 1 recipient(s)")
        assert [(s.step, s.outcome) for s in store.escalations.steps("post:INC-1")] == [("1", "sent")]
    finally:
        store.close()


def test_one_person_of_eight_acknowledges_first_and_the_whole_post_is_theirs(store_url: str) -> None:
    setup = open_store(store_url)
    ids = posted_pair(setup)
    won = race_on_replicas(store_url, 8, lambda store, i: store.escalations.acknowledge(
        ids, f"U0PERSON{i}", NOW) and f"U0PERSON{i}")
    [first] = [w for w in won if w]
    assert {(a.acked_by, a.acked_at) for a in setup.alerts.list_firing()} == {(first, aware_utc(NOW))}
    # an escalation that began after the acknowledgement can be acknowledged again, once
    later = NOW + timedelta(minutes=40)
    assert setup.escalations.acknowledge(ids, "U0LATER", later, since=NOW + timedelta(minutes=30))
    assert not setup.escalations.acknowledge(ids, "U0LATEST", later, since=NOW + timedelta(minutes=30))
    setup.close()


def test_a_pagerduty_page_is_followed_until_its_resolve_is_sent_or_its_attempts_run_out(store_url: str) -> None:
    store = open_store(store_url)

    def attempt(subject: str, step: str, outcome: str) -> None:
        store.escalations.claim(subject=subject, step=step, channel="pagerduty", fingerprint="f", replica="r",
                                now=NOW)
        store.escalations.finish(subject, step, outcome)

    def followed() -> list[str]:
        return [s.subject for s in store.escalations.paged("pagerduty", 3)]

    try:
        for subject in ("post:INC-1", "post:INC-2"):
            attempt(subject, "2", "sent")
            attempt(subject, "3", "failed")
        assert followed() == ["post:INC-1", "post:INC-2"]
        attempt("post:INC-1", "pagerduty:resolve", "failed")  # a 5xx: not resolved in PagerDuty yet
        attempt("post:INC-1", "pagerduty:resolve#2", "claimed")  # in flight
        assert followed() == ["post:INC-1", "post:INC-2"]
        attempt("post:INC-2", "pagerduty:resolve#2", "sent")
        assert followed() == ["post:INC-1"]
        attempt("post:INC-1", "pagerduty:resolve#3", "failed")  # the last attempt: given up
        assert followed() == []
    finally:
        store.close()

