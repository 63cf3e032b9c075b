"""Answer scoring for the LoCoMo harness, when an LLM is configured: token F1 and an LLM judge.

Each system's top 10 hits are the context; the same model answers for every system, and the
judge prompt (src/remem/bench/judge.md) decides whether the answer states the gold fact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from remem.bench.metrics import token_f1
from remem.llm.base import LLM, complete_json, fill

JUDGE = (Path(__file__).with_name("judge.md")).read_text()
ANSWER = (
    "Answer the question from these memories of a conversation. Answer in a few words; if they do not "
    'contain the answer, say "I don\'t know".\n\nMemories:\n{context}\n\nQuestion: {question}\nAnswer:'
)
JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"correct": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["correct", "reason"],
}


def _verdict(answer: Any) -> bool:
    if not isinstance(answer, dict) or not isinstance(answer.get("correct"), bool):
        raise ValueError('expected {"correct": true|false, "reason": "..."}')
    return bool(answer["correct"])


def score_answer(llm: LLM, question: str, gold: str, context: list[str]) -> dict[str, Any]:
    """Answer from `context`, then score: token F1 against the gold answer and the judge's verdict."""
    prompt = fill(ANSWER, context="\n".join(f"- {c}" for c in context), question=question)
    answer = llm.complete([{"role": "user", "content": prompt}], max_tokens=100).strip()
    judge_prompt = fill(JUDGE, question=question, gold=gold, answer=answer)
    correct = complete_json(llm, [{"role": "user", "content": judge_prompt}], JUDGE_SCHEMA, validate=_verdict)
    return {"answer": answer, "f1": token_f1(answer, gold), "judge": 1.0 if correct else 0.0}
