"""`agentops investigate` and `agentops ask` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.processes import agentops
from tests.helpers.warehouses import REAL_NOW, seeded_data_dir


def test_investigate_drift_prints_the_diagnosis_as_json(tmp_path: Path) -> None:
    seeded_data_dir(tmp_path / ".agentops", "drift", REAL_NOW)  # as `agentops seed` leaves it
    result = agentops("investigate", "Model F1 dropped to 0.82 on classifier_v2", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    diagnosis = json.loads(result.stdout)
    assert set(diagnosis) == {"alert_id", "root_cause", "root_cause_category", "confidence", "evidence",
                              "recommended_actions", "runbook_reference", "similar_incidents"}
    assert diagnosis["root_cause_category"] == "distribution_shift"
    assert [a["action"] for a in diagnosis["recommended_actions"]][:2] == ["rollback_model", "retrain_model"]
    plain = agentops("investigate", "classifier_v2", cwd=tmp_path)
    assert "1. rollback_model on classifier_v2 [needs approval]" in plain.stdout


def test_investigate_judges_by_the_rules_file(tmp_path: Path) -> None:
    seeded_data_dir(tmp_path / ".agentops", "latency_saturation", REAL_NOW)
    plain = json.loads(agentops("investigate", "latency:classifier_v2", "--json", cwd=tmp_path).stdout)
    assert plain["root_cause_category"] == "resource_saturation"
    (tmp_path / "rules.yaml").write_text("overrides:\n  classifier_v2:\n    latency_p95: {warning: 700}\n"
                                         "    latency_p99: {critical: 1500}\n")
    looser = agentops("investigate", "latency:classifier_v2", "--json", cwd=tmp_path,
                      AGENTOPS_RULES_FILE=str(tmp_path / "rules.yaml"))
    assert json.loads(looser.stdout)["root_cause"].startswith("No problem found on classifier_v2")


def test_an_unknown_component_lists_the_known_ones(tmp_path: Path) -> None:
    seeded_data_dir(tmp_path / ".agentops", "healthy", REAL_NOW)
    result = agentops("investigate", "the thing is broken", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == ("agentops: I couldn't tell which model or pipeline you mean; known models "
                                     "and pipelines: anomaly_v1, classifier_v2, feature_pipeline, lstm_v1, "
                                     "transactions_ingest")


def test_ask_cites_the_drift_runbook_first(tmp_path: Path) -> None:
    result = agentops("ask", "What should I do when model drift is detected?", "--json", cwd=tmp_path)
    answer = json.loads(result.stdout)
    assert answer["citations"][0]["source"] == "runbooks/model_drift.md"
    assert answer["answer"].startswith("From *runbooks/model_drift.md ›")
    assert set(answer["citations"][0]) == {"source", "heading", "score"}


def test_ask_cites_the_v14_incident(tmp_path: Path) -> None:
    result = agentops("ask", "Has V14 drift happened before?", "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["citations"][0]["source"] == "incidents/inc_2026_0115_v14_drift.md"


def test_a_garbled_answer_from_claude_prints_the_offline_diagnosis_and_why(tmp_path: Path) -> None:
    from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced

    seeded_data_dir(tmp_path / ".agentops", "drift", REAL_NOW)
    with ScriptedMessagesAPI(final_when_forced([])) as api:
        api.answer_raw_next('{"id": "msg_1", "type": "mess')  # a body cut off mid-way, status 200
        result = agentops("investigate", "classifier_v2", "--json", cwd=tmp_path,
                          ANTHROPIC_API_KEY="sk-ant-test", ANTHROPIC_BASE_URL=api.base_url)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "agentops: Claude's API answered with something unreadable (JSONDecodeError)" in result.stderr
    assert json.loads(result.stdout)["root_cause_category"] == "distribution_shift"


def test_past_the_hourly_cap_investigate_and_ask_send_nothing_to_claude_and_say_why(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.config import load_settings
    from bot.store import open_store
    from tests.fakes.messages_api import STEPS, ScriptedMessagesAPI, each_conversation, message, text

    seeded_data_dir(tmp_path / ".agentops", "drift", REAL_NOW)
    store = open_store(load_settings(agentops_data_dir=tmp_path / ".agentops").state_database_url)
    try:
        store.spend.record(at=datetime.now(UTC), model="claude-sonnet-4-6", tokens=500_000, cost_usd=2.0)
        with ScriptedMessagesAPI(each_conversation(STEPS)) as api:
            claude = {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": api.base_url}
            investigated = agentops("investigate", "classifier_v2", "--json", cwd=tmp_path, BUDGET_USD_PER_HOUR="1",
                                    **claude)
            asked = agentops("ask", "What should I do when model drift is detected?", cwd=tmp_path,
                             BUDGET_USD_PER_HOUR="1", **claude)
            assert api.requests == []  # neither command called Claude
            api.responder = lambda body, i: message([text("Roll back [runbooks/model_drift.md › Decision tree].")])
            under = agentops("ask", "What should I do when model drift is detected?", cwd=tmp_path,
                             BUDGET_USD_PER_HOUR="100", **claude)
            assert len(api.requests) == 1
        hour, _day = store.spend.in_windows(datetime.now(UTC))
    finally:
        store.close()
    assert investigated.returncode == 0 and "the hourly USD budget is spent ($2.00 of $1.00" in investigated.stderr
    assert json.loads(investigated.stdout)["root_cause_category"] == "distribution_shift"  # the offline answer
    assert asked.returncode == 0 and "the hourly USD budget is spent" in asked.stderr
    assert "the passages are quoted" in asked.stderr and asked.stdout.startswith("From *")
    assert under.stdout.startswith("Roll back") and hour.tokens == 500_000 + 1350  # the answer's call, charged
