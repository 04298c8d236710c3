"""The audit log's hash chain on SQLite and PostgreSQL: an untouched log verifies; an entry edited, deleted or
moved in SQL is named; the database refuses UPDATE and DELETE; replicas appending at once make one chain; the
migration hashes the entries written before it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, exc, text

from bot.store import Store, open_store
from bot.store.audit_chain import GENESIS
from bot.store.engine import MIGRATIONS
from tests.helpers.audit import ACTIONS, documented_hash, record_entries, tamper


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


def at(now: datetime, entry: int) -> datetime:
    return now + timedelta(minutes=entry - 1)


def test_an_untouched_log_verifies_and_links_each_entry_to_the_one_before(store: Store, now: datetime) -> None:
    record_entries(store, now)
    # what a hostile click can carry: NUL, quotes, a tuple (JSON gives back a list), a non-string key
    store.audit.record(actor="U0\x00EVIL", action="approval.decide", subject='"; DROP TABLE audit_log; --',
                       outcome="refused", now=now + timedelta(hours=1, microseconds=123456),
                       details={"ids": ("a", "b"), 7: "seven", "ratio": 0.1})
    report = store.audit.verify()
    entries = list(store.audit.chained())
    assert report.intact and report.entries == 7 and report.head == entries[-1].entry_hash
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.entry_hash for e in entries[:-1]]
    for e in entries:  # each hash is the documented one, worked out independently
        assert e.entry_hash == documented_hash(e.prev_hash, e.at.replace(tzinfo=None), e.actor, e.action, e.subject,
                                               e.outcome, e.details, e.channel, e.message_ts)
    assert entries[-1].details == {"ids": ["a", "b"], "7": "seven", "ratio": 0.1}


def test_the_database_refuses_to_change_or_delete_an_entry(store: Store, now: datetime) -> None:
    record_entries(store, now, count=2)
    for statement in ("UPDATE audit_log SET outcome = 'refused' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(exc.DBAPIError, match="audit_log is append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert store.audit.verify().intact and len(list(store.audit.chained())) == 2


def test_an_entry_edited_in_sql_is_named(store: Store, now: datetime) -> None:
    record_entries(store, now)
    tamper(store.engine, "UPDATE audit_log SET outcome = 'refused' WHERE id = 3")
    broken = store.audit.verify().broken
    assert broken is not None
    assert (broken.damage, broken.entry_id, broken.at, broken.action) == ("edited", 3, at(now, 3), ACTIONS[2])
    assert "hash does not match" in broken.describe() and "entry 3 (2026-11-21 12:02:00 UTC" in broken.describe()


def test_an_entry_deleted_in_sql_is_named_by_the_one_after_it(store: Store, now: datetime) -> None:
    record_entries(store, now)
    tamper(store.engine, "DELETE FROM audit_log WHERE id = 3")
    report = store.audit.verify()
    assert report.broken is not None and report.entries == 2
    assert (report.broken.damage, report.broken.entry_id, report.broken.action) == ("deleted", 4, ACTIONS[3])
    assert "prev hash" in report.broken.reason and "after entry 2" in report.broken.reason


def test_a_rehashed_edit_shows_at_the_next_entry(store: Store, now: datetime) -> None:
    record_entries(store, now)
    row = next(e for e in store.audit.chained() if e.id == 3)
    forged = documented_hash(row.prev_hash, row.at.replace(tzinfo=None), row.actor, row.action, row.subject,
                             "refused", row.details, row.channel, row.message_ts)
    tamper(store.engine, "UPDATE audit_log SET outcome = 'refused', entry_hash = :forged WHERE id = 3", forged=forged)
    broken = store.audit.verify().broken
    assert broken is not None and (broken.damage, broken.entry_id) == ("deleted", 4)


def test_entries_swapped_in_sql_are_named_as_reordered(store: Store, now: datetime) -> None:
    record_entries(store, now)
    # entries 2 and 3 trade places (their ids), each keeping its own contents and hashes
    tamper(store.engine, "UPDATE audit_log SET id = -3 WHERE id = 3", "UPDATE audit_log SET id = 3 WHERE id = 2",
           "UPDATE audit_log SET id = 2 WHERE id = -3")
    broken = store.audit.verify().broken
    assert broken is not None and (broken.damage, broken.entry_id, broken.action) == ("reordered", 2, ACTIONS[2])
    assert "written after entry 3" in broken.reason and "now follows entry 1" in broken.reason


def test_the_newest_entries_deleted_in_sql_are_noticed_by_the_chain_head(store: Store, now: datetime) -> None:
    record_entries(store, now)
    tamper(store.engine, "DELETE FROM audit_log WHERE id >= 5")
    broken = store.audit.verify().broken
    assert broken is not None and (broken.damage, broken.entry_id) == ("truncated", 4)
    assert "records 6 entries" in broken.reason and "4 entries" in broken.reason


def test_replicas_appending_at_once_make_one_chain(store_url: str, now: datetime) -> None:
    """Two stores (two engines, as two replicas have), four threads each, 40 appends a thread."""
    replicas = [open_store(store_url) for _ in range(2)]
    barrier, errors = threading.Barrier(8), []

    def append(replica: Store, worker: int) -> None:
        try:
            barrier.wait()
            for i in range(40):
                replica.audit.record(actor="agentops", action="action.finished", subject=f"w{worker}-{i}",
                                     outcome="ok", now=now + timedelta(seconds=i))
        except BaseException as error:  # surfaced below: a worker that failed fails the test
            errors.append(error)

    threads = [threading.Thread(target=append, args=(replicas[w % 2], w)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert not errors, errors[:3]
        report = replicas[0].audit.verify()
        assert report.intact, report.broken and report.broken.describe()
        assert report.entries == 320
        subjects = [e.subject for e in replicas[1].audit.chained()]
        assert len(set(subjects)) == 320 and {s.split("-")[0] for s in subjects} == {f"w{w}" for w in range(8)}
    finally:
        for replica in replicas:
            replica.close()


def test_the_migration_hashes_the_entries_written_before_it(store_url: str, now: datetime) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    before = ScriptDirectory.from_config(config).get_revision("0017").down_revision
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, str(before))
        for i in range(3):
            conn.execute(text("INSERT INTO audit_log (at, actor, action, subject, outcome, details) "
                              "VALUES (:at, 'agentops', 'alert.posted', :subject, 'ok', :details)"),
                         {"at": at(now, i + 1).replace(tzinfo=None), "subject": f"old-{i}", "details": f'{{"n": {i}}}'})
    engine.dispose()
    store = open_store(store_url)  # migrates to the head: hashes the three, then appends link on
    try:
        store.audit.record(actor="U0LEAD", action="approval.decide", subject="new", outcome="approved", now=now)
        report = store.audit.verify()
        entries = list(store.audit.chained())
        assert report.intact and report.entries == 4
        assert [e.subject for e in entries] == ["old-0", "old-1", "old-2", "new"]
        assert entries[0].prev_hash == GENESIS and entries[3].prev_hash == entries[2].entry_hash
        assert entries[1].entry_hash == documented_hash(entries[0].entry_hash, at(now, 2).replace(tzinfo=None),
                                                        "agentops", "alert.posted", "old-1", "ok", {"n": 1}, None, None)
    finally:
        store.close()


def test_a_slow_export_never_holds_up_appends(store: Store, store_url: str, now: datetime) -> None:
    record_entries(store, now, count=3)
    replica = open_store(store_url)
    exporting = store.audit.chained()
    try:
        assert next(exporting).id == 1  # the export is mid-way, its snapshot open, as when stdout is a slow pipe
        appended = threading.Thread(target=replica.audit.record, kwargs=dict(
            actor="agentops", action="alert.posted", subject="during the export", outcome="ok", now=now))
        appended.start()
        appended.join(timeout=5)
        assert not appended.is_alive(), "an append waited for the export"
        assert [e.id for e in exporting] == [2, 3]  # and the export goes on from what it read
        assert replica.audit.verify().entries == 4
    finally:
        exporting.close()
        appended.join(timeout=60)
        replica.close()


def test_verify_while_replicas_append_sees_a_whole_chain(store: Store, store_url: str, now: datetime) -> None:
    replica, done = open_store(store_url), threading.Event()

    def keep_appending() -> None:
        for i in range(150):
            replica.audit.record(actor="agentops", action="action.finished", subject=f"a-{i}", outcome="ok", now=now)
        done.set()

    appender = threading.Thread(target=keep_appending)
    appender.start()
    reports = []
    try:
        while not done.is_set():
            reports.append(store.audit.verify())
    finally:
        appender.join(timeout=120)
        replica.close()
    assert reports and all(r.intact for r in reports), next(r.broken for r in reports if not r.intact)
    assert store.audit.verify().entries == 150
