"""Pure builders for post-mortems: the draft in the incident's thread with [Publish] and [Discard] (Discard
asks first), the same message once decided, and the private answers to a click that decided nothing."""

from __future__ import annotations

from collections.abc import Sequence

from bot.postmortems.claude_draft import sections_of
from bot.postmortems.decisions import Decided
from bot.postmortems.template import HEADINGS
from bot.store.records import Postmortem
from handlers.actions.ids import DISCARD_POSTMORTEM, PUBLISH_POSTMORTEM
from handlers.blocks import Blocks, button, context, header, section, to_mrkdwn
from handlers.mrkdwn import code, esc, mention, when
from handlers.permission_blocks import deciders

DRAFTED_BY = {"claude": "Drafted by Claude from the incident's run trace",
              "template": "Filled in from the incident's record"}


def _body(postmortem: Postmortem, headings: Sequence[str] = HEADINGS) -> Blocks:
    sections = sections_of(postmortem.markdown)
    return [section(f"*{heading}*\n{to_mrkdwn(sections[heading])}") for heading in headings if sections.get(heading)]


def _confirm_discard(postmortem: Postmortem) -> dict:
    return {"title": {"type": "plain_text", "text": "Discard the post-mortem?"},
            "text": {"type": "plain_text", "text": f"The draft of {postmortem.incident_id} is kept in the store as "
                                                   "discarded, and never joins the knowledge index."},
            "confirm": {"type": "plain_text", "text": "Discard"},
            "deny": {"type": "plain_text", "text": "Keep the draft"}, "style": "danger"}


def draft(postmortem: Postmortem) -> tuple[str, Blocks]:
    discard = button("Discard", DISCARD_POSTMORTEM, postmortem.incident_id, style="danger")
    discard["confirm"] = _confirm_discard(postmortem)
    blocks = [header(f"📝 Post-mortem draft: {postmortem.incident_id}"), *_body(postmortem),
              context(f"{DRAFTED_BY.get(postmortem.drafted_by, 'Drafted')}. Publishing stores it as "
                      f"{code(postmortem.file_name)}, comments it on the incident's GitHub issue (if it has one) "
                      "and adds it to the past incidents the next investigation and @mention search."),
              {"type": "actions", "elements": [
                  button("Publish", PUBLISH_POSTMORTEM, postmortem.incident_id, style="primary"), discard]}]
    return f"Post-mortem draft for {esc(postmortem.incident_id)}: publish or discard it", blocks


def decided(postmortem: Postmortem, notes: Sequence[str]) -> tuple[str, Blocks]:
    by = f"{mention(postmortem.decided_by)}" + (f" {when(postmortem.decided_at)}" if postmortem.decided_at else "")
    if postmortem.status == "published":
        where = "; ".join(esc(n) for n in notes)
        blocks = [header(f"📗 Post-mortem: {postmortem.incident_id}"), *_body(postmortem),
                  context(f"✅ Published by {by}" + (f": {where}" if where else ""))]
        return f"Post-mortem for {esc(postmortem.incident_id)} published", blocks
    blocks = [header(f"🗑️ Post-mortem discarded: {postmortem.incident_id}"), *_body(postmortem, ("Summary",)),
              context(f"Discarded by {by}: kept in the state store as discarded; it is not in the knowledge index.")]
    return f"Post-mortem for {esc(postmortem.incident_id)} discarded", blocks


def refusal(result: Decided) -> str:
    """Why a click decided nothing, for the clicker alone."""
    verb = "publish" if result.decision == "published" else "discard"
    if result.outcome == "not_allowed" and result.why:
        return f"{esc(result.why)}."
    if result.outcome == "not_allowed":
        who = ", ".join(deciders(list(result.approvers)))
        return f"Only the approvers ({who}) may {verb} a post-mortem: a published one is evidence later " \
               "investigations cite. Ask one of them."
    if result.outcome == "unknown":
        return "That post-mortem is not in the state store; nothing changed."
    if result.outcome == "wrong_message":
        return "A post-mortem is published or discarded only from its own draft in the incident's thread."
    stored = result.postmortem
    if stored is None:
        return "That post-mortem was decided already; nothing changed."
    since = f" {when(stored.decided_at)}" if stored.decided_at else ""
    return f"The post-mortem of {esc(stored.incident_id)} was already {stored.status} by {mention(stored.decided_by)}" \
           f"{since}; nothing changed."
