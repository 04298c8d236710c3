"""The record of one investigation: who asked what, about which component, with which rules, at what
time, and every answer its tool layer got (warehouse rows, ML-service answers), in order.

A replay needs nothing else: the tools are deterministic functions of these answers, the clock and
the rules. The record also keeps the 7-day noise of each component it read, for metric jitter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agents.prompt import AlertBrief, Briefing
from bot.replay.codec import decode, encode
from bot.rules import Rule, RuleSet


@dataclass(frozen=True)
class Call:
    """One answer the tool layer got: a warehouse query (op is its SQL) or an ML-service read (op is the
    method). `error` is the message of a failed call, which a replay raises again."""

    source: str  # warehouse | ml_service
    op: str
    params: dict[str, Any] | None
    result: Any
    error: str = ""


@dataclass
class Record:
    component: str
    kind: str  # model | pipeline | external
    text: str  # the request as it was asked (an alert fingerprint, or a person's words)
    engine: str  # offline | claude: the investigator that answered
    started_at: datetime  # the clock at the start: a replay's fixed clock
    rules: RuleSet
    calls: list[Call] = field(default_factory=list)
    alert_id: str | None = None
    model: str = ""  # Claude's model id, when Claude answered
    endpoint: str = ""  # the Messages API it answered from
    seconds: float = 0.0  # how long the tool layer ran: a replayed window may start this much earlier
    # component → column → the spread (standard deviation) of its 7-day baseline
    noise: dict[str, dict[str, float]] = field(default_factory=dict)
    # what Claude's first message said (the alert, its rules, recent deploys), when Claude was asked
    briefing: Briefing | None = None

    def to_json(self) -> dict[str, Any]:
        return {"component": self.component, "kind": self.kind, "text": self.text, "engine": self.engine,
                "started_at": self.started_at.isoformat(), "rules": rules_to_json(self.rules),
                "calls": [encode(asdict(c)) for c in self.calls], "alert_id": self.alert_id,
                "model": self.model, "endpoint": self.endpoint, "seconds": self.seconds, "noise": self.noise,
                "briefing": briefing_to_json(self.briefing)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(component=data["component"], kind=data["kind"], text=data["text"], engine=data["engine"],
                   started_at=datetime.fromisoformat(data["started_at"]), rules=rules_from_json(data["rules"]),
                   calls=[Call(**decode(c)) for c in data["calls"]], alert_id=data.get("alert_id"),
                   model=data.get("model", ""), endpoint=data.get("endpoint", ""),
                   seconds=float(data.get("seconds", 0.0)), noise=data.get("noise", {}),
                   briefing=briefing_from_json(data.get("briefing")))


def rules_to_json(rules: RuleSet) -> dict[str, Any]:
    """The rule set in force, thresholds and overrides; where it was read from is not part of it."""
    return {"rules": [asdict(r) for r in rules.rules],
            "overrides": {c: [asdict(r) for r in rs] for c, rs in (rules.overrides or {}).items()},
            "stale_after_sec": rules.stale_after.total_seconds(), "lookback_sec": rules.lookback.total_seconds()}


def rules_from_json(data: dict[str, Any]) -> RuleSet:
    overrides = {c: tuple(Rule(**r) for r in rs) for c, rs in data.get("overrides", {}).items()}
    return RuleSet(tuple(Rule(**r) for r in data["rules"]), overrides or None,
                   timedelta(seconds=data["stale_after_sec"]), timedelta(seconds=data["lookback_sec"]))


def briefing_to_json(briefing: Briefing | None) -> dict[str, Any] | None:
    if briefing is None:
        return None
    return {"alert": encode(asdict(briefing.alert)) if briefing.alert else None,
            "rules": [asdict(r) for r in briefing.rules], "deploys": list(briefing.deploys),
            "also_firing": [encode(asdict(a)) for a in briefing.also_firing]}


def briefing_from_json(data: dict[str, Any] | None) -> Briefing | None:
    if data is None:
        return None
    alert = AlertBrief(**decode(data["alert"])) if data.get("alert") else None
    return Briefing(alert, tuple(Rule(**r) for r in data["rules"]), tuple(data["deploys"]),
                    tuple(AlertBrief(**decode(a)) for a in data["also_firing"]))
