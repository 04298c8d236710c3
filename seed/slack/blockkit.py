"""Block Kit validation as Slack applies it: slack_sdk's models plus the limits Slack enforces.

Block.validate_json() checks a block's own fields only, so elements (buttons in actions blocks,
section accessories) are parsed and validated one by one as well.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.blocks.block_elements import BlockElement

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100


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
        for j, element in enumerate(raw.get("elements", []) if raw.get("type") in ("actions", "context") else []):
            errors += _element_errors(element, f"{where}/elements/{j}")
        if "accessory" in raw:
            errors += _element_errors(raw["accessory"], f"{where}/accessory")
    return errors


def validate_view(view: Any) -> list[str]:
    if not isinstance(view, dict) or view.get("type") not in ("home", "modal"):
        return ["view must be an object of type home or modal [json-pointer:/view]"]
    return validate_blocks(view.get("blocks", []), VIEW_BLOCKS)


def as_read(text: str) -> str:
    """mrkdwn as a person reads it: Slack shows its three escapes as the characters they stand for."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "divider":
            lines.append("───")
    return as_read("\n".join(line for line in lines if line))
