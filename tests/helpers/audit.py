"""The audit log as an attacker meets it: entries written through the store, then changed in SQL after the
append-only triggers are dropped (as someone with DDL rights would), and the chain's hash worked out again here,
independently of bot/store/audit_chain.py, from the format the README documents."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from bot.store import Store

TRIGGERS = {"postgresql": ["DROP TRIGGER audit_log_append_only ON audit_log"],
            "sqlite": ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]}
ACTIONS = ["alert.posted", "investigation.started", "approval.requested", "approval.decide", "action.finished",
           "incident.resolved"]


def record_entries(store: Store, now: datetime, count: int = 6) -> None:
    """`count` entries a minute apart, entry i (from 1) at now + (i-1) min with action ACTIONS[(i-1) % 6]."""
    for i in range(count):
        store.audit.record(actor="U0LEAD" if i % 2 else "agentops", action=ACTIONS[i % len(ACTIONS)],
                           subject=f"INC-2026-1121-{i:04d}", outcome="ok", now=now + timedelta(minutes=i),
                           details={"step": i, "note": f"entry {i + 1}"}, channel="C0ALERTS" if i % 2 else None)


def tamper(engine: Engine, *statements: str, **params: Any) -> None:
    """Drop the triggers that refuse UPDATE and DELETE, then change the log directly in SQL."""
    with engine.begin() as conn:
        for ddl in TRIGGERS[engine.dialect.name]:
            conn.execute(text(ddl))
        for statement in statements:
            conn.execute(text(statement), params)


def documented_hash(prev: str, at: datetime, actor: str, action: str, subject: str, outcome: str, details: Any,
                    channel: str | None, message_ts: str | None) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, ASCII) of the id-independent fields and `prev`."""
    fields = {"v": 1, "prev": prev, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"), "actor": actor, "action": action,
              "subject": subject, "outcome": outcome, "details": details, "channel": channel, "message_ts": message_ts}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
