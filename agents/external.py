"""The offline investigator on an alert about something the warehouse does not measure (an alert
from another system, e.g. Alertmanager): it checks what it can — the pipelines the warehouse
measures, the runbooks, past incidents — and says plainly what it could not check."""

from __future__ import annotations

from agents.diagnosis import Diagnosis, action
from agents.subject import Subject, known_components
from agents.tools import ToolContext
from agents.tools.quality import query_data_quality
from agents.tools.search import search_incidents, search_runbooks

NOT_CHECKED = "its metrics, feature drift, deploy history and data quality"


def investigate_external(ctx: ToolContext, subject: Subject, alert_id: str | None = None) -> Diagnosis:
    component = subject.component
    question = f"{subject.text} {component}".replace("_", " ").replace(":", " ")
    pipelines = sorted(name for name, kind in known_components(ctx.warehouse).items() if kind == "pipeline")
    quality = {name: ctx.use(query_data_quality, name) for name in pipelines}
    unhealthy = [name for name, result in quality.items() if result.status == "ok" and not result.data["healthy"]]
    runbooks = ctx.use(search_runbooks, question)
    incidents = ctx.use(search_incidents, question)
    checked = f"the {len(pipelines)} pipeline(s) the warehouse measures" if pipelines else "no pipeline (none measured)"
    evidence = [f"Not checked: {component} is not a model or pipeline the warehouse measures, so {NOT_CHECKED} "
                "are unknown here",
                f"Checked: {checked}; " + (f"unhealthy: {', '.join(unhealthy)}" if unhealthy else "all healthy"),
                *(quality[name].summary for name in unhealthy),
                f"Checked the runbooks: {_cited(runbooks.data)}", f"Checked past incidents: {_cited(incidents.data)}"]
    upstream = (f" Upstream data is suspect: {', '.join(unhealthy)} is unhealthy; check whether it feeds {component}."
                if unhealthy else " The pipelines the warehouse measures are healthy.")
    actions = [action("escalate", 1, component, "to the team that owns it: the bot cannot see its measurements"),
               action("notify_team", 2, component)]
    if unhealthy:
        actions.append(action("quarantine_batch", 3, unhealthy[0], "if it feeds the component"))
    sources = incidents.data.get("sources", [])[:3]
    return Diagnosis(alert_id=alert_id, root_cause=(
        f"{component} is not measured by the warehouse (an alert from outside it), so I could not check {NOT_CHECKED}."
        + upstream + " Its owners must look at its own metrics."), root_cause_category="unknown",
        confidence=0.2 if not unhealthy else 0.35, evidence=evidence, recommended_actions=actions,
        runbook_reference=(runbooks.data.get("sources") or ["runbooks/incident_response.md"])[0],
        similar_incidents=list(sources))


def _cited(data: dict) -> str:
    return ", ".join(data.get("citations", [])[:3]) or "nothing relevant found"
