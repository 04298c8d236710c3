"""The domain's words for one thing: on-call engineers ask in theirs, the runbooks answer in ours.

Each group is a set of phrases a question may use for the same idea; a question using one is also
matched, at a lower weight, against the others. Phrases are plain words (stemmed and stopword-free
as the index sees them: "how often" is "often"). Add a group, or a phrase to one, when someone asks
a question in words the corpus does not use; keep unrelated meanings in separate groups.
"""

from __future__ import annotations

SYNONYMS: tuple[tuple[str, ...], ...] = (
    # severities and how fast they are answered
    ("p1", "critical", "sev1", "urgent", "highest severity"),
    ("p2", "warning", "sev2", "warning level"),
    ("p3", "info", "sev3", "low severity"),
    ("response time", "respond", "turnaround", "how fast", "acknowledge", "sla"),
    # data quality
    ("null", "nulls", "missing", "empty", "blank", "nan"),
    ("bad data", "corrupted", "bad rows", "bad batch", "broken data", "garbage", "invalid"),
    ("quarantine", "exclude", "skip the batch"),
    ("schema", "schema change", "new field", "added a field", "parsing", "contract"),
    ("timezone", "time zone", "utc", "local time"),
    # retraining
    ("retrain", "retraining", "train", "training run", "new model"),
    ("schedule", "scheduled", "weekly", "often", "cadence", "regularly", "periodic"),
    ("labelled samples", "labels", "labelled examples", "examples", "samples"),
    ("evaluation gate", "gate", "go live", "promoted", "beat production", "hold-out"),
    ("configuration", "settings", "config", "hyper-parameter", "epochs"),
    ("afterwards", "after training", "finishes training", "staging", "blue-green deploy"),
    # rollback and deploys
    ("roll back", "rollback", "rolled back", "revert", "go back", "previous version", "old model", "undo"),
    ("deploy", "deployment", "release", "shipped", "new version", "model_version"),
    ("standby slot", "standby", "blue-green", "slot"),
    # drift and accuracy
    ("drift", "shift", "shifting", "psi", "distribution"),
    ("covariate shift", "data drift"),
    ("accuracy", "f1", "precision", "performance"),
    ("feature", "features", "input", "inputs", "field"),
    ("vendor", "third party", "provider", "enrichment", "feed"),
    ("seasonal", "holiday", "valentine", "christmas", "black friday"),
    ("false positive", "false positives", "declined", "declines", "legit", "legitimate"),
    ("promotion", "marketing", "campaign", "sale"),
    ("anomaly", "anomaly detector", "anomaly_v1", "isolation forest", "outlier", "contamination"),
    # latency and capacity
    ("latency", "slow", "slowness", "response times", "p99", "milliseconds", "seconds"),
    ("cpu", "memory", "resources", "capacity", "saturation", "maxed out", "pods", "replicas", "scale"),
    ("bigger", "larger", "complex", "size", "more trees"),
    ("baseline", "normal", "budget"),
    ("stable", "fine", "holding", "unchanged", "steady"),
    ("drop", "drops", "fall", "falls", "lost", "degraded"),
    ("climbing", "going up", "rising", "rise", "increase", "jump"),
    # the incident process
    ("post-mortem", "postmortem", "incident report", "retro", "write-up"),
    ("escalate", "escalation", "ping", "contact", "notify", "alert the"),
    ("lifecycle", "stage", "stages", "steps", "process"),
    ("communication", "coordinate", "email", "stakeholders"),
    ("verify", "confirm", "watch", "monitor for"),
    ("common causes", "usual reasons", "reasons", "what causes", "usually"),
)

# what a question asks for, from words the index drops as stopwords: the kind of section that answers it
INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bhow (do|can|should) (i|we)\b|\bhow to\b|\bwhat (do|should) (i|we) do\b", ("procedure", "steps")),
    (r"\bshould (i|we)\b|\bis it (ok|safe)\b", ("remediation", "never")),
    (r"\b(find out|figure out|tell whether|work out)\b", ("investigation",)),
    (r"\bhow long\b", ("minutes", "hours")),
    (r"\bwhat now\b|\bwhat next\b|\bwhich (action|step)\b", ("decision tree",)),
)
# questions about what happened before: past incidents answer these, runbooks the rest
HISTORY = (r"\b(ever|previously|last time|in the past|have we seen|was there a time|did we do|what did we)\b"
           r"|\bbefore\?|\b(happened|seen) before\b")

# what an incident report says when it is about each alert type (its summary and root cause):
# similar incidents are matched on the alert type first, then component and features, then words
ALERT_TERMS: dict[str, tuple[str, ...]] = {
    "model_drift": ("drift", "psi", "distribution", "shift", "shifting", "seasonal"),
    "accuracy_drop": ("f1", "accuracy", "precision", "false positives"),
    "latency": ("latency", "p99", "p95", "slow"),
    "data_quality": ("null", "nulls", "schema", "pipeline outage", "corrupted", "invalid"),
    "anomaly_spike": ("anomaly", "anomalous", "contamination", "isolation forest"),
}
