"""The warehouse: the spec's schema, one connector code path for Snowflake and embedded, outages."""

import contextlib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.warehouse import EmbeddedWarehouseError, Warehouse, WarehouseError, WarehouseUnavailable, open_warehouse
from bot.warehouse.params import embedded_params, snowflake_params
from bot.warehouse.schema import ensure_schema

SPEC_COLUMNS = {
    "MODEL_METRICS": ["ID", "TIMESTAMP", "MODEL_NAME", "MODEL_VERSION", "F1_SCORE", "PRECISION_SCORE",
                      "RECALL_SCORE", "AUC_ROC", "DRIFT_SCORE", "LATENCY_P50_MS", "LATENCY_P95_MS",
                      "LATENCY_P99_MS", "PREDICTION_COUNT", "ANOMALY_RATE"],
    "DATA_QUALITY": ["ID", "TIMESTAMP", "PIPELINE_NAME", "RECORDS_PROCESSED", "RECORDS_VALID",
                     "RECORDS_INVALID", "NULL_RATE", "SCHEMA_VIOLATIONS", "OUT_OF_RANGE_COUNT", "STATUS"],
    "FEATURE_DRIFT": ["ID", "TIMESTAMP", "MODEL_NAME", "FEATURE_NAME", "PSI_SCORE", "KS_STATISTIC",
                      "MEAN_SHIFT", "STD_SHIFT"],
    "INCIDENTS": ["ID", "INCIDENT_ID", "TIMESTAMP", "ALERT_TYPE", "SEVERITY", "AFFECTED_COMPONENT",
                  "ROOT_CAUSE", "RESOLUTION", "DURATION_MINUTES", "STATUS"],
}


def test_schema_is_the_spec_verbatim_and_idempotent(warehouse: Warehouse) -> None:
    ensure_schema(warehouse)
    ensure_schema(warehouse)  # a second start must not fail or duplicate anything
    for table, expected in SPEC_COLUMNS.items():
        rows = warehouse.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %(t)s "
            "ORDER BY ordinal_position", {"t": table})
        assert [r["column_name"] for r in rows] == expected


def test_inserted_rows_get_ids_and_timestamps_from_the_schema_defaults(warehouse: Warehouse) -> None:
    ensure_schema(warehouse)
    warehouse.execute("INSERT INTO INCIDENTS (incident_id, alert_type, severity, status) "
                      "VALUES (%(i)s, %(t)s, %(s)s, %(st)s)",
                      {"i": "INC-2026-1121", "t": "model_drift", "s": "critical", "st": "open"})
    row = warehouse.query("SELECT id, timestamp, status FROM INCIDENTS WHERE incident_id = %(i)s",
                          {"i": "INC-2026-1121"})[0]
    assert row["id"] == 1 and row["timestamp"] is not None and row["status"] == "open"


def test_bad_sql_is_a_warehouse_error_not_an_outage(warehouse: Warehouse) -> None:
    with pytest.raises(WarehouseError) as raised:
        warehouse.query("SELECT no_such_column FROM no_such_table")
    assert not isinstance(raised.value, WarehouseUnavailable)


def test_snowflake_password_params(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"SNOWFLAKE_ACCOUNT": "xy12345.eu-west-1", "SNOWFLAKE_USER": "AGENTOPS_BOT",
                        "SNOWFLAKE_PASSWORD": "s3cret-pass", "SNOWFLAKE_ROLE": "ML_OPS",
                        "WAREHOUSE_TIMEOUT_SEC": "20"}.items():
        monkeypatch.setenv(name, value)
    assert snowflake_params(load_settings()) == {
        "account": "xy12345.eu-west-1", "user": "AGENTOPS_BOT", "password": "s3cret-pass",
        "database": "AGENTOPS", "schema": "PUBLIC", "warehouse": "COMPUTE_WH", "role": "ML_OPS",
        "application": "AgentOps", "platform_detection_timeout_seconds": 0.0,
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    }


def test_cloud_platform_probes_are_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    # 0 makes the connector skip its calls to 169.254.169.254 and metadata.google.internal at login
    assert embedded_params(load_settings(), "127.0.0.1", 4321)["platform_detection_timeout_seconds"] == 0.0
    monkeypatch.setenv("SNOWFLAKE_PLATFORM_DETECTION", "true")
    assert embedded_params(load_settings(), "127.0.0.1", 4321)["platform_detection_timeout_seconds"] is None


