"""The maintained set of ways people ask for an investigation, and the synonyms they swap in.

A paraphrase keeps the component's name (in one of the spellings people type) and names no other
component: it changes how the request is asked, not what it is about.
"""

from __future__ import annotations

import random
import re

PHRASINGS = (
    "F1 dropped on {c}",
    "why is {c} alerting?",
    "{c} looks off since this morning",
    "can you check {c}",
    "something is wrong with {c}",
    "investigate {c} please",
    "{c}: accuracy tanked, what happened?",
    "is {c} drifting?",
    "the {kind} {c} is misbehaving, root cause?",
    "what's going on with {c} right now",
    "{c} alert fired — is it real?",
    "look into {c} for me",
    "pls investigate {c} asap",
    "hey, {c} metrics seem weird",
    "{c} predictions got worse overnight",
    "did something change on {c}?",
)
# word → what people also say; applied to the original request, whole words only
SYNONYMS = {
    "dropped": ("fell", "declined", "went down"), "drop": ("fall", "decline"), "investigate": ("look into", "check"),
    "check": ("look at", "inspect"), "why": ("how come",), "wrong": ("off", "broken"), "drift": ("shift",),
    "drifting": ("shifting",), "alerting": ("firing", "paging"), "model": ("classifier",),
    "please": ("pls", "kindly"), "accuracy": ("quality", "F1"), "degraded": ("got worse",),
}


def spellings(component: str) -> tuple[str, ...]:
    """classifier_v2, classifier v2, Classifier-V2, CLASSIFIER_V2: how people write one name."""
    spaced = component.replace("_", " ")
    return (component, spaced, component.replace("_", "-").title(), component.upper(), spaced.title())


def paraphrase(text: str, component: str, kind: str, rng: random.Random) -> str:
    """One paraphrase of `text`: a phrasing of the set, or the request itself with synonyms swapped."""
    name = rng.choice(spellings(component))
    if rng.random() < 0.25 and component.lower() in re.sub(r"[\s\-]+", "_", text.lower()):
        swapped = re.sub(r"\b(" + "|".join(SYNONYMS) + r")\b",
                         lambda m: rng.choice(SYNONYMS[m.group(1).lower()]), text, flags=re.IGNORECASE)
        if swapped != text:
            return swapped
    return rng.choice(PHRASINGS).format(c=name, kind=kind if kind in ("model", "pipeline") else "component")
