"""What start-up checks before it opens anything an operator would have to clean up: the data directory
it writes, and rule overrides naming components the warehouse has never measured."""

from __future__ import annotations

import logging
import os

from bot.config import ConfigError, Settings
from bot.rules import RuleSet, unknown_components
from bot.warehouse import Warehouse, WarehouseError

log = logging.getLogger("agentops")


def check_data_dir(settings: Settings) -> None:
    """The embedded warehouse and the default SQLite store live in AGENTOPS_DATA_DIR: one line if it cannot
    be written, before either trips over it."""
    if settings.database_url and not settings.embedded_warehouse:
        return  # neither lives there
    where = settings.agentops_data_dir
    try:
        where.mkdir(parents=True, exist_ok=True)
        probe = where / f".write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigError(f"AGENTOPS_DATA_DIR={where} cannot be created or written ({error.strerror or error}); "
                          "set AGENTOPS_DATA_DIR to a directory the bot can write") from None


def warn_unknown_overrides(rules: RuleSet, warehouse: Warehouse) -> None:
    """A warning, not a refusal: a new model may have no metrics yet, and the warehouse may be down at start."""
    if not rules.overrides:
        return
    from agents.subject import known_components

    try:
        known = set(known_components(warehouse))
    except WarehouseError as error:
        log.warning("could not check the rules file's overrides against the warehouse: %s", error)
        return
    for line in unknown_components(rules, known):
        log.warning("%s", line)
