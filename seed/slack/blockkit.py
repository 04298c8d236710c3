"""Block Kit validation as Slack applies it: slack_sdk's models plus the limits Slack enforces.

Block.validate_json() checks a block's own fields only, so elements (buttons in actions blocks,
section accessories) are parsed and validated one by one as well.
"""

from __future__ import annotations

import re
import time
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.blocks.block_elements import BlockElement

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
# context_actions holds only these, at most 5 (docs.slack.dev: Context actions block), and
# feedback_buttons are allowed nowhere else
CONTEXT_ACTIONS_ELEMENTS = {"feedback_buttons", "icon_button"}
CONTEXT_ACTIONS_MAX = 5
FEEDBACK_TEXT_MAX, FEEDBACK_VALUE_MAX, FEEDBACK_LABEL_MAX = 75, 2000, 75
_DATE = re.compile(r"<!date\^(\d+)\^([^|<>]*)\|([^<>]*)>")
_LINK = re.compile(r"<(?:https?|mailto):[^|<>]*\|([^<>]*)>")


def _element_errors(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"element must be an object [json-pointer:{where}]"]
    if element.get("type") in ("plain_text", "mrkdwn", "image"):  # context elements may be text or images
        return []
    try:
        parsed = BlockElement.parse(element)
    except (TypeError, ValueError, KeyError) as error:  # a known type missing a required field
        return [f"invalid element: {error} [json-pointer:{where}]"]
    if parsed is None:
        return [f"unsupported element type {element.get('type')!r} [json-pointer:{where}]"]
    try:
        parsed.validate_json()
    except SlackObjectFormationError as error:
        return [f"{error} [json-pointer:{where}]"]
    return []


def _feedback_errors(element: dict, where: str) -> list[str]:
    """Slack's rules for feedback_buttons beyond what slack_sdk checks: both buttons, plain_text ≤ 75,
    a value ≤ 2,000, an accessibility label ≤ 75."""
    errors = []
    for side in ("positive_button", "negative_button"):
        button = element.get(side)
        at = f"{where}/{side}"
        if not isinstance(button, dict):
            errors.append(f"missing required field: {side} [json-pointer:{at}]")
            continue
        text = button.get("text")
        if not isinstance(text, dict) or text.get("type") != "plain_text" or not text.get("text"):
            errors.append(f"text must be a plain_text object [json-pointer:{at}/text]")
        elif len(text["text"]) > FEEDBACK_TEXT_MAX:
            errors.append(f"must be less than {FEEDBACK_TEXT_MAX + 1} characters [json-pointer:{at}/text]")
        value = button.get("value")
        if not isinstance(value, str) or not value or len(value) > FEEDBACK_VALUE_MAX:
            errors.append(f"value must be a string of 1 to {FEEDBACK_VALUE_MAX} characters [json-pointer:{at}/value]")
        label = button.get("accessibility_label")
        if label is not None and (not isinstance(label, str) or len(label) > FEEDBACK_LABEL_MAX):
            errors.append(f"must be less than {FEEDBACK_LABEL_MAX + 1} characters "
                          f"[json-pointer:{at}/accessibility_label]")
    if len(str(element.get("action_id", ""))) > 255:
        errors.append(f"must be less than 256 characters [json-pointer:{where}/action_id]")
    return errors


def _context_actions_errors(raw: dict, where: str) -> list[str]:
    elements = raw.get("elements")
    if not isinstance(elements, list) or not elements:
        return [f"must provide at least 1 element [json-pointer:{where}/elements]"]
    errors = [f"must provide no more than {CONTEXT_ACTIONS_MAX} items [json-pointer:{where}/elements]"] \
        if len(elements) > CONTEXT_ACTIONS_MAX else []
    for j, element in enumerate(elements):
        at = f"{where}/elements/{j}"
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in CONTEXT_ACTIONS_ELEMENTS:
            errors.append(f"unsupported element type {kind!r} in context_actions [json-pointer:{at}]")
        elif kind == "feedback_buttons":
            errors += _feedback_errors(element, at)
    return errors


def validate_blocks(blocks: Any, max_blocks: int = MESSAGE_BLOCKS) -> list[str]:
    """Slack's `invalid_blocks` reasons for `blocks`, empty when Slack would accept them."""
    if not isinstance(blocks, list):
        return ["blocks must be an array [json-pointer:/blocks]"]
    errors = []
    if len(blocks) > max_blocks:
        errors.append(f"must provide no more than {max_blocks} items [json-pointer:/blocks]")
    for i, raw in enumerate(blocks):
        where = f"/blocks/{i}"
        try:
            block = Block.parse(raw) if isinstance(raw, dict) else None
        except (TypeError, ValueError, KeyError) as error:  # a known type missing a required field
            errors.append(f"invalid block: {error} [json-pointer:{where}]")
            continue
        if block is None:
            errors.append(f"unsupported block type [json-pointer:{where}]")
            continue
        try:
            block.validate_json()
        except SlackObjectFormationError as error:
            errors.append(f"{error} [json-pointer:{where}]")
        if raw.get("type") == "context_actions":
            errors += _context_actions_errors(raw, where)
        for j, element in enumerate(raw.get("elements", []) if raw.get("type") in ("actions", "context") else []):
            if isinstance(element, dict) and element.get("type") == "feedback_buttons":
                errors.append("feedback_buttons are only allowed in context_actions "
                              f"[json-pointer:{where}/elements/{j}]")
                continue
            errors += _element_errors(element, f"{where}/elements/{j}")
        if "accessory" in raw:
            errors += _element_errors(raw["accessory"], f"{where}/accessory")
    return errors


def validate_view(view: Any) -> list[str]:
    if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
        return ["view must be an object of type home or modal [json-pointer:/view]"]
    return validate_blocks(view.get("blocks", []), VIEW_BLOCKS)


def as_read(text: str) -> str:
    """mrkdwn as a person reads it: a date token as its fallback (the UTC time), a link as its label,
    and Slack's three escapes as the characters they stand for."""
    text = _LINK.sub(r"\1↗", _DATE.sub(_date, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _date(token: re.Match) -> str:
    """`{ago}` as Slack counts it for the reader now; any other format as its UTC fallback."""
    if token.group(2) != "{ago}":
        return token.group(3)
    minutes = max(0, int(time.time() - int(token.group(1))) // 60)
    if minutes < 1:
        return "just now"
    amount, unit = (minutes, "minute") if minutes < 60 else (minutes // 60, "hour") if minutes < 2880 \
        else (minutes // 1440, "day")
    return f"{amount} {unit}{'s' if amount != 1 else ''} ago"


def blocks_text(blocks: list[dict] | None) -> str:
    """What a person reads in these blocks, one line per block (used by the transcript)."""
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind in ("section", "header"):
            if block.get("text"):
                lines.append(block["text"].get("text", ""))
            lines += [f.get("text", "") for f in block.get("fields", [])]
            if block.get("accessory", {}).get("type") == "button":
                lines.append(f"[{block['accessory']['text']['text']}]")
        elif kind == "context":
            lines.append(" · ".join(e.get("text", e.get("alt_text", "")) for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block.get("elements", []) if "text" in e))
        elif kind == "context_actions":
            lines.append(" ".join(f"[{e[side]['text']['text']}]" for e in block.get("elements", [])
                                  for side in ("positive_button", "negative_button") if side in e))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "divider":
            lines.append("───")
    return as_read("\n".join(line for line in lines if line))
