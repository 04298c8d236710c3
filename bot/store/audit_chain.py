"""The audit log's hash chain: how an entry is hashed, and the walk that finds the first entry that was edited,
deleted or moved since it was written.

Each entry's hash is SHA-256 over the canonical JSON (keys sorted, no whitespace, ASCII escapes) of its fields
without the id — {v, prev, at, actor, action, subject, outcome, details, channel, message_ts} — where `prev` is the
hash of the entry before it (64 zeros for the first). The id is left out so a hash can be worked out before the
database assigns one; order comes from `prev`, and the chain head (table audit_chain) holds the newest hash and the
number of entries, so deleting the newest entries shows too."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, select

from bot.clock import aware_utc
from bot.store.tables import audit_chain, audit_log

GENESIS = "0" * 64
FORMAT_VERSION = 1
_BATCH = 1000


def canonical(prev: str, at: datetime, actor: str, action: str, subject: str, outcome: str, details: Any,
              channel: str | None, message_ts: str | None) -> bytes:
    """The bytes an entry's hash is taken over. `at` is naive UTC, as stored, to the microsecond."""
    return json.dumps({"v": FORMAT_VERSION, "prev": prev, "at": at.isoformat(timespec="microseconds"),
                       "actor": actor, "action": action, "subject": subject, "outcome": outcome,
                       "details": details, "channel": channel, "message_ts": message_ts},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def entry_hash(prev: str, at: datetime, actor: str, action: str, subject: str, outcome: str, details: Any,
               channel: str | None, message_ts: str | None) -> str:
    return hashlib.sha256(canonical(prev, at, actor, action, subject, outcome, details, channel,
                                    message_ts)).hexdigest()


def hash_of_row(row: Any) -> str:
    """The hash a stored row should carry, worked out again from its fields and its `prev_hash`."""
    return entry_hash(row.prev_hash, row.at, row.actor, row.action, row.subject, row.outcome, row.details,
                      row.channel, row.message_ts)


def stored_rows(conn: Connection, since: datetime | None = None) -> Iterator[Any]:
    """Every audit row in id order (from `since` when given), read in batches so a large log never sits in memory."""
    last_id = 0
    while True:
        query = select(audit_log).where(audit_log.c.id > last_id).order_by(audit_log.c.id).limit(_BATCH)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        rows = conn.execute(query).all()
        yield from rows
        if len(rows) < _BATCH:
            return
        last_id = rows[-1].id


Damage = Literal["edited", "deleted", "reordered", "truncated"]


@dataclass(frozen=True)
class Break:
    """The first entry where the chain does not hold, and how."""

    damage: Damage
    entry_id: int | None
    at: datetime | None
    action: str | None
    reason: str

    def describe(self) -> str:
        where = (f"entry {self.entry_id} ({self.at.strftime('%Y-%m-%d %H:%M:%S')} UTC, {self.action})"
                 if self.entry_id is not None and self.at is not None else "the audit log")
        return f"{where}: {self.damage}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _broken(damage: Damage, row: Any, reason: str) -> Break:
    return Break(damage, row.id, aware_utc(row.at), row.action, reason)


def _after_what(conn: Connection, prev: str, row: Any, expected_id: int | None) -> Break:
    """A row whose `prev_hash` is not the hash of the row before it: moved, or rows before it are gone."""
    named = conn.execute(select(audit_log.c.id, audit_log.c.at, audit_log.c.action)
                         .where(audit_log.c.entry_hash == prev)).first()
    before = f"entry {expected_id}" if expected_id is not None else "the start of the log"
    if named is not None:
        return _broken("reordered", row, f"it was written after entry {named.id} ({named.action}) but now follows "
                                         f"{before}")
    return _broken("deleted", row, f"its prev hash {prev[:12]}… matches no entry: the entry written before it, "
                                   f"after {before}, was deleted (or rewritten with a new hash)")


def walk(conn: Connection) -> ChainReport:
    """Check every entry's own hash and its link to the one before, oldest first; stop at the first break."""
    expected, previous_id, count = GENESIS, None, 0
    last: Any = None
    for row in stored_rows(conn):
        if hash_of_row(row) != row.entry_hash:
            return ChainReport(count, expected, _broken(
                "edited", row, "its hash does not match its contents: a field was changed after it was written"))
        if row.prev_hash != expected:
            return ChainReport(count, expected, _after_what(conn, row.prev_hash, row, previous_id))
        expected, previous_id, last, count = row.entry_hash, row.id, row, count + 1
    head = conn.execute(select(audit_chain).where(audit_chain.c.id == 1)).first()
    if head is None:
        return ChainReport(count, expected, Break("truncated", None, None, None,
                                                  "the chain head (table audit_chain) is missing"))
    if head.last_hash != expected or head.entries != count:
        after = "no entries remain" if last is None else f"the log now ends at entry {last.id}"
        reason = (f"the chain head records {head.entries} entries ending in {head.last_hash[:12]}…, but {after} "
                  f"({count} entries): the newest entries were deleted")
        if last is None:
            return ChainReport(count, expected, Break("truncated", None, None, None, reason))
        return ChainReport(count, expected, _broken("truncated", last, reason))
    return ChainReport(count, expected, None)
