"""Knowledge search over the runbooks and incidents: fielded BM25 with the glossary, cited by file and heading."""

import pytest

from agents.knowledge import KnowledgeBase, chunk_markdown, tokens


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase()


@pytest.mark.parametrize(("question", "source"), [
    ("What should I do when model drift is detected?", "runbooks/model_drift.md"),
    ("Has V14 drift happened before?", "incidents/inc_2026_0115_v14_drift.md"),
    ("null rate spike in transactions_ingest", "incidents/inc_2026_0120_null_spike.md"),
    ("what is the evaluation gate", "runbooks/retraining.md"),
    # a symptom is answered by its runbook, the same symptom asked about the past by the incident
    ("p99 latency after deploying a bigger model", "runbooks/latency_spike.md"),
    ("did p99 latency ever jump after we deployed a bigger model?", "incidents/inc_2026_0203_latency.md"),
    ("schema violations in feature_pipeline", "incidents/inc_2026_0218_schema_change.md"),
    ("severity levels and response times", "runbooks/incident_response.md"),
])
def test_the_right_source_comes_first(kb: KnowledgeBase, question: str, source: str) -> None:
    assert kb.search(question)[0].source == source


def test_kind_filter(kb: KnowledgeBase) -> None:
    assert {p.kind for p in kb.search("drift", kind="incident", limit=10)} == {"incident"}
    assert {p.kind for p in kb.search("drift", kind="runbook", limit=10)} == {"runbook"}


def test_answers_cite_file_and_heading(kb: KnowledgeBase) -> None:
    text, passages = kb.answer("What should I do when model drift is detected?")
    assert text.startswith(f"From *{passages[0].citation}*:")
    assert passages[0].citation.startswith("runbooks/model_drift.md › ")


def test_nothing_found_says_how_to_ask(kb: KnowledgeBase) -> None:
    text, passages = kb.answer("the the and")
    assert passages == [] and "Try naming the symptom" in text
    assert kb.search("zzzz quux") == []


def test_sections_follow_headings_not_code_fences() -> None:
    chunks = chunk_markdown("# Title\nmeta\n## One\ntext\n```\n## not a heading\n```\n## Two\nmore")
    assert [(h, b.splitlines()[0]) for _, h, b in chunks] == [("One", "text"), ("Two", "more")]


def test_tokens_stem_and_pair_words() -> None:
    assert tokens("Model drift detected") == ["model", "drift", "detect", "model_drift", "drift_detect"]
    assert tokens("see [model_drift.md](model_drift.md)") == ["see"]  # links are navigation, not content


def test_a_team_points_the_search_at_its_own_runbooks(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from agents.knowledge import knowledge_base
    from bot.config import load_settings

    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    (playbooks / "feature_store.md").write_text("# Feature store outage\n\n## Failover\n\nSwitch reads to the "
                                                "replica in eu-west-2, then page the data platform team.\n")
    monkeypatch.setenv("RUNBOOKS_DIR", str(playbooks))
    kb = knowledge_base(load_settings())
    [best, *_] = kb.search("feature store outage: how do we do the failover?")
    assert best.citation == "playbooks/feature_store.md › Failover"
    assert kb.search("V14 drift")[0].kind == "incident"  # the shipped incidents still answer


def test_an_empty_corpus_folder_is_refused_with_the_setting_to_fix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from agents.knowledge import KnowledgeError, default_corpora

    with pytest.raises(KnowledgeError, match=r"no runbooks .* point RUNBOOKS_DIR at a folder"):
        KnowledgeBase(default_corpora() | {"runbook": tmp_path})
