"""The offline investigator: the runbooks' decision trees in code, over the same read-only tools.

It runs when there is no ANTHROPIC_API_KEY and when the model is unreachable. Deterministic:
the same warehouse gives the same Diagnosis. Order of the checks follows the runbooks — bad data
first (never retrain on it), then a recent deploy, then legitimate traffic, then major drift, then
latency with no deploy (resource saturation: scale, never roll back), then moderate drift.
Thresholds are the component's rules (ToolContext.rules), the same the monitor alerts on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.diagnosis import Diagnosis, RecommendedAction, action
from agents.external import investigate_external
from agents.investigation import InvestigationResult, Usage
from agents.similar import Like, ranked
from agents.subject import Subject, known_components
from agents.tools import ToolContext, ToolResult
from agents.tools.drift import query_feature_drift
from agents.tools.metrics import query_metric_trend, query_model_metrics
from agents.tools.quality import query_data_quality
from bot.rules import Breach, Rule, breaches, overall

# the runbooks' own policy, not an alert threshold: F1 "dropping" is a fall of more than 5 % from
# its 7-day baseline (model_drift.md's decision tree), whatever the accuracy_drop rule's floor
F1_DROP = 0.05
# traffic this far above its own baseline makes the latency a matter of load rather than contention
LOAD_RISE = 1.2


@dataclass
class Findings:
    """What the tools said, and the evidence lines a person will read."""

    evidence: list[str]
    pipelines: dict[str, ToolResult]


def investigate_model(ctx: ToolContext, model: str, alert_id: str | None = None) -> Diagnosis:
    metrics = ctx.use(query_model_metrics, model, hours=24)
    if metrics.status != "ok":
        return _nothing_to_go_on(model, metrics.summary, alert_id)
    latest, baseline = metrics.data["latest"], metrics.data["baseline"]
    drift = ctx.use(query_feature_drift, model)
    f1_trend = ctx.use(query_metric_trend, model, "f1_score")
    findings = Findings([metrics.summary, drift.summary, f1_trend.summary],
                        {p: ctx.use(query_data_quality, p) for p in _pipelines(ctx)})
    findings.evidence += [r.summary for r in findings.pipelines.values()]
    # every threshold is this model's rule (its overrides, else the defaults), as the monitor judged it
    rules = ctx.rules.for_component(model, "model")
    f1_floor = (baseline["f1"] or 0) * (1 - F1_DROP)
    f1_dropping = bool(_breached(rules, "accuracy_drop", latest)) or latest["f1_score"] < f1_floor
    drift_level = overall(_breached(rules, "model_drift", latest))
    slow = _breached(rules, "latency", latest)
    deployed = f1_trend.data.get("versions", []) if f1_trend.status == "ok" else []
    bad_data = [p for p, r in findings.pipelines.items() if r.status == "ok" and not r.data["healthy"]]

    if bad_data:
        return _data_quality(ctx, bad_data[0], findings, alert_id, affected=model)
    if len(deployed) > 1 and (f1_dropping or slow):
        what = "accuracy" if f1_dropping else "latency"
        latency = ctx.use(query_metric_trend, model, "latency_p99_ms")
        findings.evidence.append(latency.summary)
        return _diagnosis(
            alert_id, f"{model} {deployed[-1]} degraded {what} right after it replaced {deployed[0]}: a bad "
            f"deployment. Input drift is {latest['drift_score']:.2f} and the data is healthy, so the new "
            "version is the cause.", "bad_deployment", 0.8, findings.evidence,
            [action("rollback_model", 1, model), action("notify_team", 2, model),
             action("create_github_issue", 3, model)],
            "runbooks/rollback.md" if f1_dropping else "runbooks/latency_spike.md", ctx,
            Like(("accuracy_drop",) if f1_dropping else ("latency",), (model,), (),
                 f"{what} after deploy rollback {'accuracy drop' if f1_dropping else 'p99 latency'}"))
    if _breached(rules, "anomaly_spike", latest) and not f1_dropping and drift_level == "healthy":
        return _diagnosis(
            alert_id, f"{model} flags {latest['anomaly_rate']:.0%} of traffic while F1 "
            f"({latest['f1_score']:.3f}) and drift ({latest['drift_score']:.2f}) are stable and the data is "
            "healthy: a legitimate change in traffic (e.g. a promotion), not a broken model.",
            "legitimate_traffic_change", 0.75, findings.evidence,
            [action("adjust_threshold", 1, model, "for the duration of the traffic change"),
             action("monitor", 2, model)],
            "runbooks/incident_response.md", ctx,
            Like(("anomaly_spike",), (model,), (), "anomaly spike promotion contamination threshold"))
    if drift_level == "critical":
        features = drift.data.get("drifted", [])
        named = ", ".join(features) if features else "no single feature"
        cause = (f"Distribution shift on {model}: drift_score {latest['drift_score']:.2f} (critical) driven by "
                 f"{named}; data quality is healthy, so the inputs changed rather than broke")
        if f1_dropping:
            actions = [action("rollback_model", 1, model),
                       action("retrain_model", 2, model, "after the rollback, on data since the shift"),
                       action("notify_team", 3, model)]
            cause += f", and F1 fell to {latest['f1_score']:.3f}: roll back, then retrain (model_drift runbook)."
        else:
            actions = [action("retrain_model", 1, model), action("monitor", 2, model)]
            cause += f"; F1 is stable ({latest['f1_score']:.3f}): retrain with new data (model_drift runbook)."
        return _diagnosis(alert_id, cause, "distribution_shift", 0.85 if features else 0.65, findings.evidence,
                          actions, "runbooks/model_drift.md", ctx,
                          Like(("model_drift", "accuracy_drop") if f1_dropping else ("model_drift",), (model,),
                               tuple(features), f"{' '.join(features)} drift distribution shift"))
    if slow:  # over a latency threshold with the same version all along: nothing to roll back
        return _saturation(ctx, model, latest, slow, findings, alert_id)
    if drift_level == "warning":
        return _diagnosis(alert_id, f"{model} shows moderate drift ({latest['drift_score']:.2f}, below critical) "
                          "with accuracy holding: monitor for 24 h as the model_drift runbook says.",
                          "distribution_shift", 0.6, findings.evidence, [action("monitor", 1, model)],
                          "runbooks/model_drift.md", ctx, Like(("model_drift",), (model,), (), "drift monitor"))
    if f1_dropping:
        return _diagnosis(alert_id, f"{model} F1 fell to {latest['f1_score']:.3f} with no input drift, no "
                          "deploy and healthy data: a cause the runbooks do not cover (concept drift?).",
                          "unknown", 0.35, findings.evidence,
                          [action("escalate", 1, model), action("create_github_issue", 2, model)],
                          "runbooks/incident_response.md", ctx, Like(("accuracy_drop",), (model,), (), "accuracy drop"))
    return _diagnosis(alert_id, f"No problem found on {model}: every metric is within its thresholds.", "unknown",
                      0.5, findings.evidence, [action("monitor", 1, model)], "runbooks/incident_response.md", ctx,
                      None)


def _saturation(ctx: ToolContext, model: str, latest: dict, slow: list[Breach], findings: Findings,
                alert_id: str | None) -> Diagnosis:
    """The latency runbook's capacity branch: scale, then optimise and batch; never a rollback."""
    traffic = ctx.use(query_metric_trend, model, "prediction_count")
    findings.evidence += [ctx.use(query_metric_trend, model, "latency_p99_ms").summary, traffic.summary]
    over = ", ".join(f"{b.rule.column} {float(b.value):,.0f} ms ({b.severity} > {b.rule.limit_for(b.severity):g})"
                     for b in slow)
    load = traffic.status == "ok" and traffic.data["latest"] > LOAD_RISE * traffic.data["baseline"]
    why = (f"traffic rose from ≈ {traffic.data['baseline']:,.0f} to {traffic.data['latest']:,.0f} predictions per "
           "measurement, more than the serving pods can take" if load else
           "traffic is steady, so the serving pods are contended (noisy neighbours, CPU throttling)")
    return _diagnosis(
        alert_id, f"{model} is over its latency thresholds ({over}) with {latest['model_version']} serving all "
        f"along, so there is no deploy to roll back: resource saturation — {why}.", "resource_saturation",
        0.7 if load else 0.6, findings.evidence,
        [action("scale_resources", 1, model, "add replicas or CPU on the serving pods"),
         action("notify_team", 2, model, "to optimise the model (prune, quantise, distil; re-check the evaluation "
                "gate) and enable batching for high-throughput callers"),
         action("monitor", 3, model, "until latency is within its thresholds for two measurements")],
        "runbooks/latency_spike.md", ctx,
        Like(("latency",), (model,), (), "latency p99 capacity resource contention CPU saturation"))


