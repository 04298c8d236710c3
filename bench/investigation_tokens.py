"""Model calls and tokens for the drift investigation through the scripted Messages API.

Run: .venv/bin/python bench/investigation_tokens.py [--smoke]   (one investigation either way: seconds)

The real loop and the real anthropic client run against a scripted model that asks for the
tools a careful investigator would (runbooks, metrics, per-feature drift, data quality, trend,
incidents) and then answers. Token counts are estimated from the actual request bodies (four
characters a token): what our prompt, tool schemas and capped tool outputs weigh.
Goal: ≤ 8 calls and ≤ 30k uncached input tokens.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import anthropic

from agents.knowledge import KnowledgeBase
from agents.loop import ClaudeInvestigator
from agents.subject import Subject
from agents.tools import ToolContext
from bot.clock import ManualClock, naive_utc
from bot.config import load_settings
from bot.warehouse import open_warehouse
from seed.loader import seed
from tests.fakes.messages_api import ScriptedMessagesAPI, final_when_tools_off, tool_use, with_estimated_usage

STEPS = [
    [tool_use("search_runbooks", question="model drift above 0.3 with F1 dropping")],
    [tool_use("query_model_metrics", model_name="classifier_v2", hours=24),
     tool_use("query_feature_drift", model_name="classifier_v2")],
    [tool_use("query_data_quality", pipeline_name="transactions_ingest"),
     tool_use("query_metric_trend", component="classifier_v2", metric="drift_score")],
    [tool_use("search_incidents", question="V14 V17 drift vendor change")],
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="accepted for CI; the bench is one run already")
    parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as data_dir, \
            open_warehouse(load_settings(agentops_data_dir=data_dir)) as warehouse, \
            ScriptedMessagesAPI(with_estimated_usage(final_when_tools_off(STEPS))) as api:
        seed(warehouse, "drift", naive_utc(now), reset=True)
        ctx = ToolContext(warehouse, KnowledgeBase(), ManualClock(now))
        client = anthropic.Anthropic(api_key="sk-ant-bench", base_url=api.base_url, max_retries=0)
        outcome = ClaudeInvestigator(client, "claude-sonnet-4-6", 8, 60_000).investigate(
            ctx, Subject("classifier_v2", "model", "F1 dropped to 0.82 on classifier_v2"))
    usage = outcome.usage
    prefix = usage.cache_write_tokens
    print(f"engine {outcome.engine}: {outcome.diagnosis.root_cause_category}")
    print(f"model calls:                 {usage.calls}  (goal ≤ 8)")
    print(f"uncached input tokens:       {usage.input_tokens:,}  (goal ≤ 30,000; all calls, estimated)")
    print(f"cacheable prefix per call:   {prefix:,}  (system + tools; written once, read {usage.calls - 1}×: "
          f"{usage.cache_read_tokens:,})")
    print(f"output tokens:               {usage.output_tokens:,}")


if __name__ == "__main__":
    main()
