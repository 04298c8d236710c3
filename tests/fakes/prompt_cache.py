"""A model of Anthropic's prompt cache for the scripted Messages API: usage computed from the request.

A request is a sequence of blocks (tools, system blocks, then each message's content blocks). Each
cache_control marks a breakpoint; the prefix up to it is written to the cache if it is at least the
model's minimum. A later request reads the longest prefix it shares with a written one, looking
back from its breakpoints (the API looks back 20 blocks). Tokens are estimated as characters / 4.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

LOOKBACK = 20


def _tokens(block: object) -> int:
    return max(1, len(json.dumps(block, ensure_ascii=False, sort_keys=True)) // 4)


def _blocks(body: dict) -> list[tuple[object, bool]]:
    """(block without its cache_control, marked) in the order the API caches them."""
    found: list[tuple[object, bool]] = []

    def add(block: object, role: str = "") -> None:
        marked = isinstance(block, dict) and "cache_control" in block
        plain = {k: v for k, v in block.items() if k != "cache_control"} if isinstance(block, dict) else block
        found.append(({"role": role, "block": plain} if role else plain, marked))

    for tool in body.get("tools") or []:
        add(tool)
    system = body.get("system") or []
    for block in ([{"type": "text", "text": system}] if isinstance(system, str) else system):
        add(block)
    for message in body["messages"]:
        content = message["content"]
        for block in ([{"type": "text", "text": content}] if isinstance(content, str) else content):
            add(block, message["role"])
    return found


class PromptCache:
    def __init__(self, minimum_tokens: int = 1024) -> None:
        self.minimum = minimum_tokens
        self.written: set[str] = set()

    def usage(self, body: dict) -> dict:
        """input_tokens (uncached), cache_creation_input_tokens, cache_read_input_tokens of `body`."""
        blocks = _blocks(body)
        sizes = [_tokens(b) for b, _ in blocks]
        digests, running = [], hashlib.sha256()
        for block, _ in blocks:
            running.update(json.dumps(block, sort_keys=True).encode())
            digests.append(running.copy().hexdigest())
        marks = [i for i, (_, marked) in enumerate(blocks) if marked]
        read_to = -1  # last block index read from the cache
        for mark in marks:
            for i in range(mark, max(-1, mark - LOOKBACK), -1):
                if digests[i] in self.written:
                    read_to = max(read_to, i)
                    break
        write_to = read_to
        for mark in marks:
            if mark > read_to and sum(sizes[: mark + 1]) >= self.minimum:
                self.written.add(digests[mark])
                write_to = max(write_to, mark)
        read = sum(sizes[: read_to + 1])
        written = sum(sizes[read_to + 1: write_to + 1])
        return {"input_tokens": sum(sizes[write_to + 1:]), "cache_creation_input_tokens": written,
                "cache_read_input_tokens": read}


def with_cached_usage(responder: Callable[[dict, int], dict], cache: PromptCache) -> Callable[[dict, int], dict]:
    """Usage from `cache` for the request, output tokens estimated from the reply's content."""
    def respond(body: dict, index: int) -> dict:
        reply = responder(body, index)
        reply["usage"] = {**cache.usage(body), "output_tokens": _tokens(reply["content"])}
        return reply
    return respond
