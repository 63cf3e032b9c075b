"""The LoCoMo harness end to end on the small conversation shipped with remem."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from remem.bench.context import TokenCounter, build_context, cut_context, evidence_recall
from remem.bench.locomo import run
from remem.bench.locomo_data import load, messages
from remem.bench.systems import RememSystem
from remem.cli import main
from remem.embed import from_settings
from remem.llm.openai_compat import OpenAICompatLLM
from remem.settings import Settings
from tests.openai_stub import OpenAIStub

SAMPLE = Path(__file__).parents[1] / "src" / "remem" / "data" / "sample-locomo.json"
# Two sessions, nine turns (one a shared photo), six questions: four answerable with evidence,
# one adversarial (category 5), one without evidence.
TINY = Path(__file__).parent / "data" / "tiny-locomo.json"


def test_the_loader_keeps_dates_photos_and_dia_ids() -> None:
    conversation = load(TINY)[0]
    first, second = conversation.sessions
    assert [first.key, second.key] == ["session_1", "session_2"]
    assert second.time.isoformat() == "2024-04-21T18:40:00+00:00"
    photo = messages(first)[3]
    assert photo["content"] == "Look at him now. [shares a photo: a photo of a dog lying on a red sofa]"
    assert (photo["name"], photo["at"], photo["metadata"]) == ("Ben", "2024-03-03T09:15:00+00:00", {"dia_id": "D1:4"})
    assert [q.category for q in conversation.questions] == [4, 2, 1, 4, 5, 3]
    assert conversation.questions[4].answer is None  # adversarial: only a trap answer


def test_report_on_a_tiny_conversation_has_the_documented_shape_and_known_values(tmp_path: Path) -> None:
    systems = ["remem", "bm25", "dense", "full-context"]
    report = run(TINY, systems=systems, ks=[1, 5, 10], out=tmp_path, log=lambda _: None)

    assert set(report) == {"data", "config", "systems", "qa"}
    assert report["data"]["sessions"] == 2 and report["data"]["turns"] == 9 and report["data"]["questions"] == 6
    assert "no LLM configured" in report["qa"]["skipped"]
    for name in systems:
        result = report["systems"][name]
        assert set(result) >= {"overall", "by_category", "adversarial", "cost"}
        # The category-5 question is scored apart; the one without evidence cannot be scored.
        assert result["overall"]["questions"] == 4 and result["adversarial"]["questions"] == 1
        assert set(result["by_category"]) == {"multi-hop", "temporal", "single-hop"}
        assert result["overall"]["turn_recall@10"] == 1.0  # ten hits cover nine turns
        assert result["overall"]["session_recall@10"] == 1.0
        assert set(result["cost"]) >= {"ingest_turns_per_s", "search_ms_p50", "search_ms_p95", "search_ms_p99"}
        if name != "full-context":
            # Its two evidence turns cannot both be behind one turn hit.
            assert result["by_category"]["multi-hop"]["turn_recall@1"] == 0.5

    bm25 = report["systems"]["bm25"]
    # "greyhound" is in one turn only: rank 1, for the real and the adversarial question alike.
    assert bm25["adversarial"]["turn_recall@1"] == 1.0 and bm25["adversarial"]["mrr"] == 1.0
    # "sofa" is only in the photo's caption: rank 1 shows captions are part of the turn.
    assert bm25["by_category"]["single-hop"]["turn_recall@1"] == 1.0
    # remem maps each hit to the dia_ids of its source turns.
    assert report["systems"]["remem"]["by_category"]["single-hop"]["turn_recall@5"] == 1.0
    assert report["systems"]["remem"]["memory"]["tiny-1"]["memories"] >= 9

    # The full context is one hit holding every turn: recall 1 at k=1, at the price of all the text.
    full = report["systems"]["full-context"]
    assert full["overall"]["turn_recall@1"] == 1.0
    every_turn = "\n".join(f"{t.speaker}: {t.text}" for s in load(TINY)[0].sessions for t in s.turns)
    assert full["cost"]["context_tokens_per_question@10"] == round(len(every_turn) / 4, 1)

    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["systems"]["bm25"]["overall"] == bm25["overall"]
    assert "| bm25 |" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_peers_run_offline_with_the_same_embedder(tmp_path: Path) -> None:
    for package in ("chromadb", "mem0"):
        if importlib.util.find_spec(package) is None:  # not imported here: importing mem0 starts its telemetry
            pytest.skip(f"{package} is not installed (pip install 'remem[bench]')")
    report = run(TINY, systems=["dense", "chroma", "mem0"], ks=[1, 5], out=None, log=lambda _: None)
    dense = report["systems"]["dense"]["overall"]
    # Exact cosine, HNSW at nine vectors, and Mem0's semantic search rank the same embeddings alike.
    assert report["systems"]["chroma"]["overall"] == dense
    assert report["systems"]["mem0"]["overall"]["turn_recall@5"] == dense["turn_recall@5"]


def test_the_sample_shipped_with_remem_runs_too(tmp_path: Path) -> None:
    report = run(SAMPLE, systems=["bm25"], ks=[10], out=None, log=lambda _: None)
    assert report["data"]["turns"] == 16 and report["systems"]["bm25"]["overall"]["turn_recall@10"] >= 0.8


def test_cli_bench_refuses_an_unknown_system(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["bench", "locomo", "--data", str(SAMPLE), "--system", "remem,nope", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "unknown systems ['nope']" in result.output


def test_answers_are_scored_when_an_llm_is_configured(tmp_path: Path, openai_stub: OpenAIStub) -> None:
    def reply(request: dict[str, Any]) -> str:
        prompt = request["messages"][-1]["content"]
        if prompt.startswith("You grade"):
            gold = prompt.split("Gold answer: ")[1].split("\n")[0]
            answer = prompt.split("Assistant's answer: ")[1].split("\n")[0]
            return json.dumps({"correct": gold.split()[0].lower() in answer.lower(), "reason": "stub"})
        first_memory = prompt.split("Memories:\n- ")[1].split("\n")[0]
        return first_memory

    openai_stub.default = reply
    llm = OpenAICompatLLM(openai_stub.url, "stub-model")
    report = run(TINY, systems=["remem", "full-context"], ks=[10], out=tmp_path, llm=llm, log=lambda _: None)

    qa = report["qa"]
    assert qa["llm"] == "openai-compat:stub-model" and qa["judge_prompt"].endswith("judge.md")
    remem = qa["systems"]["remem"]["overall"]
    assert remem["questions"] == 4 and 0 <= remem["f1"] <= 1 and 0 < remem["judge_accuracy"] <= 1
    assert set(qa["systems"]["remem"]["by_category"]) <= {"multi-hop", "temporal", "single-hop"}
    assert len(openai_stub.requests) == 2 * 4 * 2  # an answer and a verdict per question per system
    assert "| remem | 4 |" in (tmp_path / "report.md").read_text()


def test_evidence_recall_counts_only_whole_turns_inside_the_token_budget() -> None:
    conversation = load(SAMPLE)[0]
    turns = [(t.dia_id, f"{t.speaker}: {t.text}") for s in conversation.sessions for t in s.turns]
    texts = {t.dia_id: t.text for s in conversation.sessions for t in s.turns}
    counter = TokenCounter()
    # WordPiece tokens, counted once by hand from the tokenizer: the first six turns are 114 tokens
    # ("Tom: ... my starter is named Gerald." ends there), the first fourteen 256.
    assert sum(counter.count(text) for _, text in turns[:6]) == 114
    assert sum(counter.count(text) for _, text in turns[:14]) == 256
    passages = build_context([[text] for _, text in turns])
    starter = ["D1:6", "D2:6"]  # "What is the name of Tom's sourdough starter?": two evidence turns
    recall = evidence_recall(passages, starter, texts, [113, 114, 255, 256], counter)
    # At 113 tokens the sixth turn is cut inside, so it does not count; the second turn comes at 256.
    assert recall == {113: 0.0, 114: 0.5, 255: 0.5, 256: 1.0}
    # An evidence id with no such turn is missed, as in recall@k.
    assert evidence_recall(passages, ["D1:6", "D9:9"], texts, [1024], counter) == {1024: 0.5}
    # A passage already in the context costs nothing the second time.
    assert build_context([[turns[0][1], turns[1][1]], [turns[1][1]], [" " + turns[0][1] + "\n"]]) == [
        turns[0][1],
        turns[1][1],
    ]
    text, used = cut_context(passages, 20, counter)
    assert used == 20 and text.startswith(turns[0][1] + "\n") and counter.count(text) == 20


def test_the_report_gives_evidence_recall_at_each_budget_for_every_system(tmp_path: Path) -> None:
    report = run(SAMPLE, systems=["remem", "bm25", "full-context"], ks=[10], out=tmp_path, log=lambda _: None)
    assert report["config"]["budgets"] == [256, 512, 1024]
    full = report["systems"]["full-context"]
    # The whole conversation is 290 tokens and every evidence turn is within its first 256.
    assert full["cost"]["context_tokens_per_question"] == 290.0
    assert full["overall"]["evidence_recall@256tok"] == 1.0
    assert full["by_category"]["multi-hop"]["evidence_recall@256tok"] == 1.0
    for name in ("remem", "bm25"):
        overall = report["systems"][name]["overall"]
        assert (
            overall["evidence_recall@256tok"] <= overall["evidence_recall@512tok"] <= overall["evidence_recall@1024tok"]
        )
    # remem's hits, with the turns their facts came from, fit the sample's evidence in 1,024 tokens.
    assert report["systems"]["remem"]["overall"]["evidence_recall@1024tok"] == 1.0
    markdown = (tmp_path / "report.md").read_text()
    assert "| full-context | 1.000 | 1.000 | 1.000 |" in markdown
    assert "## Evidence recall at a context budget" in markdown
    assert (tmp_path / "recall-tokens.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_remem_fact_is_read_with_the_turn_it_came_from(tmp_path: Path) -> None:
    conversation = load(SAMPLE)[0]
    system = RememSystem("remem", from_settings(Settings.load()), extractor="rules")
    try:
        system.ingest(conversation)
        hits = system.search("Which city does Maya live in now?", 10)
    finally:
        system.close()
    turn = "Maya: Fun. I have news too: I moved to Porto last week, near the river."
    facts = [h for h in hits if h.passages and h.passages[0] != turn and turn in h.passages]
    assert facts, [h.passages for h in hits]
    assert facts[0].passages == (facts[0].text, turn) and facts[0].turns == ["D2:3"]
