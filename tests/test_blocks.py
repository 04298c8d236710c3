"""Pure Block Kit builders: plain data in, valid blocks with a text fallback out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.fleet import ComponentHealth
from bot.store.records import Approval, Incident, Investigation, StoredAlert
from handlers import blocks
from handlers.alert_list_blocks import alerts_list
from handlers.home.view import HomeData, home_view
from seed.slack.blockkit import validate_blocks, validate_view

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def alert(i: int) -> StoredAlert:
    return StoredAlert(f"a{i}", f"model_drift:model_{i}", "model_drift", "critical", f"model_{i}",
                       f"model_{i} drift_score 0.45 > 0.3", {"drift_score": 0.45}, "firing",
                       NOW - timedelta(minutes=30 * i), NOW, None, None, None, None)


def model(name: str, status: str, f1: float, drift: float) -> ComponentHealth:
    values = {"model_version": "v2.4.0", "f1_score": f1, "drift_score": drift, "latency_p99_ms": 200.0,
              "anomaly_rate": 0.02}
    return ComponentHealth(name, "model", status, NOW.replace(tzinfo=None), values, [])


def test_usage_names_every_subcommand_and_the_problem() -> None:
    text, built = blocks.usage("I don't know `frobnicate`.")
    assert text.startswith("I don't know `frobnicate`.")
    shown = built[0]["text"]["text"]
    for name in ("help", "status", "investigate", "alerts", "silence", "silences", "unsilence"):
        assert f"`/agentops {name}" in shown
    assert validate_blocks(built) == []


def test_status_with_an_unreachable_warehouse_says_so() -> None:
    text, built = blocks.status(None, "warehouse unavailable (Snowflake account x): timeout", [alert(1)], NOW)
    assert text == "AgentOps status: unknown; 1 firing alert(s)"
    assert "⚠️ *Warehouse unavailable*" in built[1]["text"]["text"]
    assert validate_blocks(built) == []


def test_status_during_an_outage_shows_the_last_reading_and_its_age() -> None:
    read_at = NOW - timedelta(minutes=4, seconds=10)
    text, built = blocks.status([model("b", "critical", 0.82, 0.45)], "warehouse unavailable (x): connection refused",
                                [], NOW, read_at)
    assert text == "AgentOps status: critical; 0 firing alert(s) (warehouse unavailable; last reading 4 minutes 10 " \
                   "seconds old)"
    warning = built[1]["text"]["text"]
    assert warning.startswith("⚠️ *Warehouse unavailable* — warehouse unavailable (x): connection refused\n")
    assert f"Showing the last reading, from <!date^{int(read_at.timestamp())}^" in warning
    assert "🔴 *b*" in built[2]["text"]["text"]
    assert validate_blocks(built) == []


def test_status_with_the_state_store_down_says_the_alerts_are_unknown() -> None:
    text, built = blocks.status([model("b", "healthy", 0.91, 0.1)], None, None, NOW)
    assert text == "AgentOps status: healthy; firing alerts unknown"
    assert built[-2]["text"]["text"] == "⚠️ *Firing alerts:* unknown — the state store is unreachable"


def test_app_home_with_the_state_store_down_says_so_instead_of_empty_lists() -> None:
    view = home_view(HomeData([model("b", "healthy", 0.91, 0.1)], None, [], [], [], False, True, NOW))
    assert validate_view(view) == []
    shown = " ".join(b.get("text", {}).get("text", "") for b in view["blocks"])
    assert "⚠️ *State store unreachable*" in shown and "🔴 state store" in shown
    assert "None — all quiet." not in shown and "Nothing waiting for a decision." not in shown


def test_status_worst_component_sets_the_headline() -> None:
    text, built = blocks.status([model("a", "healthy", 0.91, 0.1), model("b", "critical", 0.82, 0.45)], None, [],
                                NOW)
    assert text.startswith("AgentOps status: critical")
    assert "🔴 *b* `v2.4.0` — F1 0.820 · drift 0.45" in built[1]["text"]["text"]


def test_long_texts_are_cut_to_slacks_limit() -> None:
    built = [blocks.section("x" * 5000)]
    assert len(built[0]["text"]["text"]) == 3000 and built[0]["text"]["text"].endswith("…")
    assert validate_blocks(built) == []


def test_alert_list_pages_within_block_kits_limits() -> None:
    alerts = [alert(i) for i in range(107)]
    pages = [alerts_list(alerts, NOW, page) for page in range(1, 7)]
    seen = [b["text"]["text"] for _, built in pages for b in built[1:-2] if b["type"] == "section"]
    assert all(validate_blocks(built) == [] for _, built in pages)
    assert all(len(built) <= 50 for _, built in pages)
    assert len(seen) == 107 and len(set(seen)) == 107  # every alert once, none twice, none dropped
    text, first = pages[0]
    assert text == "107 firing alert(s)" and first[0]["text"]["text"] == "*107 firing alert(s)* — showing 1–20 of 107"
    assert [e["text"]["text"] for e in first[-1]["elements"]] == ["Next ›"]
    _, last = pages[5]
    assert last[0]["text"]["text"].endswith("showing 101–107 of 107")
    assert [e["text"]["text"] for e in last[-1]["elements"]] == ["‹ Previous"]
    assert alerts_list(alerts, NOW, 99)[1] == last  # past the end: the last page, not an empty one


def test_markdown_becomes_mrkdwn() -> None:
    converted = blocks.to_mrkdwn("## Thresholds\n**P1** see [rollback.md](rollback.md) or [docs](https://x.io)")
    # a link shows its real address: a label over a hidden URL is how a poisoned answer disguises one
    assert converted == "*Thresholds*\n*P1* see rollback.md or docs (https://x.io)"


def test_home_view_stays_valid_with_many_rows() -> None:
    approvals = [Approval(f"r{i}", "rollback_model", "classifier_v2", "F1 dropping", "offline", "U1", None, None,
                          NOW, NOW + timedelta(minutes=5), "pending", None, None, None, None) for i in range(30)]
    investigations = [Investigation(f"i{i}", None, "F1 dropped " * 20, "U1", "done", "offline", NOW, NOW,
                                    {"root_cause_category": "distribution_shift"}, 0, 0, 0, None, None)
                      for i in range(5)]
    incident = Incident("INC-2026-1121-AB12", "a1", "model_drift:classifier_v2", "model_drift", "critical",
                        "classifier_v2", "awaiting_approval", NOW - timedelta(minutes=20), NOW,
                        NOW + timedelta(seconds=40), None, None, None, [], None, None, None, None)
    view = home_view(HomeData([model("classifier_v2", "critical", 0.82, 0.45)], None,
                              [alert(i) for i in range(40)], approvals, investigations, True, True, NOW, [incident]))
    assert validate_view(view) == []
    shown = " ".join(b.get("text", {}).get("text", "") for b in view["blocks"])
    assert "…and 30 more" in shown and "…and 20 more" in shown and "→ distribution_shift" in shown
    assert ("• INC-2026-1121-AB12 `model_drift:classifier_v2` — *awaiting approval* · time to detect 20.0 min · "
            "to diagnose 40 s · to act —") in shown


def test_the_resolution_summary_says_when_github_was_skipped() -> None:
    from handlers.incident_blocks import resolution_summary

    resolved = Incident("INC-2026-1121-AB12", "a1", "model_drift:classifier_v2", "model_drift", "critical",
                        "classifier_v2", "resolved", NOW - timedelta(minutes=20), NOW, NOW + timedelta(seconds=40),
                        NOW + timedelta(minutes=3), NOW + timedelta(minutes=9), "drift",
                        [{"action": "rollback_model", "status": "completed", "details": "v2.4.0 → v2.3.1"}],
                        None, None, None, None)
    text, blocks = resolution_summary(resolved, github=False)
    assert text == "📋 INC-2026-1121-AB12 resolved · time to detect 20.0 min · to diagnose 40 s · to act 3.0 min"
    shown = " ".join(b.get("text", {}).get("text", "") or b.get("elements", [{}])[0].get("text", "") for b in blocks)
    assert "• `rollback_model` completed: v2.4.0 → v2.3.1" in shown
    assert "no GitHub issue (GitHub is not configured: GITHUB_TOKEN, GITHUB_REPO)" in shown
