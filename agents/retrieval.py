"""Lexical retrieval without an embedding service: stemmed tokens with word pairs, a question widened
by the glossary, and fielded BM25 (BM25F) so a word in a title or heading weighs more than in a body.

Pure Python over a few hundred passages: scoring a question takes well under a millisecond, and
building the index at start-up costs no more than reading the files.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import Stemmer

from agents.glossary import HISTORY, INTENTS, SYNONYMS

# Question words that match every document; BM25 would mostly ignore them, but they also
# turn "what should I do" into noise matches on short chunks.
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "before", "by", "can", "could", "did", "do", "does",
    "for", "from", "has", "have", "how", "i", "if", "in", "is", "it", "its", "of", "on", "or", "should",
    "so", "that", "the", "there", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who",
    "why", "will", "with", "you", "your", "like", "look",
})
_STEMMER = Stemmer.Stemmer("english")
_LINK_TARGET = re.compile(r"(?<=\])\([^)]*\)")
_FILE_REFERENCE = re.compile(r"\b[\w-]+\.md\b")
SYNONYM_WEIGHT = 0.7  # a glossary word counts for less than one the person typed
K1, B = 1.2, 0.75


def _stems(text: str) -> list[str]:
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS and len(w) > 1]
    return _STEMMER.stemWords(words)


def tokens(text: str) -> list[str]:
    """Stemmed words without stopwords, plus each adjacent pair as one token.

    In a corpus this small "model" and "drift" occur nearly everywhere, while the pair
    "model drift" is rare: the bigrams carry the meaning the single words lose.
    """
    # links and file names are navigation ("see model_drift.md"), not what a passage is about
    stems = _stems(_FILE_REFERENCE.sub(" ", _LINK_TARGET.sub("", text)))
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


def _phrase(text: str) -> str | None:
    """A glossary phrase as one token: its stem, or its stems' pair ('roll back' → roll_back)."""
    stems = _stems(text)
    return "_".join(stems) if 1 <= len(stems) <= 2 else None


_GROUPS = [{p for p in map(_phrase, group) if p} for group in SYNONYMS]
_HISTORY = re.compile(HISTORY)
_INTENTS = [(re.compile(pattern), [p for p in map(_phrase, words) if p]) for pattern, words in INTENTS]


def query_terms(question: str) -> dict[str, float]:
    """The question's tokens (weight 1) and their glossary equivalents (weight SYNONYM_WEIGHT)."""
    typed = tokens(question)
    terms = dict.fromkeys(typed, 1.0)
    present = set(typed)
    for group in _GROUPS:
        if group & present:
            for other in group - present:
                terms.setdefault(other, SYNONYM_WEIGHT)
    lowered = question.lower()
    for pattern, words in _INTENTS:
        if pattern.search(lowered):
            for word in words:
                terms.setdefault(word, SYNONYM_WEIGHT)
    return terms


def asks_about_the_past(question: str) -> bool:
    """'Has this happened before?', 'did we ever…': a question past incidents answer."""
    return bool(_HISTORY.search(question.lower()))


class FieldIndex:
    """BM25F over documents made of named fields, each field weighted and length-normalised on its own."""

    def __init__(self, documents: Sequence[Mapping[str, str]], weights: Mapping[str, float]) -> None:
        self._weights = dict(weights)
        self._counts = [{f: Counter(tokens(doc.get(f, ""))) for f in weights} for doc in documents]
        self._lengths = [{f: sum(c.values()) for f, c in fields.items()} for fields in self._counts]
        self._average = {f: max(1.0, sum(d[f] for d in self._lengths) / max(1, len(documents))) for f in weights}
        frequency: Counter[str] = Counter()
        for fields in self._counts:
            frequency.update(set().union(*fields.values()))
        n = len(documents)
        # Lucene's IDF stays positive for terms found in most documents (classic BM25 zeroes them)
        self._idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}

    def scores(self, terms: Mapping[str, float]) -> list[float]:
        known = {t: w for t, w in terms.items() if t in self._idf}
        found = []
        for fields, lengths in zip(self._counts, self._lengths, strict=True):
            score = 0.0
            for term, weight in known.items():
                tf = sum(self._weights[f] * c[term] / (1 - B + B * lengths[f] / self._average[f])
                         for f, c in fields.items() if term in c)
                if tf:
                    score += weight * self._idf[term] * tf / (K1 + tf)
            found.append(score)
        return found
