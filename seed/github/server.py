"""GitHubStandIn: the slice of GitHub's REST API that PyGithub uses for incident issues.

Repositories, issues (create, list with filters, get, edit) and comments, on loopback, with
token auth. `fail()` makes the next matching request answer a 5xx — optionally after acting, as
a proxy timing out after GitHub created the issue would — so duplicate-issue guards can be tested.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from seed.loopback import LoopbackServer


@dataclass
class Issue:
    number: int
    title: str
    body: str
    labels: list[str]
    state: str = "open"
    comments: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class GitHubStandIn(LoopbackServer):
    name = "github"

    def __init__(self, token: str = "ghp-standin", repo: str = "ml-platform/incidents", **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.token, self.repo = token, repo
        self.issues: dict[int, Issue] = {}
        self.requests: list[tuple[str, str]] = []
        self._faults: dict[tuple[str, str], deque[tuple[int, bool]]] = defaultdict(deque)
        self._lock = threading.Lock()

    @property
    def api_url(self) -> str:
        return self.url

    def fail(self, method: str, path_end: str, status: int = 502, times: int = 1, *,
             after_acting: bool = False) -> None:
        """The next `times` `method` requests whose path ends with `path_end` answer `status`."""
        with self._lock:
            self._faults[(method, path_end)].extend([(status, after_acting)] * times)

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth_and_faults])
        base = "/repos/{owner}/{name}"
        app.router.add_get(base, self._repo)
        app.router.add_get(base + "/issues", self._list)
        app.router.add_post(base + "/issues", self._create)
        app.router.add_get(base + "/issues/{number}", self._get)
        app.router.add_patch(base + "/issues/{number}", self._edit)
        app.router.add_get(base + "/issues/{number}/comments", self._comments)
        app.router.add_post(base + "/issues/{number}/comments", self._comment)
        return app

    @web.middleware
    async def _auth_and_faults(self, request: web.Request, handler) -> web.StreamResponse:  # type: ignore[no-untyped-def]
        auth = request.headers.get("Authorization", "")
        if auth.split(" ", 1)[-1] != self.token:
            return web.json_response({"message": "Bad credentials"}, status=401)
        if f"{request.match_info.get('owner')}/{request.match_info.get('name')}" != self.repo:
            return web.json_response({"message": "Not Found"}, status=404)
        with self._lock:
            self.requests.append((request.method, request.path))
            fault = next((q.popleft() for (m, end), q in self._faults.items()
                          if q and m == request.method and request.path.endswith(end)), None)
        if fault and not fault[1]:
            return web.json_response({"message": "injected failure"}, status=fault[0])
        response = await handler(request)
        if fault:
            return web.json_response({"message": "injected failure after acting"}, status=fault[0])
        return response

    def _json(self, issue: Issue) -> dict:
        url = f"{self.url}/repos/{self.repo}/issues/{issue.number}"
        return {"id": 1000 + issue.number, "number": issue.number, "title": issue.title, "body": issue.body,
                "state": issue.state, "labels": [{"name": label} for label in issue.labels],
                "comments": len(issue.comments), "url": url, "html_url": f"https://github.example/{self.repo}/"
                f"issues/{issue.number}", "created_at": issue.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": issue.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "user": {"login": "agentops"}}

    def _issue(self, request: web.Request) -> Issue:
        issue = self.issues.get(int(request.match_info["number"]))
        if issue is None:
            raise web.HTTPNotFound(text='{"message": "Not Found"}', content_type="application/json")
        return issue

    async def _repo(self, request: web.Request) -> web.Response:
        return web.json_response({"id": 1, "name": self.repo.split("/")[1], "full_name": self.repo,
                                  "url": f"{self.url}/repos/{self.repo}"})

    async def _list(self, request: web.Request) -> web.Response:
        state = request.query.get("state", "open")
        labels = [x for x in request.query.get("labels", "").split(",") if x]
        since = request.query.get("since")
        with self._lock:
            found = [i for i in sorted(self.issues.values(), key=lambda i: -i.number)
                     if state in ("all", i.state) and all(label in i.labels for label in labels)
                     and (not since or i.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ") >= since)]
        return web.json_response([self._json(i) for i in found])

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            number = len(self.issues) + 1
            issue = self.issues[number] = Issue(number, body["title"], body.get("body", ""), body.get("labels", []))
        return web.json_response(self._json(issue), status=201)

    async def _get(self, request: web.Request) -> web.Response:
        return web.json_response(self._json(self._issue(request)))

    async def _edit(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            issue = self._issue(request)
            issue.state = body.get("state", issue.state)
            issue.title, issue.body = body.get("title", issue.title), body.get("body", issue.body)
            issue.updated_at = datetime.now(UTC)
        return web.json_response(self._json(issue))

    async def _comments(self, request: web.Request) -> web.Response:
        issue = self._issue(request)
        return web.json_response([{"id": n, "body": text} for n, text in enumerate(issue.comments, 1)])

    async def _comment(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            issue = self._issue(request)
            issue.comments.append(body["body"])
            issue.updated_at = datetime.now(UTC)
        return web.json_response({"id": len(issue.comments), "body": body["body"]}, status=201)
