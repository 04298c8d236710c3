"""Claude drafts the post-mortem from the run trace: one Messages call, the trace as its input (bounded),
its own short timeout, checked against and charged to the shared budget, and the template's headings
enforced on the answer. Any failure — an API error, a timeout, a refusal, an answer missing a heading, a
spent budget — leaves the draft filled in from the record."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from agents.investigation import Budget
from bot.postmortems.template import HEADINGS, render, severity_line

if TYPE_CHECKING:
    import anthropic

log = logging.getLogger("agentops.postmortems")
TRACE_CHARS = 60_000  # ~15k tokens of trace: the story of an incident, never a whole store
SYSTEM = ("You write blameless incident post-mortems for an ML operations team from the run trace of the "
          "incident (JSON: alerts, investigations with their tool calls, diagnosis, approvals, actions, audit, "
          "timings). Use ONLY facts in the trace; times are UTC. Answer with exactly these markdown sections, "
          "in this order, each a level-2 heading: " + ", ".join(f"## {h}" for h in HEADINGS) + ". Timeline: one "
          "line per recorded event, '- HH:MM — event'. Severity: P1 (critical), P2 (warning) or P3. Affected "
          "Components: a comma-separated list of components and features. No title line, nothing else.")
_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)


def claude_draft(client: anthropic.Anthropic, model: str, trace: dict[str, Any], fallback: str,
                 timeout_sec: float, max_tokens: int, budget: Budget | None = None) -> str | None:
    """Claude's post-mortem in the template, or None (the caller keeps `fallback`, the filled-in template)."""
    import anthropic

    incident = trace["incident"]
    if budget is not None and (spent := budget.over_budget()):  # the template costs nothing
        log.info("Claude was not asked to draft the post-mortem of %s: %s", incident["incident_id"], spent)
        return None
    document = json.dumps(_bounded(trace), default=str)
    try:
        response = client.with_options(timeout=timeout_sec, max_retries=1).messages.create(
            model=model, max_tokens=max_tokens, system=SYSTEM,
            messages=[{"role": "user", "content": f"Run trace of {incident['incident_id']}:\n{document}\n\n"
                                                  f"For reference, the draft filled in from the record:\n{fallback}"}])
    except anthropic.APIError as error:
        log.warning("Claude could not draft the post-mortem of %s (%s); the template is filled in from the record",
                    incident["incident_id"], type(error).__name__)
        return None
    if budget is not None:
        budget.charge(model, response.usage)
    text = "".join(block.text for block in response.content if block.type == "text")
    sections = sections_of(text)
    missing = [h for h in HEADINGS if not sections.get(h)]
    if response.stop_reason != "end_turn" or missing:
        log.warning("Claude's post-mortem of %s was not in the template (stop %s, missing %s); using the record's",
                    incident["incident_id"], response.stop_reason, ", ".join(missing) or "nothing")
        return None
    # the severity is the record's, whatever the model wrote: priorities page people
    sections["Severity"] = severity_line(incident["severity"])
    return render(incident["incident_id"], sections)


def sections_of(markdown: str) -> dict[str, str]:
    """The template's sections of a markdown answer, by heading (case and spacing forgiven)."""
    canonical = {h.lower(): h for h in HEADINGS}
    found: dict[str, str] = {}
    parts = _SECTION.split(markdown)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        name = canonical.get(" ".join(heading.split()).lower())
        if name and body.strip():
            found[name] = body.strip()
    return found


def _bounded(trace: dict[str, Any]) -> dict[str, Any]:
    """The trace within TRACE_CHARS: tool outputs are cut first, then whole steps, then the audit."""
    def size(value: object) -> int:
        return len(json.dumps(value, default=str))

    bounded = json.loads(json.dumps(trace, default=str))
    for cap in (1000, 200):
        if size(bounded) <= TRACE_CHARS:
            return bounded
        for run in bounded["investigations"]:
            for step in run["steps"]:
                if isinstance(step.get("output"), str):
                    step["output"] = step["output"][:cap]
    for run in bounded["investigations"]:
        if size(bounded) > TRACE_CHARS:
            run["steps"] = run["steps"][:5]
    if size(bounded) > TRACE_CHARS:
        bounded["audit"] = bounded["audit"][-20:]
    return bounded
