"""Action policies written for a test, and a track record earned the ordinary way: requests decided and
actions finished through the state store's own calls (as a past run would have left them)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.store import Store


def policy_file(tmp_path: Path, text: str, name: str = "action_policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def verified_actions(store: Store, environment: str, now: datetime, completed: int = 1, failed: int = 0) -> None:
    """Past actions in `environment`, each approved, run and verified with the given outcome."""
    for n, status in enumerate(["completed"] * completed + ["failed"] * failed):
        at = now - timedelta(days=1, minutes=n)
        approval = store.approvals.request(action="retrain_model", target="fraud_history", reason="past drift",
                                           proposed_by="offline", requested_by="U0ONCALL", now=at,
                                           timeout=timedelta(minutes=5), environment=environment)
        store.approvals.decide(approval.request_id, "approved", "U0LEAD", at)
        assert store.approvals.claim_action(approval.request_id, at, "earlier")
        assert store.approvals.finish_action(approval.request_id, status, "verified", at, "earlier")
