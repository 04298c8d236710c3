"""The incident's GitHub issue, through PyGithub: opened with the diagnosis, commented on each
action, closed on resolution — each step idempotent.

PyGithub's default retry repeats a POST after a 5xx, and a 502 can arrive after GitHub created
the issue: that is how duplicate issues happen. So POSTs are never retried blindly here: each
issue and comment carries a hidden marker, and before (re)trying a POST the tracker looks for
the marker. GETs and PATCHes (setting a state is idempotent) keep a bounded retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.Issue import Issue
from github.PaginatedList import PaginatedList
from github.Repository import Repository

from bot.config import Settings

T = TypeVar("T")

log = logging.getLogger("agentops.github")
LABELS = ["agentops", "incident"]
POST_ATTEMPTS = 2


class TrackerError(Exception):
    """GitHub could not be reached or refused; the message never contains the token."""


def marker(key: str) -> str:
    return f"<!-- agentops:{key} -->"


class IssueTracker:
    def __init__(self, api_url: str, token: str, repo: str, timeout_sec: int = 10) -> None:
        retry = GithubRetry(total=3, backoff_factor=0.2, allowed_methods={"GET", "PATCH", "HEAD"})
        # lazy: no request until one is needed, so start-up never waits on GitHub
        self._github = Github(base_url=api_url.rstrip("/"), auth=Auth.Token(token), timeout=timeout_sec,
                              retry=retry, lazy=True)
        self.repo_name = repo
        self._repo: Repository = self._github.get_repo(repo)

    def ensure_issue(self, incident_id: str, title: str, body: str, opened_at: datetime) -> int:
        """The incident's issue number, creating the issue only if no issue carries its marker."""
        tag = marker(f"incident:{incident_id}")
        for attempt in range(POST_ATTEMPTS):
            existing = self._find(tag, opened_at)
            if existing is not None:
                return existing.number
            try:
                return self._repo.create_issue(title=title, body=f"{body}\n\n{tag}", labels=LABELS).number
            except (GithubException, requests.RequestException) as error:
                # it may exist anyway (the 502 came after the create): the next lookup decides
                log.warning("creating the issue for %s failed (attempt %d): %s", incident_id, attempt + 1,
                            _short(error))
        existing = self._find(tag, opened_at)
        if existing is None:
            raise TrackerError(f"GitHub did not create the issue for {incident_id} in {self.repo_name}")
        return existing.number

    def comment(self, number: int, key: str, body: str) -> None:
        """Comment once per key: a retried comment finds its marker and is not posted twice."""
        tag = marker(key)
        issue = self._issue(number)
        for _ in range(POST_ATTEMPTS):
            if any(tag in (c.body or "") for c in self._call(issue.get_comments)):
                return
            try:
                issue.create_comment(f"{body}\n\n{tag}")
                return
            except (GithubException, requests.RequestException) as error:
                log.warning("commenting on issue #%d failed: %s", number, _short(error))
        if not any(tag in (c.body or "") for c in self._call(issue.get_comments)):
            raise TrackerError(f"GitHub did not take the comment on issue #{number}")

    def close(self, number: int, key: str, body: str) -> None:
        self.comment(number, key, body)
        self._call(self._issue(number).edit, state="closed")

    def _find(self, tag: str, opened_at: datetime) -> Issue | None:
        # listing by label is read-your-writes, unlike the search API, which indexes with a delay
        issues = self._call(self._repo.get_issues, state="all", labels=LABELS,
                            since=opened_at - timedelta(minutes=5))
        return next((i for i in issues if tag in (i.body or "")), None)

    def _issue(self, number: int) -> Issue:
        return self._call(self._repo.get_issue, number)

    def _call(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            result = method(*args, **kwargs)
            # a paginated listing is read here, so its requests fail inside this try
            return cast(T, list(result)) if isinstance(result, PaginatedList) else result
        except (GithubException, requests.RequestException) as error:
            raise TrackerError(f"GitHub ({self.repo_name}) failed: {_short(error)}") from None


def open_tracker(settings: Settings) -> IssueTracker | None:
    """None when GitHub is not configured: incidents are then tracked in Slack and the warehouse only."""
    if not (settings.github_token and settings.github_repo):
        return None
    return IssueTracker(settings.github_api_url, settings.github_token.get_secret_value(), settings.github_repo)


def _short(error: Exception) -> str:
    if isinstance(error, GithubException):
        message = error.data.get("message") if isinstance(error.data, dict) else None
        return f"HTTP {error.status}" + (f": {message}" if message else "")
    return type(error).__name__
