"""Knowledge search over runbooks/ and incidents/: BM25 (bm25s) on heading-level sections.

Every result names its file and heading, so any answer built from it can cite its source.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bm25s
import Stemmer

from bot.config import Settings
from bot.errors import UserFacingError

Kind = Literal["runbook", "incident"]
FOLDERS: dict[Kind, str] = {"runbook": "runbooks", "incident": "incidents"}
# a source checkout keeps the corpora beside the packages; an installed wheel, under its prefix
_SOURCE_TREE = Path(__file__).resolve().parent.parent


def _installed() -> Path:
    """Where pip put the data files: the prefix of a virtualenv or system install, or the user base."""
    schemes = [None, f"{os.name}_user"] if f"{os.name}_user" in sysconfig.get_scheme_names() else [None]
    bases = [Path(sys.prefix)] + [Path(sysconfig.get_path("data", scheme) if scheme else sysconfig.get_path("data"))
                                  for scheme in schemes]
    return next((b / "share" / "agentops" for b in bases if (b / "share" / "agentops" / "runbooks").is_dir()),
                Path(sys.prefix) / "share" / "agentops")


class KnowledgeError(UserFacingError):
    """A corpus folder is missing or has no markdown in it."""


def default_corpora() -> dict[Kind, Path]:
    """The runbooks and incidents that ship with AgentOps: the source tree's, else the installed copy."""
    base = _SOURCE_TREE if (_SOURCE_TREE / "runbooks").is_dir() else _installed()
    return {kind: base / folder for kind, folder in FOLDERS.items()}


def knowledge_base(settings: Settings) -> KnowledgeBase:
    """The corpora Settings name (RUNBOOKS_DIR, INCIDENTS_DIR), the shipped ones otherwise."""
    corpora = default_corpora()
    if settings.runbooks_dir:
        corpora["runbook"] = settings.runbooks_dir
    if settings.incidents_dir:
        corpora["incident"] = settings.incidents_dir
    return KnowledgeBase(corpora)

# Question words that match every document; BM25 would mostly ignore them, but they also
# turn "what should I do" into noise matches on short chunks.
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "before", "by", "can", "could", "did", "do", "does",
    "for", "from", "has", "have", "how", "i", "if", "in", "is", "it", "its", "of", "on", "or", "should",
    "so", "that", "the", "there", "this", "to", "was", "we", "were", "what", "when", "where", "which", "who",
    "why", "will", "with", "you", "your",
})
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_STEMMER = Stemmer.Stemmer("english")
# bm25s sets its own logger to DEBUG on import, logging every index build
logging.getLogger("bm25s").setLevel(logging.WARNING)
_LINK_TARGET = re.compile(r"(?<=\])\([^)]*\)")
_FILE_REFERENCE = re.compile(r"\b[\w-]+\.md\b")


@dataclass(frozen=True)
class Passage:
    source: str  # e.g. "runbooks/model_drift.md"
    kind: Kind
    title: str
    heading: str
    text: str
    score: float

    @property
    def citation(self) -> str:
        return f"{self.source} › {self.heading}" if self.heading != self.title else self.source


def chunk_markdown(text: str) -> list[tuple[str, str, str]]:
    """(title, heading, body) per level-1/2/3 section; headings inside code fences are not sections."""
    title, heading, fenced = "", "", False
    body: list[str] = []
    chunks: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            if body and "".join(body).strip():
                chunks.append((title, heading or title, "\n".join(body).strip()))
            body = []
            if len(match.group(1)) == 1:
                title = heading = match.group(2).strip()
            else:
                heading = match.group(2).strip()
            continue
        body.append(line)
    if body and "".join(body).strip():
        chunks.append((title, heading or title, "\n".join(body).strip()))
    # the text between a title and its first section is metadata (owner, links), not an answer
    sections = [c for c in chunks if c[1] != c[0]]
    return sections or chunks


def tokens(text: str) -> list[str]:
    """Stemmed words without stopwords, plus each adjacent pair as one token.

    In a corpus this small "model" and "drift" occur nearly everywhere, while the pair
    "model drift" is rare: the bigrams carry the meaning the single words lose.
    """
    # links and file names are navigation ("see model_drift.md"), not what a passage is about
    text = _FILE_REFERENCE.sub(" ", _LINK_TARGET.sub("", text))
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOPWORDS and len(w) > 1]
    stems = _STEMMER.stemWords(words)
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


def _index(texts: list[str]) -> bm25s.BM25:
    # Lucene's IDF stays positive for terms found in most documents (classic BM25 zeroes them)
    retriever = bm25s.BM25(method="lucene")
    retriever.index([tokens(t) or ["_empty_"] for t in texts], show_progress=False)
    return retriever


class KnowledgeBase:
    def __init__(self, corpora: dict[Kind, Path] | None = None) -> None:
        self._passages: list[tuple[str, Kind, str, str, str]] = []
        documents: dict[str, str] = {}
        for kind, folder in (corpora or default_corpora()).items():
            found = sorted(folder.glob("*.md"))
            if not found:  # an empty index would fail later, and every answer would be "nothing found"
                setting = "RUNBOOKS_DIR" if kind == "runbook" else "INCIDENTS_DIR"
                raise KnowledgeError(f"no {FOLDERS[kind]} (*.md) in {folder}; point {setting} at a folder of "
                                     f"markdown {FOLDERS[kind]}")
            for path in found:
                source = f"{folder.name}/{path.name}"
                text = path.read_text()
                # file names are curated summaries ("model_drift", "inc_2026_0115_v14_drift")
                topic = " ".join(w for w in path.stem.split("_") if not w.isdigit() and w != "inc")
                sections = chunk_markdown(text)
                title = sections[0][0] if sections else topic
                # repeating a field weighs it: what a text is about counts more than a passing mention
                documents[source] = f"{topic}. {topic}. {topic}. {title}. {title}.\n{text}"
                self._passages += [(source, kind, t, h, b) for t, h, b in sections]
        self._sources = list(documents)
        self._documents = _index(list(documents.values()))
        self._sections = _index([f"{h}. {h}.\n{b}" for _, _, _, h, b in self._passages])
        self.size = len(self._passages)

    def search(self, question: str, kind: Kind | None = None, limit: int = 5) -> list[Passage]:
        query = tokens(question)
        if not query:
            return []
        # A passage scores its own BM25 plus its whole document's: one rare word in a short
        # section should not outrank the document that is about the question.
        document_score = dict(zip(self._sources, self._documents.get_scores(query), strict=True))
        section_scores = self._sections.get_scores(query)
        ranked = sorted(
            ((float(score) + float(document_score[p[0]]), p) for score, p in zip(section_scores, self._passages,
                                                                                strict=True)
             if score > 0 and (kind is None or p[1] == kind)),
            key=lambda item: item[0], reverse=True)
        return [Passage(*passage, score=round(score, 3)) for score, passage in ranked[:limit]]

    def answer(self, question: str, limit: int = 3, quoted: int = 2) -> tuple[str, list[Passage]]:
        """An answer quoting the best passages, and the passages it cites (offline; no model)."""
        passages = self.search(question, limit=limit)
        if not passages:
            return ("I found nothing in the runbooks or past incidents about that. "
                    "Try naming the symptom or component, e.g. “drift on classifier_v2”."), []
        quotes = [f"From *{p.citation}*:\n{_trim(p.text, 1200)}" for p in passages[:quoted]]
        return "\n\n".join(quotes), passages


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"
