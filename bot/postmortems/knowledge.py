"""Published post-mortems as the knowledge index reads them (agents/knowledge.py's PublishedIncidents): from
the state store, so a post-mortem published on one replica is in every replica's index at its next search."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.store import Store, StoreUnavailable, open_store

if TYPE_CHECKING:
    from agents.knowledge import KnowledgeBase


class StorePostmortems:
    def __init__(self, store: Store) -> None:
        self._store = store

    def version(self) -> object:
        return self._store.postmortems.published_version()

    def documents(self) -> list[tuple[str, str]]:
        return [(p.file_name, p.markdown) for p in self._store.postmortems.published()]


@contextmanager
def published_in(knowledge: KnowledgeBase, settings: Settings) -> Iterator[str]:
    """For one CLI command: `knowledge` with the state store's published post-mortems. Yields "" or, when the
    store cannot be opened, why the answer comes from the folders alone (the question is still answered)."""
    try:
        store = open_store(settings.state_database_url)
    except StoreUnavailable as error:
        yield f"published post-mortems left out: {error}"
        return
    try:
        knowledge.follow(StorePostmortems(store))
        yield ""
    finally:
        store.close()
