"""Knowledge search over runbooks/ and incidents/: fielded BM25 on heading-level sections, each
carrying its document's title, with the question widened by the domain glossary (agents/retrieval.py).

Every result names its file and heading, so any answer built from it can cite its source.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import sysconfig
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from agents.retrieval import FieldIndex, asks_about_the_past, query_terms
from agents.retrieval import tokens as tokens  # where callers have always found it
from bot.config import Settings
from bot.errors import UserFacingError

Kind = Literal["runbook", "incident"]
FOLDERS: dict[Kind, str] = {"runbook": "runbooks", "incident": "incidents"}
PUBLISHED_FOLDER = "postmortems"  # how a published post-mortem from the state store is cited: postmortems/<file>
log = logging.getLogger("agentops.knowledge")
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


_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
# a section this short is a field of its document (an incident's severity, its components), not an answer
FIELD_WORDS = 12
# BM25F field weights: what a passage's heading and its document say it is about outweigh a passing mention
WEIGHTS = {"title": 1.0, "about": 1.0, "heading": 2.5, "body": 1.0}
DOCUMENT_WEIGHT = 1.0  # how much the whole document's match lifts each of its passages
# past incidents answer "has this happened before?", runbooks "what do I do?"
KIND_PRIOR = {True: {"incident": 1.5, "runbook": 1.0}, False: {"incident": 1.0, "runbook": 1.2}}


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


class PublishedIncidents(Protocol):
    """Incident documents kept outside the folders (published post-mortems in the state store), shared by
    every replica: `version` is cheap and changes whenever `documents` would."""

    def version(self) -> object: ...

    def documents(self) -> list[tuple[str, str]]:
        """(file name, markdown) per document."""


@dataclass(frozen=True)
class _Index:
    passages: list[tuple[str, Kind, str, str, str]]
    incidents: dict[str, dict[str, str]]
    sources: list[str]
    documents: FieldIndex
    sections: FieldIndex


class KnowledgeBase:
    def __init__(self, corpora: dict[Kind, Path] | None = None) -> None:
        # (kind, source, markdown) of every file, read once; published incidents are added on each rebuild
        self._files: list[tuple[Kind, str, str]] = []
        for kind, folder in (corpora or default_corpora()).items():
            found = sorted(folder.glob("*.md"))
            if not found:  # an empty index would fail later, and every answer would be "nothing found"
                setting = "RUNBOOKS_DIR" if kind == "runbook" else "INCIDENTS_DIR"
                raise KnowledgeError(f"no {FOLDERS[kind]} (*.md) in {folder}; point {setting} at a folder of "
                                     f"markdown {FOLDERS[kind]}")
            self._files += [(kind, f"{folder.name}/{path.name}", path.read_text()) for path in found]
        self._published: PublishedIncidents | None = None
        self._version: object = None
        self._lock = threading.Lock()
        self._index = _build(self._files)

    def follow(self, published: PublishedIncidents) -> None:
        """Index `published`'s documents too, now and whenever its version changes (checked on every search),
        so a post-mortem published on any replica is found by the next question on every replica."""
        self._published = published
        self._version = None
        self.refresh()

    def refresh(self) -> None:
        """Rebuild if the published documents changed; while they cannot be read (the store is down), the
        index keeps what it had."""
        if self._published is None:
            return
        try:
            version = self._published.version()
            if version == self._version:
                return
            documents = self._published.documents()
        except Exception as error:  # the store's errors vary by backend; knowledge search must go on
            log.warning("published incidents unavailable (%s); searching what was indexed before",
                        type(error).__name__)
            return
        shipped = {source.rsplit("/", 1)[-1] for kind, source, _ in self._files if kind == "incident"}
        extra: list[tuple[Kind, str, str]] = [("incident", f"{PUBLISHED_FOLDER}/{name}", text)
                                              for name, text in documents if name not in shipped]
        index = _build(self._files + extra)
        with self._lock:  # searches in other threads see the old index or the new one, never half of one
            self._index, self._version = index, version

    @property
    def incidents(self) -> dict[str, dict[str, str]]:
        """Each incident's sections by heading, short ones included: what similar-incident ranking reads."""
        self.refresh()
        return self._index.incidents

    @property
    def size(self) -> int:
        return len(self._index.passages)

    def search(self, question: str, kind: Kind | None = None, limit: int = 5) -> list[Passage]:
        terms = query_terms(question)
        if not terms:
            return []
        self.refresh()
        index = self._index
        # A passage scores its own BM25F plus part of its whole document's: one rare word in a short
        # section should not outrank the document that is about the question.
        document_score = dict(zip(index.sources, index.documents.scores(terms), strict=True))
        prior = KIND_PRIOR[asks_about_the_past(question)]
        ranked = sorted(
            ((prior[p[1]] * (score + DOCUMENT_WEIGHT * document_score[p[0]]), p)
             for score, p in zip(index.sections.scores(terms), index.passages, strict=True)
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


def _build(files: list[tuple[Kind, str, str]]) -> _Index:
    """The passage and document indexes of (kind, source, markdown) files."""
    passages: list[tuple[str, Kind, str, str, str]] = []
    incidents: dict[str, dict[str, str]] = {}
    about: list[tuple[str, str]] = []  # per passage: its document's topic and title; its summary and fields
    documents: dict[str, dict[str, str]] = {}
    for kind, source, text in files:
        # file names are curated summaries ("model_drift", "inc_2026_0115_v14_drift")
        stem = source.rsplit("/", 1)[-1].removesuffix(".md")
        topic = " ".join(w for w in stem.split("_") if not w.isdigit() and w != "inc")
        sections = chunk_markdown(text)
        title = sections[0][0] if sections else topic
        answers = [c for c in sections if len(c[2].split()) >= FIELD_WORDS] or sections
        fields = " ".join(f"{c[1]}: {c[2]}" for c in sections if c not in answers)
        # an incident's summary says what the whole story is about, so each of its passages carries it
        summary = next((b for _, h, b in sections if kind == "incident" and h.lower() == "summary"), "")
        documents[source] = {"about": f"{topic}. {title}. {fields}", "body": text}
        if kind == "incident":
            incidents[source] = {h.lower(): b for _, h, b in sections}
        for t, h, b in answers:
            passages.append((source, kind, t, h, b))
            about.append((f"{topic}. {title}", f"{fields} {summary if h.lower() != 'summary' else ''}"))
    return _Index(passages, incidents, list(documents),
                  FieldIndex(list(documents.values()), {"about": 3.0, "body": 1.0}),
                  FieldIndex([{"title": t, "about": a, "heading": h, "body": b}
                              for (t, a), (_, _, _, h, b) in zip(about, passages, strict=True)], WEIGHTS))


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"
