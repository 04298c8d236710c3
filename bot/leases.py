"""What this replica holds: the investigations it claimed and must keep renewing, under one name
that is unique to the process (another replica, or this one restarted, is someone else)."""

from __future__ import annotations

import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class HeldInvestigations:
    owner: str = field(default_factory=replica_name)
    # claimed here and not finished: renewed every third of the lease
    held: set[str] = field(default_factory=set)
    # renewals run on a thread of their own, so a pool busy with investigations never delays them
    # past the lease (which would hand a live investigation to another replica)
    renewer: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentops-lease"))

    def hold(self, investigation_id: str) -> None:
        self.held.add(investigation_id)

    def release(self, investigation_id: str) -> None:
        self.held.discard(investigation_id)
