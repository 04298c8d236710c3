"""The knowledge-search question set: questions as on-call engineers ask them, in their own words
rather than the runbooks', with the passage that answers each. Shared by its test and its bench.

Each expects a file, and for a runbook the heading that answers (a runbook has several sections;
an incident is one story). A few are answered equally well in two places; both are listed.
"""

from __future__ import annotations

from agents.knowledge import Passage

RB, INC = "runbooks/", "incidents/"
QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("How fast do we have to respond to a P1?", (f"{RB}incident_response.md › Severities",)),
    ("what's the turnaround expected for a warning-level page?", (f"{RB}incident_response.md › Severities",)),
    ("What does each stage of handling an incident look like?", (f"{RB}incident_response.md › Lifecycle",)),
    ("Where do we coordinate during an outage and who gets emailed?", (f"{RB}incident_response.md › Communication",)),
    ("Is there a template for writing the postmortem?", (f"{RB}incident_response.md › Post-mortem template",)),
    ("How often do we retrain on a schedule?", (f"{RB}retraining.md › When to retrain",)),
    ("how much does F1 have to fall before we retrain?", (f"{RB}retraining.md › When to retrain",)),
    ("How many labelled examples do we need before kicking off training?", (f"{RB}retraining.md › Prerequisites",)),
    ("What score does a freshly trained model need to beat to go live?", (f"{RB}retraining.md › Evaluation gate",)),
    ("What settings do we use when training the classifier?", (f"{RB}retraining.md › Configuration",)),
    ("After a new model finishes training, how does it get to production?", (f"{RB}retraining.md › Afterwards",)),
    ("how do I roll back a model?", (f"{RB}rollback.md › Procedure",)),
    ("How do I revert the classifier to the previous version?", (f"{RB}rollback.md › Procedure",)),
    ("When is it OK to revert a deployment?", (f"{RB}rollback.md › When to roll back",)),
    ("How long should I watch the metrics after going back to the old model?", (f"{RB}rollback.md › Procedure",)),
    ("What happens if there's no standby slot to go back to?", (f"{RB}rollback.md › Blue-green",)),
    ("Which PSI value counts as a major shift?", (f"{RB}model_drift.md › Thresholds",)),
    ("what's the difference between covariate shift and concept drift", (f"{RB}model_drift.md › What drift is",)),
    ("drift is high but accuracy is fine, what now?", (f"{RB}model_drift.md › Decision tree",)),
    ("How do I find which input features moved the most?", (f"{RB}model_drift.md › Per-feature investigation",)),
    ("What are the usual reasons inputs start shifting?", (f"{RB}model_drift.md › Common causes",)),
    ("Who should I ping when a vendor feed changes and features move?", (f"{RB}model_drift.md › Escalation",)),
    ("What do we check to confirm a drift incident is over?", (f"{RB}model_drift.md › After the fix",)),
    ("What checks run on every pipeline batch?", (f"{RB}data_quality.md › Checks we run",)),
    ("What counts as too many schema violations per run?", (f"{RB}data_quality.md › Thresholds",)),
    ("What usually makes a pipeline write empty fields?", (f"{RB}data_quality.md › Common causes",)),
    ("How do I find out when the missing values started going up?",
     (f"{RB}data_quality.md › Investigation (Snowflake SQL)",)),
    ("the inputs are missing a lot of values, should I retrain the model?", (f"{RB}data_quality.md › Remediation",)),
    ("Is it safe to train on a window where the pipeline sent bad rows?",
     (f"{RB}data_quality.md › Remediation", f"{RB}retraining.md › Prerequisites")),
    ("What's the normal response time for classifier_v2?", (f"{RB}latency_spike.md › Baselines",)),
    ("What's the p95 budget before we get paged?", (f"{RB}latency_spike.md › Baselines",)),
    ("How can I tell whether slow predictions come from capacity or from the model itself?",
     (f"{RB}latency_spike.md › Investigation",)),
    ("The pods are maxed out on CPU, how do we bring response times down?", (f"{RB}latency_spike.md › Remediation",)),
    ("Has the Amount field come through with lots of nulls before?", (f"{INC}inc_2026_0120_null_spike.md",)),
    ("Has a timezone bug ever broken our data?", (f"{INC}inc_2026_0120_null_spike.md",)),
    ("Did a vendor ever change a feature's format and break the classifier?", (f"{INC}inc_2026_0115_v14_drift.md",)),
    ("Have we seen a deploy make predictions really slow?", (f"{INC}inc_2026_0203_latency.md",)),
    ("What did we do when a new model took three seconds to answer?", (f"{INC}inc_2026_0203_latency.md",)),
    ("Was there a time a retrain shipped a worse model because its training data was corrupted?",
     (f"{INC}inc_2026_0210_accuracy_drop.md",)),
    ("Have holiday shopping patterns ever got lots of legit transactions declined?",
     (f"{INC}inc_2026_0215_false_positive.md",)),
    ("Has an upstream team ever added a field and broken our parsing?", (f"{INC}inc_2026_0218_schema_change.md",)),
    ("Did a marketing campaign ever make the anomaly detector go crazy?", (f"{INC}inc_2026_0222_anomaly_spike.md",)),
    ("Has a training run ever been blocked because too few fraud labels were in the window?",
     (f"{INC}inc_2026_0225_retraining_fail.md",)),
    # written after the glossary and weights were settled, and measured before joining the set (17 of 18)
    ("What's the SLA for a P2 alert?", (f"{RB}incident_response.md › Severities",)),
    ("Which channel do data problems get escalated to?",
     (f"{RB}model_drift.md › Escalation", f"{RB}data_quality.md › Remediation")),
    ("Do I need someone's sign-off before retraining?", (f"{RB}retraining.md › When to retrain",)),
    ("How long does swapping back to the standby model take?", (f"{RB}rollback.md › Blue-green",)),
    ("What should I do if the model is fine but the pipeline is dropping rows because of a new column?",
     (f"{RB}data_quality.md › Remediation",)),
    ("How is drift measured?", (f"{RB}model_drift.md › Thresholds",)),
    ("What counts as moderate drift?", (f"{RB}model_drift.md › Thresholds",)),
    ("What p99 is considered critical?", (f"{RB}latency_spike.md › Baselines",)),
    ("Did we ever have to raise the contamination parameter?", (f"{INC}inc_2026_0222_anomaly_spike.md",)),
    ("Has a model ever failed the evaluation gate?", (f"{INC}inc_2026_0225_retraining_fail.md",)),
    ("Was there an incident where nulls came from a currency conversion join?",
     (f"{INC}inc_2026_0120_null_spike.md",)),
    ("What did we learn from the time the vendor rescaled a score?", (f"{INC}inc_2026_0115_v14_drift.md",)),
    ("Have we ever had a pipeline quietly fill in placeholder values when it should have crashed?",
     (f"{INC}inc_2026_0210_accuracy_drop.md",)),
    ("How do I check which version is live after a rollback?", (f"{RB}rollback.md › Procedure",)),
    ("When should we not retrain?", (f"{RB}data_quality.md › Remediation", f"{RB}retraining.md › Prerequisites")),
    ("How many tuning trials does training use?", (f"{RB}retraining.md › Configuration",)),
    ("What's the max null rate before it's critical?", (f"{RB}data_quality.md › Thresholds",)),
    ("Is a sudden drop in record counts a problem?", (f"{RB}data_quality.md › Checks we run",)),
]


def found(passages: list[Passage], expected: tuple[str, ...]) -> bool:
    """An expectation naming a heading wants that passage; one naming only a file, any of its passages."""
    return any(p.citation == e or p.source == e for p in passages for e in expected)
