"""`agentops audit export`: the audit log, hashes included, as JSON Lines or CSV for a spreadsheet.

JSON Lines is the faithful form (each line re-hashes to its `entry_hash`). CSV is for people: properly quoted
(RFC 4180, via the csv module), and a cell a spreadsheet would run as a formula (= + - @, or a leading tab or
carriage return) is prefixed with a single quote, as OWASP advises for CSV injection."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.durations import DurationError, parse_duration
from bot.errors import UserFacingError
from bot.redact import Redactor
from bot.store.records import AuditEntry

COLUMNS = ("id", "at", "actor", "action", "subject", "outcome", "details", "channel", "message_ts",
           "prev_hash", "entry_hash")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class BadSince(UserFacingError):
    """--since is neither a time nor a duration; the message says what would be."""


def parse_since(value: str, now: datetime) -> datetime:
    """'7d', '12h' (back from now), or an ISO date or time ('2026-11-01', '2026-11-01T09:00:00+01:00'; UTC when
    no offset is given) → an aware UTC datetime."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            back = parse_duration(text)
        except DurationError:
            raise BadSince(f"--since {value!r} is neither a time nor a duration: give an ISO date or time "
                           f"(2026-11-01, 2026-11-01T09:00:00Z) or how far back (7d, 12h)") from None
        if back <= timedelta(0):
            raise BadSince(f"--since {value!r} goes back no time at all: give e.g. 7d") from None
        return now - back
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_record(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "actor": entry.actor, "action": entry.action, "subject": entry.subject, "outcome": entry.outcome,
            "details": entry.details, "channel": entry.channel, "message_ts": entry.message_ts,
            "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash}


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: details as JSON, nothing run as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def jsonl_lines(entries: Iterable[AuditEntry], redact: Redactor) -> Iterator[str]:
    for entry in entries:
        yield json.dumps(redact.deep(as_record(entry)), ensure_ascii=False) + "\n"


def write(entries: Iterable[AuditEntry], out: TextIO, fmt: str, redact: Redactor) -> int:
    """Write every entry to `out`; returns how many."""
    count = 0
    if fmt == "jsonl":
        for line in jsonl_lines(entries, redact):
            out.write(line)
            count += 1
        return count
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        record = as_record(entry)
        writer.writerow([safe_cell(redact.deep(record[column])) for column in COLUMNS])
        count += 1
    return count
