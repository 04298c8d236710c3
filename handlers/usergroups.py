"""Who is in a Slack user group, for approvers named by group: `usergroups.users.list` through the
edge (needs the usergroups:read scope). The domain caches the answer (bot/permissions/governance.py)."""

from __future__ import annotations

from handlers.slack_edge import SlackEdge, SlackFailure


class SlackGroupDirectory:
    def __init__(self, edge: SlackEdge) -> None:
        self.edge = edge

    async def members(self, group_id: str) -> list[str] | None:
        answer = await self.edge.call("usergroups.users.list",
                                      self.edge.client.usergroups_users_list(usergroup=group_id))
        if isinstance(answer, SlackFailure):
            return None  # already logged and counted by the edge
        users = answer.get("users")
        return [u for u in users if isinstance(u, str)] if isinstance(users, list) else None
