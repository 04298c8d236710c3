"""From a sender's labels to the bot's alert: configurable label names, severity words, bounded names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, load_settings
from bot.ingest.labels import LabelMap, from_alertmanager, from_generic
from bot.ingest.payloads import AlertmanagerNotification, GenericAlert, PayloadError, parse
from tests.helpers.ingest import am_alert, am_notification, generic_alert

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def ingest(note: dict, **settings: object) -> dict:
    labels = LabelMap.from_settings(load_settings(**settings))
    found = from_alertmanager(parse(AlertmanagerNotification, json.dumps(note).encode()), labels, NOW)
    return {fp: (a.component, a.alert_type, a.severity) for fp, a in found.firing.items()} | {
        fp: "resolved" for fp in found.resolved}


@pytest.mark.parametrize(("word", "severity"), [("page", "critical"), ("ERROR", "critical"), ("warning", "warning"),
                                                ("low", "info"), ("whatever", "warning"), ("", "warning")])
def test_severity_words_map_to_critical_warning_or_info(word: str, severity: str) -> None:
    assert ingest(am_notification(am_alert(severity=word))) == {
        "ModelDriftHigh:fraud_scorer": ("fraud_scorer", "ModelDriftHigh", severity)}


def test_the_first_configured_label_present_names_the_component_and_type() -> None:
    alert = am_alert() | {"labels": {"alertname": "Slow", "pipeline": "ingest_tx", "job": "api", "severity": "p1"}}
    assert ingest(am_notification(alert)) == {"Slow:ingest_tx": ("ingest_tx", "Slow", "critical")}
    assert ingest(am_notification(alert), ingest_component_labels="job,pipeline", ingest_alert_type_labels="job",
                  ingest_severity_map="p1=info") == {"api:api": ("api", "api", "info")}


def test_common_labels_fill_in_and_one_firing_instance_keeps_a_fingerprint_firing() -> None:
    note = am_notification(am_alert(instance="a"), am_alert(instance="b", status="resolved"))
    note["commonLabels"] = {"team": "ml"}
    assert ingest(note) == {"ModelDriftHigh:fraud_scorer": ("fraud_scorer", "ModelDriftHigh", "critical")}


def test_long_and_control_character_names_are_bounded_like_warehouse_names() -> None:
    found = ingest(am_notification(am_alert("A" * 300, model="m\x00" + "x" * 300)))
    [(component, alert_type, _)] = found.values()
    assert len(component) <= 100 and "\x00" not in component and len(alert_type) <= 40


def test_an_alert_without_a_component_label_names_the_labels_looked_for() -> None:
    with pytest.raises(PayloadError) as refused:
        ingest(am_notification(am_alert(), am_alert() | {"labels": {"alertname": "X"}}))
    assert refused.value.field == "alerts[1].labels" and "model, pipeline, component" in refused.value.problem


def test_a_generic_alert_keeps_its_metrics_and_resolves_by_status() -> None:
    firing = from_generic(parse(GenericAlert, json.dumps(generic_alert()).encode()), NOW)
    [alert] = firing.firing.values()
    assert (alert.fingerprint, alert.severity, alert.metrics) == ("latency:fraud_scorer", "critical",
                                                                  {"latency_p99_ms": 2400.0})
    resolved = from_generic(parse(GenericAlert, json.dumps(generic_alert(status="resolved")).encode()), NOW)
    assert resolved.resolved == {"latency:fraud_scorer"} and resolved.group_key == firing.group_key


@pytest.mark.parametrize(("setting", "value", "says"), [
    ("ingest_severity_map", "p1=urgent", "critical|warning|info"),
    ("ingest_component_labels", " , ", "comma-separated label names"),
    ("ingest_hmac_window", "2h", "from 10s to 1h"),
    ("ingest_max_bytes", "10", "greater than or equal to 1024"),
])
def test_bad_ingest_settings_stop_start_up_naming_the_variable(setting: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(**{setting: value})
    assert setting.upper() in str(refused.value) and says in str(refused.value)
