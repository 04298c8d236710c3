"""Links the Slack edge draws from configuration: the runbook, the incident's GitHub issue, a dashboard.

Every URL here starts with a configured base; the only untrusted parts (a component's name, a runbook
path the model wrote) are URL-quoted into it, so no text can choose where a link goes. Unset, each
is shown as plain text, the way it was before links existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from bot.config import Settings
from handlers.mrkdwn import code, esc, link

# a runbook path as the corpus names them (the model writes this field): a link never leaves the
# runbooks' tree or carries a query
_RUNBOOK_PATH = re.compile(r"^[\w-]+(/[\w.-]+)*\.md$")


@dataclass(frozen=True)
class Links:
    runbook_base: str = ""
    github_web: str = "https://github.com"
    github_repo: str = ""
    dashboard: str = ""

    @classmethod
    def of(cls, settings: Settings) -> Links:
        return cls(settings.runbook_base_url, settings.github_web_url, settings.github_repo, settings.dashboard_url)

    def runbook(self, path: str) -> str:
        """`runbooks/x.md` linked under the base URL, or as a code span when there is none."""
        if not self.runbook_base or not _RUNBOOK_PATH.match(path) or ".." in path:
            return code(path or "none")
        return link(f"{self.runbook_base}/{quote(path, safe='/')}", path)

    def issue(self, number: int) -> str:
        if not self.github_repo:
            return esc(f"GitHub issue #{number}")
        return link(f"{self.github_web}/{quote(self.github_repo, safe='/')}/issues/{number}", f"GitHub issue #{number}")

    def dashboard_for(self, component: str) -> str | None:
        if not self.dashboard:
            return None
        return link(self.dashboard.replace("{component}", quote(component, safe="")), "dashboard")


NO_LINKS = Links()
