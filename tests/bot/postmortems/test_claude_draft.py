"""With an Anthropic key, Claude drafts the post-mortem from the run trace: one Messages call (the real
anthropic client against the scripted Messages API), the trace as its input, the template's headings
enforced; an error, a hung API or an answer out of the template leaves the draft filled in from the record."""

from __future__ import annotations

import time
from pathlib import Path

from bot.claude import anthropic_client
from bot.config import load_settings
from bot.postmortems import template
from bot.postmortems.claude_draft import claude_draft
from bot.redact import Redactor
from bot.run_trace import Lookup, run_trace
from tests.fakes.messages_api import ScriptedMessagesAPI, message, text
from tests.helpers.postmortems import WRITTEN, postmortem_or_investigation, resolved_demo_incident


def test_with_a_key_claude_drafts_it_from_the_trace_and_the_record_keeps_the_severity(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    with ScriptedMessagesAPI(postmortem_or_investigation(WRITTEN)) as api, resolved_demo_incident(
            tmp_path, now, anthropic_api_key="sk-ant-test", anthropic_base_url=api.base_url) as (d, _, draft):
        [call] = [r for r in api.requests if "tools" not in r]  # one Messages call for the post-mortem
        assert call["max_tokens"] == d.deps.settings.postmortem_max_tokens == 2000
        prompt = call["messages"][0]["content"]
        assert prompt.startswith(f"Run trace of {draft.incident_id}:\n{{\"trace_version\": 1")
        assert '"name": "query_feature_drift"' in prompt  # the investigation's steps are in the trace
        assert all(f"## {h}" in call["system"] for h in template.HEADINGS)
        assert draft.drafted_by == "claude"
        assert draft.markdown.startswith(f"# Incident Report: {draft.incident_id}\n\n## Summary\nclassifier_v2 drifted")
        assert "## Lessons Learned\n- Range-check the vendor fields behind V14." in draft.markdown
        assert "## Severity\nP1 (critical)" in draft.markdown and "P3" not in draft.markdown


def test_when_claude_fails_the_draft_is_the_template_filled_in_from_the_record(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    answers = {"a heading missing": message([text(WRITTEN.replace("## Lessons Learned", "## Takeaways"))]),
               "cut at max_tokens": message([text(WRITTEN[:200])], stop_reason="max_tokens"),
               "refusal": message([text("")], stop_reason="refusal")}
    fault = ""
    with resolved_demo_incident(tmp_path, now) as (d, _, draft), \
            ScriptedMessagesAPI(lambda body, index: answers.get(fault) or message([text(WRITTEN)])) as api:
        assert draft.drafted_by == "template"  # no key: filled in from the record
        client = anthropic_client(load_settings(agentops_data_dir=tmp_path, anthropic_api_key="sk-ant-test",
                                                anthropic_base_url=api.base_url))
        assert client is not None
        trace = run_trace(d.deps.store, Lookup("incident", draft.incident_id), d.clock.now(), Redactor())
        fallback = template.draft(trace)
        assert claude_draft(client, "claude-sonnet-4-6", trace, fallback, timeout_sec=5, max_tokens=1000) is not None
        for fault in ("a heading missing", "cut at max_tokens", "refusal", "HTTP 500", "hung"):
            if fault == "HTTP 500":
                api.fail_next(500)
                api.fail_next(500)
            if fault == "hung":
                api.hang_next(times=2)  # the call and its one retry
            started = time.monotonic()
            assert claude_draft(client, "claude-sonnet-4-6", trace, fallback, timeout_sec=0.5, max_tokens=1000) \
                is None, fault
            assert time.monotonic() - started < 10, fault  # bounded: a hung API never holds a draft for long
