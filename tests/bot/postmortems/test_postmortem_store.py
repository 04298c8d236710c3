"""Post-mortems in the state store, on SQLite and PostgreSQL: replicas racing to decide one decide it once;
a post-mortem published through one replica's store is in another replica's knowledge index at its next
search, with no restart; a discarded one never is; a store that cannot be read leaves the index as it was."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

from agents.knowledge import KnowledgeBase
from agents.similar import Like, ranked
from bot.postmortems.knowledge import StorePostmortems
from bot.store import Store, open_store
from bot.store.records import Incident

WRITTEN = """# Incident Report: {id}

## Summary
classifier_v2 drifted when feature V14 was rescaled upstream; rolled back, then retrained.

## Severity
P1 (critical)

## Timeline
- 12:00 — Alert: classifier_v2: drift_score 0.447 > 0.3 (critical)
- 12:40 — Alert resolved

## Root Cause
The vendor field behind V14 was rescaled, shifting V14's distribution (PSI 0.80) and the drift score with it.

## Resolution
Rolled back classifier_v2 to v2.3.1 and retrained it on data since the shift.

## Lessons Learned
- Range-check vendor fields: valid but rescaled data passes the schema checks.

## Affected Components
classifier_v2, feature V14
"""


def an_incident(store: Store, now: datetime, alert_type: str) -> Incident:
    fingerprint = f"{alert_type}:classifier_v2"
    alert = store.alerts.open(fingerprint=fingerprint, alert_type=alert_type, severity="critical",
                              component="classifier_v2", message="drift", metrics={}, now=now)
    assert alert is not None
    return store.incidents.open(alert_ids=[alert.alert_id], fingerprint=fingerprint, alert_type=alert_type,
                                severity="critical", component="classifier_v2", breach_started_at=now, now=now)


def drafted(store: Store, now: datetime, alert_type: str = "model_drift") -> tuple[str, str]:
    incident = an_incident(store, now, alert_type)
    name = f"inc_{now:%Y_%m%d}_model_drift_classifier_v2_{incident.incident_id[-4:].lower()}.md"
    assert store.postmortems.draft(incident.incident_id, name, WRITTEN.format(id=incident.incident_id), "template",
                                   now)
    assert not store.postmortems.draft(incident.incident_id, name, "again", "template", now)  # one per incident
    return incident.incident_id, name


def test_replicas_racing_to_decide_a_draft_decide_it_once(store_url: str, now: datetime) -> None:
    first = open_store(store_url)
    incident_id, _ = drafted(first, now)
    stores = [first] + [open_store(store_url) for _ in range(3)]
    barrier, won = threading.Barrier(len(stores)), []

    def click(store: Store, n: int) -> None:
        decision = "published" if n % 2 else "discarded"
        barrier.wait()
        won.append((f"U0REPLICA{n}", decision, store.postmortems.decide(incident_id, decision, f"U0REPLICA{n}", now)))

    threads = [threading.Thread(target=click, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        [(user, decision, _)] = [w for w in won if w[2]]
        stored = first.postmortems.get(incident_id)
        assert stored is not None and (stored.decided_by, stored.status) == (user, decision)
    finally:
        for s in stores:
            s.close()


def test_published_on_one_replica_it_is_in_the_others_index_at_its_next_search(store_url: str, now: datetime) -> None:
    one, other = open_store(store_url), open_store(store_url)
    try:
        knowledge = KnowledgeBase()
        knowledge.follow(StorePostmortems(other))  # the other replica's index, following its own connection
        like = Like(("model_drift", "accuracy_drop"), ("classifier_v2",), ("V14",), "V14 drift distribution shift")
        before = ranked(knowledge, like, limit=10)
        discarded, _ = drafted(one, now, "accuracy_drop")
        assert one.postmortems.decide(discarded, "discarded", "U0LEAD", now)
        assert ranked(knowledge, like, limit=10) == before and not any(s.startswith("postmortems/") for s in before)

        incident_id, name = drafted(one, now + timedelta(days=1))
        assert one.postmortems.decide(incident_id, "published", "U0LEAD", now + timedelta(days=1))
        assert f"postmortems/{name}" in ranked(knowledge, like)  # no restart, no call on this replica
        [passage] = [p for p in knowledge.search("vendor field rescaled V14 lesson", kind="incident")
                     if p.source == f"postmortems/{name}" and p.heading == "Lessons Learned"]
        assert passage.citation == f"postmortems/{name} › Lessons Learned"
    finally:
        one.close()
        other.close()


def test_while_the_store_cannot_be_read_the_index_keeps_what_it_had(tmp_path: Path, now: datetime) -> None:
    path = tmp_path / "state.db"
    store = open_store(f"sqlite:///{path}")
    incident_id, name = drafted(store, now)
    assert store.postmortems.decide(incident_id, "published", "U0LEAD", now)
    knowledge = KnowledgeBase()
    knowledge.follow(StorePostmortems(store))
    assert f"postmortems/{name}" in knowledge.incidents
    store.close()
    path.unlink()  # the next query finds a database without the table
    assert f"postmortems/{name}" in knowledge.incidents
    assert knowledge.search("vendor field rescaled V14", kind="incident")
