"""Model calls, tokens and dollars of the drift investigation through the scripted Messages API.

Run: .venv/bin/python bench/investigation_tokens.py [--model claude-haiku-4-5] [--smoke]

The real loop and the real anthropic client (built from Settings by bot/claude.py) run against a
scripted model that asks for the tools a careful investigator would, in parallel where they are
independent, then submits its diagnosis. Usage comes from a model of the prompt cache
(tests/fakes/prompt_cache.py): breakpoints, the model's minimum cacheable prefix, reads of the
longest prefix already written. Tokens are estimated as characters / 4 from the actual request
bodies, so the figures are what our prompt, schemas and trimmed tool outputs weigh; prices are the
configured model's from Settings. `--smoke` runs the same single investigation (it takes seconds).
Goal: ≤ 8 calls, and the cached prefix at or above the model's minimum.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents.knowledge import KnowledgeBase
from agents.loop import ClaudeInvestigator
from agents.prompt import brief
from agents.subject import Subject
from agents.toolrun import estimated_tokens
from agents.tools import ToolContext
from bot.claude import anthropic_client
from bot.clock import ManualClock, naive_utc
from bot.config import load_settings
from bot.rules import RuleSet
from bot.warehouse import open_warehouse
from seed.loader import seed
from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_forced, text, tool_use
from tests.fakes.prompt_cache import PromptCache, with_cached_usage

# a realistic model says a sentence of why before each turn of tool calls
STEPS = [
    [text("Starting from the drift runbook and the model's latest metrics, in parallel."),
     tool_use("search_runbooks", question="model drift above 0.3 with F1 dropping"),
     tool_use("query_model_metrics", model_name="classifier_v2", hours=24),
     tool_use("query_feature_drift", model_name="classifier_v2")],
    [text("Drift is 0.45 with F1 down; ruling out bad data and finding when it began."),
     tool_use("query_data_quality", pipeline_name="transactions_ingest"),
     tool_use("query_data_quality", pipeline_name="feature_pipeline"),
     tool_use("query_metric_trend", component="classifier_v2", metric="drift_score")],
    [text("Data is healthy; checking past incidents of V14/V17 drift."),
     tool_use("search_incidents", question="V14 V17 drift vendor change")],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the same single run (CI runs it)")
    parser.add_argument("--model", default="claude-sonnet-4-6", help="a model id with prices in Settings")
    args = parser.parse_args()
    now = datetime.now(UTC)
    subject = Subject("classifier_v2", "model", "F1 dropped to 0.82 on classifier_v2")
    with tempfile.TemporaryDirectory() as data_dir, \
            open_warehouse(load_settings(agentops_data_dir=data_dir)) as warehouse:
        seed(warehouse, "drift", naive_utc(now), reset=True)
        ctx = ToolContext(warehouse, KnowledgeBase(), ManualClock(now))
        probe = load_settings(anthropic_model=args.model)
        cache = PromptCache(probe.model_spec.cache_min_tokens)
        with ScriptedMessagesAPI(with_cached_usage(final_when_forced(STEPS), cache)) as api:
            settings = load_settings(anthropic_api_key="sk-ant-bench", anthropic_base_url=api.base_url,
                                     anthropic_model=args.model, anthropic_max_retries=0)
            client = anthropic_client(settings)
            assert client is not None
            outcome = ClaudeInvestigator(client, settings).investigate(
                ctx, subject, briefing=brief(warehouse, subject, RuleSet(), now))
            first = api.requests[0]
    spec = settings.model_spec
    prefix = estimated_tokens(json.dumps(first["tools"]) + json.dumps(first["system"]))
    print(f"model {args.model}; engine {outcome.engine}: {outcome.diagnosis.root_cause_category}"
          + (f" ({outcome.note})" if outcome.note else ""))
    below = " — BELOW its minimum: cached only once the conversation passes it"
    print(f"prefix (tools + system): ≈{prefix:,} tokens; this model caches from {spec.cache_min_tokens:,}"
          + ("" if prefix >= spec.cache_min_tokens else below))
    print(f"{'call':>4} {'stop':>9} {'uncached in':>12} {'cache write':>12} {'cache read':>11} {'output':>7} "
          f"{'USD':>8}")
    for step in (s for s in outcome.steps if s.kind == "model"):
        print(f"{step.turn:>4} {step.stop_reason:>9} {step.input_tokens:>12,} {step.cache_write_tokens:>12,} "
              f"{step.cache_read_tokens:>11,} {step.output_tokens:>7,} {step.cost_usd:>8.4f}")
    usage = outcome.usage
    print(f"{'all':>4} {'':>9} {usage.input_tokens:>12,} {usage.cache_write_tokens:>12,} "
          f"{usage.cache_read_tokens:>11,} {usage.output_tokens:>7,} {usage.cost_usd:>8.4f}")
    uncached = spec.cost_usd(input_tokens=usage.total - usage.output_tokens, output_tokens=usage.output_tokens,
                             cache_write_tokens=0, cache_read_tokens=0)
    print(f"model calls: {usage.calls} (goal ≤ 8); tool calls: {sum(s.kind == 'tool' for s in outcome.steps)}; "
          f"cache misses: {usage.cache_misses}; the same calls with no caching: ${uncached:.4f}")
    if outcome.engine != "claude" or usage.calls > 8:
        raise SystemExit("the investigation did not end in Claude's diagnosis within 8 calls")


if __name__ == "__main__":
    main()
