"""AUTO_INVESTIGATE: an alert post is investigated without a click (off, critical or all).

Called once the post is recorded — for swept and ingested alerts alike — by the replica that made
the post. The investigation is claimed in the state store before it is dispatched (the same
compare-and-set a click makes, so replicas and clicks never run it twice), then run in the
background in the post's thread, at most AUTO_INVESTIGATE_CONCURRENCY at a time per replica.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.analytics import AGENT_HEALTH
from bot.deps import Deps
from bot.investigations import claim, run_claimed
from bot.notify import PostRef
from bot.store.records import StoredAlert

log = logging.getLogger("agentops.investigation")
# who "requested" an investigation nobody clicked for: never a person, so anyone may approve its proposals
AUTO_REQUESTER = "auto-investigation"


def wanted(mode: str, alerts: Sequence[StoredAlert]) -> bool:
    if any(a.alert_type == AGENT_HEALTH for a in alerts):
        return False  # the bot's own drift: nothing in the warehouse to investigate, people look at the bot
    if mode == "all":
        return bool(alerts)
    return mode == "critical" and any(a.severity == "critical" for a in alerts)


async def alert_posted(deps: Deps, group: Sequence[StoredAlert], post: PostRef) -> bool:
    """`group`: the post's alerts, its lead first (one incident per post, investigated once). True when
    this call claimed the investigation; never raises (the post is made whatever happens here)."""
    if not wanted(deps.settings.auto_investigate, group):
        return False
    lead = group[0]
    try:
        record = await claim(deps, component=lead.component, text=lead.fingerprint, requested_by=AUTO_REQUESTER,
                             thread=post, alert_id=lead.alert_id, auto=True)
    except Exception:
        log.exception("could not claim the auto-investigation of %s; Investigate on the post still works",
                      lead.fingerprint)
        return False
    if record is None:
        return False  # a click got there first
    deps.auto_investigations.spawn(run_claimed(deps, record))
    return True
