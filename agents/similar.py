"""Past incidents like this one: the same alert type first, then the same component and features, and
only then the words. A text match alone ranks the anomaly-spike incident second for a drift case
(both mention F1 and drift); what the incident was about settles it.

An incident's main alert type is the first metric named on its first alerting timeline line (a
"critical", "warning" or "alert"), its other types those its summary and root cause talk about
(agents/glossary.py's ALERT_TERMS); its components and features come from "Affected Components".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agents.glossary import ALERT_TERMS
from agents.knowledge import KnowledgeBase
from agents.retrieval import tokens


@dataclass(frozen=True)
class Like:
    """What a case is: its alert types (the main one first), components, features and a few words."""

    alert_types: tuple[str, ...]
    components: tuple[str, ...]
    features: tuple[str, ...] = ()
    text: str = ""


_ALERTING = re.compile(r"\b(critical|warning|alert)\b", re.IGNORECASE)
_TERMS = {alert: {t for phrase in phrases for t in tokens(phrase)[-1:]} for alert, phrases in ALERT_TERMS.items()}


def alert_types(summary: str) -> set[str]:
    """The alert types an incident is about: those its story names at least half as often as the most named."""
    said = Counter(tokens(summary))
    counts = {alert: sum(said[t] for t in terms) for alert, terms in _TERMS.items()}
    top = max(counts.values(), default=0)
    return {alert for alert, n in counts.items() if n and 2 * n >= top}


def main_alert_type(timeline: str) -> str | None:
    """The alert the incident began with: the first metric named on the first line that pages someone."""
    line = next((ln for ln in timeline.splitlines() if _ALERTING.search(ln)), "")
    named = [(n, alert) for alert, terms in _TERMS.items() for n, t in enumerate(tokens(line)) if t in terms]
    return min(named)[1] if named else None


def ranked(kb: KnowledgeBase, like: Like, limit: int = 3) -> list[str]:
    """The sources of the incidents most like `like`, best first; none when nothing matches at all."""
    text_scores: dict[str, float] = {}
    if like.text.strip():
        for passage in kb.search(like.text, kind="incident", limit=50):
            text_scores.setdefault(passage.source, passage.score)
    keys = []
    for source, sections in kb.incidents.items():
        main = main_alert_type(sections.get("timeline", ""))
        types = alert_types(f"{sections.get('summary', '')}\n{sections.get('root cause', '')}") | {main} - {None}
        affected = sections.get("affected components", "")
        key = (_type_match(like.alert_types, main, types), _mentions(affected, like.components, re.IGNORECASE),
               _mentions(affected, like.features), text_scores.get(source, 0.0))
        if any(key):
            keys.append((key, source))
    return [source for _, source in sorted(keys, key=lambda item: item[0], reverse=True)[:limit]]


def _type_match(wanted: Sequence[str], main: str | None, types: set[str | None]) -> int:
    """2 when the incident began with the case's main alert type, 1 when they share any type, else 0."""
    if wanted and main == wanted[0]:
        return 2
    return int(bool(types & set(wanted)))


def _mentions(text: str, names: Sequence[str], flags: int = 0) -> int:
    return sum(bool(re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, flags)) for name in names if name)

