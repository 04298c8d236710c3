"""Answers to runbook questions: Claude composes from the retrieved passages only, citing them;
without a key, past a budget cap, or when Claude fails, the passages themselves are quoted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from agents.investigation import Budget
from agents.knowledge import KnowledgeBase, Passage

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger("agentops.answer")
SYSTEM = ("You answer on-call engineers' questions about ML operations using ONLY the passages given. "
          "Cite each fact with its source in square brackets exactly as given, e.g. "
          "[runbooks/model_drift.md › Decision tree]. If the passages do not answer the question, say so. "
          "Be brief: at most 8 lines, Slack mrkdwn.")


def answer(knowledge: KnowledgeBase, question: str, client: anthropic.Anthropic | None,
           model: str, budget: Budget | None = None) -> tuple[str, list[Passage]]:
    quoted, passages = knowledge.answer(question)
    if client is None or not passages:
        return quoted, passages
    if budget is not None and (spent := budget.over_budget()):  # past a cap the passages cost nothing
        log.info("Claude was not asked to compose the answer: %s; quoting the passages", spent)
        return quoted, passages
    import anthropic  # a client exists, so the SDK is in use anyway

    sources = "\n\n".join(f"[{p.citation}]\n{p.text}" for p in passages)
    try:
        response = client.messages.create(
            model=model, max_tokens=800, system=SYSTEM,
            messages=[{"role": "user", "content": f"Passages:\n\n{sources}\n\nQuestion: {question}"}])
    except anthropic.APIError as error:
        log.warning("Claude could not compose the answer (%s); quoting the passages", type(error).__name__)
        return quoted, passages
    if budget is not None:
        budget.charge(model, response.usage)
    text = "".join(block.text for block in response.content if block.type == "text").strip()
    if response.stop_reason == "refusal" or not text:
        return quoted, passages
    return text, passages
