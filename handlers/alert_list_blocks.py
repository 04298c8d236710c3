"""`/agentops alerts`: the firing alerts, a page at a time, with ‹ Previous / Next › to redraw in place."""

from __future__ import annotations

from datetime import datetime

from bot.store.records import StoredAlert
from handlers.blocks import Blocks, alert_line, context, section
from handlers.mrkdwn import esc
from handlers.pages import page_buttons, page_of

ALERTS_PER_PAGE = 20  # one section each: 20 + title, hint and buttons stay far inside 50 blocks
ALERTS_PAGE = "alerts_page"  # the buttons' action id prefix (handlers/actions/page_alerts.py)


def alerts_list(alerts: list[StoredAlert], now: datetime, page: int = 1) -> tuple[str, Blocks]:
    if not alerts:
        return "No alerts are firing.", [section("✅ No alerts are firing.")]
    text = f"{len(alerts)} firing alert(s)"
    shown = page_of(alerts, page, ALERTS_PER_PAGE)
    where = f" · page {shown.number} of {shown.pages}, or `/agentops alerts {shown.number + 1}`" \
        if shown.number < shown.pages else ""
    # a section per alert: a long message is cut inside its own section, never mid-token in a shared one
    return text, [section(f"*{text}* — {shown.showing}"),
                  *(section(alert_line(alert, now)) for alert in shown.items),
                  context(esc("Silence one with `/agentops silence <fingerprint> 4h`.") + where),
                  *page_buttons(shown, ALERTS_PAGE)]
