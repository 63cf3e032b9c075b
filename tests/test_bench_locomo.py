"""The LoCoMo harness end to end on the small conversation shipped with remem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from remem.bench.locomo import run
from remem.cli import main
from remem.llm.openai_compat import OpenAICompatLLM
from tests.openai_stub import OpenAIStub

SAMPLE = Path(__file__).parents[1] / "src" / "remem" / "data" / "sample-locomo.json"


def test_report_has_the_documented_shape_and_sane_values(tmp_path: Path) -> None:
    report = run(
        SAMPLE, systems=["remem", "bm25", "dense", "full-context"], ks=[1, 5, 10], out=tmp_path, log=lambda _: None
    )

    assert set(report) == {"data", "config", "systems", "qa"}
    assert report["data"]["turns"] == 16 and report["data"]["questions"] == 6
    assert "no LLM configured" in report["qa"]["skipped"]
    remem = report["systems"]["remem"]
    assert remem["overall"]["questions"] == 6
    assert set(remem["overall"]) >= {
        "turn_recall@1",
        "turn_recall@5",
        "turn_recall@10",
        "session_recall@10",
        "ndcg@10",
        "mrr",
    }
    assert set(remem["cost"]) >= {"ingest_turns_per_s", "search_ms_p95", "context_tokens_per_question@10"}
    # Sixteen turns: ten hits cannot miss much, and the full context misses nothing.
    assert report["systems"]["full-context"]["overall"]["turn_recall@10"] == 1.0
    assert (
        report["systems"]["full-context"]["cost"]["context_tokens_per_question@10"]
        > remem["cost"]["context_tokens_per_question@10"]
    )
    for name in ("remem", "bm25", "dense"):
        overall = report["systems"][name]["overall"]
        assert overall["turn_recall@1"] <= overall["turn_recall@5"] <= overall["turn_recall@10"]
    # "What did Tom build in his garage?" shares the words "build"/"garage" with exactly one turn.
    assert report["systems"]["bm25"]["overall"]["turn_recall@10"] >= 0.8
    assert remem["memory"]["sample-1"]["memories"] >= 16

    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["systems"]["remem"]["overall"] == remem["overall"]
    assert "| remem |" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
    report = run(SAMPLE, systems=["remem", "full-context"], ks=[10], out=tmp_path, llm=llm, log=lambda _: None)

    qa = report["qa"]
    assert qa["llm"] == "openai-compat:stub-model" and qa["judge_prompt"].endswith("judge.md")
    remem = qa["systems"]["remem"]["overall"]
    assert remem["questions"] == 6 and 0 <= remem["f1"] <= 1 and 0 < remem["judge_accuracy"] <= 1
    assert set(qa["systems"]["remem"]["by_category"]) <= {"multi-hop", "temporal", "single-hop"}
    assert len(openai_stub.requests) == 2 * 6 * 2  # an answer and a verdict per question per system
    assert "| remem | 6 |" in (tmp_path / "report.md").read_text()