def _what_is_wrong(quality: ToolResult) -> str:
    """The rules a pipeline's latest run breaks, with their limits; else the status its own job gave it."""
    return "; ".join(quality.data["problems"]) or f"its latest run is {quality.data['latest']['status']}"


def _pipelines(ctx: ToolContext) -> list[str]:
    """Every pipeline the warehouse has measured: it records no lineage, so any of them may feed the model."""
    return sorted(name for name, kind in known_components(ctx.warehouse).items() if kind == "pipeline")


def _breached(rules: tuple[Rule, ...], alert_type: str, row: dict) -> list[Breach]:
    return breaches(row, tuple(r for r in rules if r.alert_type == alert_type))


def investigate_pipeline(ctx: ToolContext, pipeline: str, alert_id: str | None = None) -> Diagnosis:
    result = ctx.use(query_data_quality, pipeline)
    if result.status != "ok":
        return _nothing_to_go_on(pipeline, result.summary, alert_id)
    findings = Findings([result.summary], {pipeline: result})
    if not result.data["healthy"]:
        return _data_quality(ctx, pipeline, findings, alert_id, affected=pipeline)
    return _diagnosis(alert_id, f"No data-quality problem on {pipeline}: its latest runs are healthy.", "unknown",
                      0.5, findings.evidence, [action("monitor", 1, pipeline)], "runbooks/data_quality.md", ctx, None)