def test_snowflake_key_pair_params_win_over_a_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {"SNOWFLAKE_ACCOUNT": "xy12345", "SNOWFLAKE_USER": "BOT", "SNOWFLAKE_PASSWORD": "unused",
                        "SNOWFLAKE_PRIVATE_KEY_PATH": str(tmp_path / "rsa_key.p8"),
                        "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": "phrase"}.items():
        monkeypatch.setenv(name, value)
    params = snowflake_params(load_settings())
    assert params["private_key_file"] == str(tmp_path / "rsa_key.p8")
    assert params["private_key_file_pwd"] == "phrase"
    assert "password" not in params


def test_embedded_and_snowflake_differ_only_in_where_and_who(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNOWFLAKE_ACCOUNT", "xy12345")
    monkeypatch.setenv("SNOWFLAKE_USER", "BOT")
    real = snowflake_params(load_settings())
    monkeypatch.delenv("SNOWFLAKE_ACCOUNT")
    fake = embedded_params(load_settings(), "127.0.0.1", 4321)
    shared = {k for k in real.keys() & fake.keys() if real[k] == fake[k]}
    assert shared == {"database", "schema", "application", "platform_detection_timeout_seconds",
                      "session_parameters"}
    assert set(fake) - shared == {"account", "user", "password", "host", "port", "protocol"}


def test_unreachable_warehouse_is_reported_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"SNOWFLAKE_ACCOUNT": "xy12345", "SNOWFLAKE_USER": "BOT",
                        "SNOWFLAKE_PASSWORD": "do-not-print-me", "SNOWFLAKE_HOST": "127.0.0.1",
                        "SNOWFLAKE_PORT": "9", "SNOWFLAKE_PROTOCOL": "http", "WAREHOUSE_TIMEOUT_SEC": "2",
                        "WAREHOUSE_RETRIES": "1"}.items():
        monkeypatch.setenv(name, value)
    with open_warehouse(load_settings()) as warehouse, pytest.raises(WarehouseUnavailable) as raised:
        warehouse.query("SELECT 1")
    message = str(raised.value)
    assert message.startswith("warehouse unavailable (127.0.0.1:9)")
    assert "SNOWFLAKE_" in message and "do-not-print-me" not in message


def test_one_embedded_warehouse_per_process(warehouse: Warehouse, settings) -> None:
    with pytest.raises(EmbeddedWarehouseError, match="already running in this process"):
        open_warehouse(settings)


def test_a_second_process_is_told_the_warehouse_is_in_use(warehouse: Warehouse, settings) -> None:
    env = {"PATH": "/usr/bin:/bin", "AGENTOPS_DATA_DIR": str(settings.agentops_data_dir)}
    result = subprocess.run([sys.executable, "-m", "bot", "seed", "--scenario", "healthy"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "in use by another agentops process" in result.stderr
    assert "Traceback" not in result.stderr


def test_callers_queued_behind_a_hung_statement_give_up_within_the_timeout(settings) -> None:  # type: ignore[no-untyped-def]
    # a warehouse that accepts connections and never answers: each call holds the connection its full timeout
    hung = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):  # until the test closes the socket
            while True:
                accepted.append(hung.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    warehouse = Warehouse(embedded_params(settings, "127.0.0.1", hung.getsockname()[1]), timeout_sec=2, retries=0,
                          describe="hung warehouse")
    took: dict[int, float] = {}
    errors: list[str] = []

    def call(n: int) -> None:
        started = time.monotonic()
        try:
            warehouse.query("SELECT 1")
        except WarehouseUnavailable as error:
            errors.append(str(error))
        took[n] = time.monotonic() - started

    callers = [threading.Thread(target=call, args=(n,)) for n in range(4)]
    try:
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(30)
    finally:
        warehouse.close()
        hung.close()
        for conn in accepted:
            conn.close()
    assert len(errors) == 4 and all(e.startswith("warehouse unavailable (hung warehouse)") for e in errors)
    # each within its own WAREHOUSE_TIMEOUT_SEC (and the connector's whole-second rounding), not behind the others'
    assert max(took.values()) < 2 + 1.5, took
    assert any("another statement held the connection past WAREHOUSE_TIMEOUT_SEC=2" in e for e in errors)
