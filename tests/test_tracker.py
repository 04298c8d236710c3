"""The incident's GitHub issue through PyGithub against the GitHub stand-in: one issue per incident,
one comment per action, even when GitHub answers 502 after acting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.tracker import IssueTracker, TrackerError, open_tracker
from seed.github import GitHubStandIn

OPENED = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def github() -> Iterator[GitHubStandIn]:
    with GitHubStandIn() as stand_in:
        yield stand_in


def tracker(github: GitHubStandIn) -> IssueTracker:
    return IssueTracker(github.api_url, github.token, github.repo)


def test_a_502_after_creating_the_issue_does_not_create_a_second(github: GitHubStandIn) -> None:
    github.fail("POST", "/issues", 502, after_acting=True)
    number = tracker(github).ensure_issue("INC-2026-1121-0001", "[INC-2026-1121-0001] drift", "diagnosis", OPENED)
    assert number == 1 and len(github.issues) == 1
    # asking again (another replica, a retry after a crash) finds it too
    assert tracker(github).ensure_issue("INC-2026-1121-0001", "[INC-2026-1121-0001] drift", "x", OPENED) == 1
    assert [m for m, p in github.requests if p.endswith("/issues")].count("POST") == 1


def test_a_502_before_creating_is_retried_once(github: GitHubStandIn) -> None:
    github.fail("POST", "/issues", 502)
    assert tracker(github).ensure_issue("INC-2", "[INC-2] x", "body", OPENED) == 1
    assert len(github.issues) == 1 and "<!-- agentops:incident:INC-2 -->" in github.issues[1].body


def test_each_incident_gets_its_own_issue(github: GitHubStandIn) -> None:
    issues = tracker(github)
    assert [issues.ensure_issue(f"INC-{n}", f"[INC-{n}]", "b", OPENED) for n in (1, 2, 1)] == [1, 2, 1]


def test_comments_are_posted_once_per_key_and_closing_closes(github: GitHubStandIn) -> None:
    issues = tracker(github)
    number = issues.ensure_issue("INC-3", "[INC-3]", "b", OPENED)
    github.fail("POST", "/comments", 502, after_acting=True)
    issues.comment(number, "action:r1", "rollback completed")
    issues.comment(number, "action:r1", "rollback completed")  # a replay
    issues.close(number, "resolved", "resolved")
    assert [c.split("\n")[0] for c in github.issues[number].comments] == ["rollback completed", "resolved"]
    assert github.issues[number].state == "closed"


def test_github_down_is_a_tracker_error_without_the_token(github: GitHubStandIn) -> None:
    github.fail("GET", "/issues", 503, times=10)
    with pytest.raises(TrackerError) as raised:
        tracker(github).ensure_issue("INC-4", "[INC-4]", "b", OPENED)
    assert github.token not in str(raised.value) and "ml-platform/incidents" in str(raised.value)


def test_bad_credentials_are_a_clear_error(github: GitHubStandIn) -> None:
    with pytest.raises(TrackerError, match="HTTP 401: Bad credentials"):
        IssueTracker(github.api_url, "ghp-wrong", github.repo).ensure_issue("INC-5", "t", "b", OPENED)


def test_not_configured_means_no_tracker() -> None:
    assert open_tracker(load_settings()) is None
    assert open_tracker(load_settings(github_token="ghp-x", github_repo="a/b")) is not None
