"""Warehouse access: Snowflake in production, the embedded fakesnow server by default."""

from __future__ import annotations

from bot.config import Settings
from bot.redact import Redactor
from bot.warehouse.client import Warehouse, WarehouseError, WarehouseUnavailable
from bot.warehouse.embedded import EmbeddedWarehouseError, EmbeddedWarehouseServer
from bot.warehouse.params import embedded_params, snowflake_params

__all__ = ["EmbeddedWarehouseError", "Warehouse", "WarehouseError", "WarehouseUnavailable", "open_warehouse"]


def open_warehouse(settings: Settings) -> Warehouse:
    """The warehouse named by Settings; with no SNOWFLAKE_ACCOUNT, an embedded one is started."""
    if not settings.embedded_warehouse:
        where = (f"{settings.snowflake_host}:{settings.snowflake_port or ''}" if settings.snowflake_host
                 else f"Snowflake account {settings.snowflake_account}")
        return Warehouse(snowflake_params(settings), timeout_sec=settings.warehouse_timeout_sec,
                         retries=settings.warehouse_retries, describe=where,
                         redact=Redactor(settings.secret_values()))
    server = EmbeddedWarehouseServer(settings.agentops_data_dir, settings.snowflake_database,
                                     settings.snowflake_schema).start()
    return Warehouse(
        embedded_params(settings, server.host, server.port),
        timeout_sec=settings.warehouse_timeout_sec,
        retries=settings.warehouse_retries,
        describe=f"embedded warehouse in {settings.agentops_data_dir}",
        on_close=server.stop,
        redact=Redactor(settings.secret_values()),
    )
