"""Post-mortem settings refuse what cannot work in one line; the draft shows untrusted text (alert messages,
what Claude wrote) literally, inside Slack's limits; a folder that cannot be written is said in the message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.postmortems.decisions import Decided, decide_postmortem
from bot.store.records import Postmortem
from handlers.postmortem_blocks import decided, draft, refusal
from tests.helpers.postmortems import resolved_demo_incident
from tests.helpers.remediation import LEAD


def test_postmortem_settings_say_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError) as error:
        load_settings(agentops_data_dir=tmp_path, postmortem_dir=tmp_path / "a-file")
    assert "POSTMORTEM_DIR" in str(error.value) and "is a file" in str(error.value)
    with pytest.raises(ConfigError) as error:
        load_settings(agentops_data_dir=tmp_path, postmortem_draft_timeout_sec=0)
    assert "POSTMORTEM_DRAFT_TIMEOUT_SEC" in str(error.value)
    assert load_settings(agentops_data_dir=tmp_path, postmortem_dir="").postmortem_dir is None


def test_untrusted_text_in_a_draft_is_shown_literally_and_within_slacks_limits() -> None:
    hostile = ("# Incident Report: INC-2026-1201-AAAA\n\n## Summary\n<!channel> see <https://evil.example|docs> "
               "& <@U0BOSS>\n\n## Timeline\n" + "- 12:00 — " + "x" * 5000 + "\n\n## Root Cause\n**bold** cause\n")
    postmortem = Postmortem("INC-2026-1201-AAAA", "inc_2026_1201_x.md", hostile, "claude",
                            datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "draft", "C0MLALERTS", "1.0", None, None)
    text, blocks = draft(postmortem)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    print("\n".join(sections)[:600])
    assert sections[0] == ("*Summary*\n&lt;!channel&gt; see &lt;https://evil.example|docs&gt; &amp; "
                           "&lt;@U0BOSS&gt;")
    assert all(len(s) <= 3000 for s in sections) and sections[1].endswith(" …")
    assert sections[2] == "*Root Cause*\n*bold* cause"
    assert len(blocks) <= 50 and "<!channel>" not in text
    shown = Postmortem(*[getattr(postmortem, f) for f in ("incident_id", "file_name", "markdown", "drafted_by",
                                                          "drafted_at")], "discarded", "C0MLALERTS", "1.0",
                       "U0LEAD", datetime(2026, 12, 1, 12, 5, tzinfo=UTC))
    _, gone = decided(shown, [])
    assert [b["type"] for b in gone] == ["header", "section", "context"]  # the summary, and who discarded it
    assert gone[-1]["elements"][0]["text"].startswith("Discarded by <@U0LEAD> <!date^")


def test_a_refused_click_names_the_policys_approvers_groups_included_or_says_why() -> None:
    text = refusal(Decided("not_allowed", "published", approvers=("U0LEAD", "S0MLLEADS")))
    print(text)
    assert text.startswith("Only the approvers (<@U0LEAD>, <!subteam^S0MLLEADS>) may publish a post-mortem")
    unconfirmed = "Slack could not confirm the approver groups' members just now; try again in a minute"
    assert refusal(Decided("not_allowed", "discarded", why=unconfirmed)) == f"{unconfirmed}."


def test_a_folder_that_cannot_be_written_is_said_and_the_rest_still_happens(tmp_path: Path, now) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "blocked"
    blocked.write_text("")  # a file where the folder should be made below it
    with resolved_demo_incident(tmp_path, now, postmortem_dir=blocked / "postmortems") as (d, _, pm):
        post = d.announcer.of("postmortem_drafted")[0].details["post"]
        result = asyncio.run(decide_postmortem(d.deps, pm.incident_id, LEAD, "published", post.channel, post.ts))
        assert result.outcome == "published"
        assert result.notes[0] == "added to the knowledge index"
        assert result.notes[1].startswith("commented on GitHub issue #")
        assert result.notes[2].startswith(f"not written to {blocked / 'postmortems'}: ")
