"""Connection parameters for snowflake-connector-python, built from Settings.

Snowflake and the embedded warehouse go through the same connector; they differ only here.
"""

from __future__ import annotations

from typing import Any

from bot.config import Settings

APPLICATION = "AgentOps"


def common_params(settings: Settings) -> dict[str, Any]:
    return {
        "database": settings.snowflake_database,
        "schema": settings.snowflake_schema,
        # the timeouts are set per call by the client, from what is left of WAREHOUSE_TIMEOUT_SEC
        "application": APPLICATION,
        # The connector probes cloud metadata endpoints (169.254.169.254, metadata.google.internal) at
        # every login to report the platform it runs on; 0 skips those calls. Opt in with the setting.
        "platform_detection_timeout_seconds": None if settings.snowflake_platform_detection else 0.0,
        # out-of-band telemetry is a second network path with its own timeouts; we want one
        "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
    }


def snowflake_params(settings: Settings) -> dict[str, Any]:
    """Parameters for a real Snowflake account (password or key-pair auth)."""
    params = common_params(settings) | {
        "account": settings.snowflake_account,
        "user": settings.snowflake_user,
        "warehouse": settings.snowflake_warehouse,
    }
    if settings.snowflake_role:
        params["role"] = settings.snowflake_role
    if settings.snowflake_private_key_path:
        params["private_key_file"] = str(settings.snowflake_private_key_path)
        if settings.snowflake_private_key_passphrase:
            params["private_key_file_pwd"] = settings.snowflake_private_key_passphrase.get_secret_value()
    elif settings.snowflake_password:
        params["password"] = settings.snowflake_password.get_secret_value()
    # an explicit endpoint (a proxy, or a shared embedded warehouse server) overrides the account URL
    if settings.snowflake_host:
        params["host"] = settings.snowflake_host
        params["protocol"] = settings.snowflake_protocol
        if settings.snowflake_port:
            params["port"] = settings.snowflake_port
    return params


def embedded_params(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """Parameters for the embedded warehouse server on loopback; the credentials are not checked."""
    return common_params(settings) | {
        "account": "fakesnow",
        "user": "agentops",
        "password": "embedded",
        "host": host,
        "port": port,
        "protocol": "http",
    }
