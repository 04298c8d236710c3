"""One Messages API call within what is left of the investigation's deadline, and every way it can
fail turned into a ClaudeFailed with a kind and a sentence for the thread.

The SDK raises APIError subclasses for HTTP errors, but a garbled 200 gets past it: malformed JSON
raises JSONDecodeError, an HTML page comes back as a str, an error body as a Message of Nones. A
response is used only once it has the shape of a message.
"""

from __future__ import annotations

from typing import Any

import anthropic
from anthropic.types import Message

# the SDK's wait between attempts when no retry-after is sent: 0.5 s doubling, at most 8 s
_BACKOFF_START, _BACKOFF_MAX = 0.5, 8.0


class ClaudeFailed(Exception):
    def __init__(self, kind: str, note: str) -> None:
        super().__init__(note)
        self.kind, self.note = kind, note


def ask(client: anthropic.Anthropic, params: dict[str, Any], *, remaining: float, timeout: float,
        retry_after_cap: float) -> Message:
    """The response, from at most as many attempts as fit in `remaining` seconds."""
    if remaining <= 0:
        raise ClaudeFailed("deadline", "the investigation reached its deadline")
    attempt = min(timeout, remaining)
    retries = 0
    for n in range(client.max_retries):  # each retry costs a wait and another attempt
        wait = max(retry_after_cap, min(_BACKOFF_START * 2 ** n, _BACKOFF_MAX))
        if attempt * (retries + 2) + wait * (retries + 1) > remaining:
            break
        retries += 1
    try:
        response = client.with_options(timeout=attempt, max_retries=retries).messages.create(**params)
    except Exception as error:  # every failure ends in the offline diagnosis, not only APIError
        raise ClaudeFailed(*classify(error)) from error
    if not (isinstance(response, Message) and response.type == "message" and isinstance(response.content, list)
            and response.usage is not None and response.stop_reason is not None):
        raise ClaudeFailed("invalid_response", f"Claude's API answered with something that is not a message "
                                               f"({_shape(response)})")
    return response


def classify(error: Exception) -> tuple[str, str]:
    """(kind, note). 400/401/403/404 are configuration problems people must fix; retrying will not help."""
    if isinstance(error, anthropic.APITimeoutError):
        return "unreachable", "Claude did not answer in time (APITimeoutError)"
    if isinstance(error, anthropic.APIConnectionError):
        return "unreachable", f"Claude was unreachable ({type(error).__name__})"
    if isinstance(error, anthropic.APIStatusError):
        detail = _api_message(error)
        if error.status_code in (401, 403):
            return "configuration", (f"Claude rejected the credentials ({error.status_code}: {detail}): a "
                                     "configuration problem — check ANTHROPIC_API_KEY and its workspace")
        if error.status_code in (400, 404, 413, 422):
            return "configuration", (f"Claude rejected the request ({error.status_code}: {detail}): a "
                                     "configuration problem — check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL")
        return "unreachable", f"Claude was unavailable ({error.status_code}: {detail})"
    if isinstance(error, anthropic.APIResponseValidationError | ValueError | TypeError):
        return "invalid_response", f"Claude's API answered with something unreadable ({type(error).__name__})"
    return "invalid_response", f"the call to Claude failed ({type(error).__name__}: {str(error)[:120]})"


def _api_message(error: anthropic.APIStatusError) -> str:
    body = error.body if isinstance(error.body, dict) else {}
    inner = body["error"] if isinstance(body.get("error"), dict) else body
    return str(inner.get("message") or inner.get("type") or type(error).__name__)[:160]


def _shape(response: object) -> str:
    if isinstance(response, Message):
        return f"type {response.type!r}"
    return f"a {type(response).__name__}: {str(response)[:60]!r}"
