"""The demo's investigation, recorded: the drift alert posted and investigated in the domain (the demo ML
service on loopback, the embedded warehouse seeded), its record read back from the state store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.replay.record import Record
from tests.helpers.domain import Domain
from tests.helpers.remediation import play, remediation


async def _nothing(_requests: object) -> None:
    """No one clicks: the story ends at the diagnosis."""


@contextmanager
def recorded_demo(tmp_path: Path, now: datetime, **settings: object) -> Iterator[tuple[Domain, str, Record]]:
    """(the domain, the investigation's id, its record) once the demo's investigation has answered (by
    Claude, given an ANTHROPIC_API_KEY and the scripted Messages API's URL in `settings`)."""
    with remediation(tmp_path, now, **settings) as (d, _service):
        play(d, _nothing)
        [investigation] = d.deps.store.investigations.recent()
        kept = d.deps.store.replays.record(investigation.investigation_id)
        assert kept is not None, "the investigation kept no record"
        yield d, investigation.investigation_id, Record.from_json(kept.record)
