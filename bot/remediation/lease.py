"""The claim a replica holds on an approved action while it runs it: a lease of `ACTION_LEASE_SEC`,
renewed every third of that by a heartbeat on the bot's loop, and the journal of what was sent.

A replica that stops renewing (it died, or lost the store for longer than its lease) loses the
action to another replica; it notices at its next renewal and then records nothing more, so the
outcome is written once, by the holder.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta

from bot.deps import Deps
from bot.remediation.polling import ActionFailed

log = logging.getLogger("agentops.actions")
# (replica, request id) of the actions this process is running right now: a claim under this replica's
# name that is not in here was left by a run that ended without closing it (its close and its release
# both failed), so this replica may take it over like any other — a single replica has nobody else
_running_here: set[tuple[str, str]] = set()


def lease_of(deps: Deps) -> timedelta:
    return timedelta(seconds=deps.settings.action_lease_sec)


def replica_of(deps: Deps) -> str:
    """This replica's name on the claims it holds: the process, and the Deps within it (tests run several)."""
    return f"{socket.gethostname()}:{os.getpid()}:{id(deps):x}"[:80]


@contextmanager
def running_here(deps: Deps, request_id: str) -> Iterator[bool]:
    """Mark the action as run by this process for the block; False (and nothing marked) when it already is."""
    key = (replica_of(deps), request_id)
    if key in _running_here:
        yield False
        return
    _running_here.add(key)
    try:
        yield True
    finally:
        _running_here.discard(key)


class Claim:
    def __init__(self, deps: Deps, request_id: str) -> None:
        self.deps, self.request_id, self.replica = deps, request_id, replica_of(deps)
        self.lost = False

    async def renew(self) -> bool:
        """One heartbeat; a store that does not answer is not a lost claim (the lease may still hold)."""
        store = self.deps.store.approvals
        try:
            held = await asyncio.to_thread(store.renew, self.request_id, self.replica, self.deps.clock.now(),
                                           lease_of(self.deps))
        except Exception as error:  # an outage of the store; the next beat tries again
            log.warning("could not renew the lease on action %s: %s", self.request_id, error)
            return not self.lost
        if not held and not self.lost:
            log.warning("action %s was taken over by another replica; this one records nothing more",
                        self.request_id)
        self.lost = self.lost or not held
        return not self.lost

    async def _beat(self) -> None:
        every = self.deps.settings.action_lease_sec / 3
        while not self.lost:
            await asyncio.sleep(every)
            await self.renew()

    # the journal, called from the worker thread running the action ------------------------------------
    def sending(self, expected: str | None) -> None:
        """Recorded before the write is sent; when it cannot be, the write is not sent."""
        try:
            held = self.deps.store.approvals.about_to_send(self.request_id, self.replica, expected=expected)
        except Exception as error:
            raise ActionFailed(f"the state store did not record the action before it was sent ({error}); "
                               "nothing was sent to the ML service") from None
        if not held:
            self.lost = True
            raise ActionFailed("another replica took this action over; nothing was sent from this one")

    def run_started(self, run_id: str) -> None:
        try:
            self.deps.store.approvals.started_run(self.request_id, self.replica, run_id)
        except Exception as error:  # this replica still knows the run and verifies it
            log.warning("training run %s of action %s not recorded: %s", run_id, self.request_id, error)


@asynccontextmanager
async def heartbeat(deps: Deps, request_id: str) -> AsyncIterator[Claim]:
    """The claim, renewed in the background while the block runs."""
    claim = Claim(deps, request_id)
    beating = asyncio.get_running_loop().create_task(claim._beat())
    try:
        yield claim
    finally:
        beating.cancel()