def _data_quality(ctx: ToolContext, pipeline: str, findings: Findings, alert_id: str | None,
                  affected: str) -> Diagnosis:
    latest = findings.pipelines[pipeline].data["latest"]
    note = "" if affected == pipeline else f" feeding {affected}"
    if latest["schema_violations"]:
        return _diagnosis(
            alert_id, f"Schema change upstream of {pipeline}{note}: {latest['schema_violations']:,} records per run "
            "fail schema validation. Update the schema config to the producer's new contract and rerun; the "
            "model is not the problem, so no retrain.", "schema_change", 0.85, findings.evidence,
            [action("update_schema_config", 1, pipeline), action("rerun_pipeline", 2, pipeline),
             action("notify_team", 3, pipeline)], "runbooks/data_quality.md", ctx,
            Like(("data_quality",), (pipeline, affected), (), "schema change added field"))
    return _diagnosis(
        alert_id, f"Bad data from {pipeline}{note}: {_what_is_wrong(findings.pipelines[pipeline])}. "
        "Quarantine the bad batches and rerun after the upstream fix; never retrain on them.",
        "data_quality_issue", 0.85, findings.evidence,
        [action("quarantine_batch", 1, pipeline), action("rerun_pipeline", 2, pipeline),
         action("notify_team", 3, pipeline)], "runbooks/data_quality.md", ctx,
        Like(("data_quality",), (pipeline, affected), (), f"null rate spike {pipeline} ETL"))


def _diagnosis(alert_id: str | None, root_cause: str, category: str, confidence: float, evidence: list[str],
               actions: list[RecommendedAction], runbook: str, ctx: ToolContext, like: Like | None) -> Diagnosis:
    return Diagnosis(alert_id=alert_id, root_cause=root_cause, root_cause_category=category,  # type: ignore[arg-type]
                     confidence=confidence, evidence=evidence, recommended_actions=actions,
                     runbook_reference=runbook, similar_incidents=similar_incidents(ctx, like))


def similar_incidents(ctx: ToolContext, like: Like | None, limit: int = 3) -> list[str]:
    """Past incidents like this case (none for a healthy one), as 'INC-YYYY-MMDD (incidents/file.md)'."""
    if like is None:
        return []
    ctx.on_progress("searching incidents")
    # recorded like a tool call, under its own name: a knowledge search the model's tools do not offer
    found = ctx.record("similar_incidents", {"alert_types": list(like.alert_types), "components": list(like.components),
                                             "features": list(like.features), "question": like.text, "limit": limit},
                       lambda: _similar(ctx, like, limit))
    return list(found.data["cited"])


def _similar(ctx: ToolContext, like: Like, limit: int) -> ToolResult:
    cited = []
    for source in ranked(ctx.knowledge, like, limit):
        match = re.search(r"inc_(\d{4})_(\d{4})_", source)
        cited.append(f"INC-{match.group(1)}-{match.group(2)} ({source})" if match else source)
    return ToolResult("ok" if cited else "no_data", "; ".join(cited) or "no similar incident", {"cited": cited})


def _nothing_to_go_on(component: str, why: str, alert_id: str | None) -> Diagnosis:
    return Diagnosis(alert_id=alert_id, root_cause=f"Cannot investigate {component}: {why}.",
                     root_cause_category="unknown", confidence=0.1, evidence=[why],
                     recommended_actions=[action("escalate", 1, component)],
                     runbook_reference="runbooks/incident_response.md", similar_incidents=[])


def offline(ctx: ToolContext, subject: Subject, alert_id: str | None = None, note: str = "") -> InvestigationResult:
    first = len(ctx.calls)  # the steps are this investigation's calls only, whatever the context did before
    if subject.kind not in ("model", "pipeline"):  # not measured by the warehouse: say what can be checked
        diagnosis = investigate_external(ctx, subject, alert_id)
    else:
        run = investigate_model if subject.kind == "model" else investigate_pipeline
        diagnosis = run(ctx, subject.component, alert_id)
    return InvestigationResult(diagnosis, "offline", Usage(), note, steps=ctx.calls[first:])
