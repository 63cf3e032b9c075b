"""The LoCoMo harness end to end on the small conversation shipped with remem."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from remem.bench.locomo import run
from remem.bench.locomo_data import load, messages
from remem.cli import main
from remem.llm.openai_compat import OpenAICompatLLM
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
