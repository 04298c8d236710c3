"""Which investigator answers: Claude when there is a client, the offline runbook investigator
otherwise (and as Claude's fallback). The Claude loop, and with it the Anthropic SDK, is imported
only when a client exists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.investigation import InvestigationResult
from agents.offline import offline
from agents.prompt import Briefing
from agents.subject import Subject
from agents.tools import ToolContext
from bot.config import Settings

if TYPE_CHECKING:
    import anthropic


def investigate(ctx: ToolContext, subject: Subject, alert_id: str | None, client: anthropic.Anthropic | None,
                settings: Settings, briefing: Briefing | None = None) -> InvestigationResult:
    """Claude when there is a client, the offline investigator otherwise (and as Claude's fallback)."""
    if client is None:
        return offline(ctx, subject, alert_id)
    from agents.loop import ClaudeInvestigator

    return ClaudeInvestigator(client, settings).investigate(ctx, subject, alert_id, briefing)
