"""The metric code, on rankings worked out by hand."""

from __future__ import annotations

import math

import pytest

from remem.bench.locomo import _run_system
from remem.bench.locomo_data import Conversation, Question, Session, session_of, session_time
from remem.bench.metrics import ndcg_at_k, percentile, recall_at_k, reciprocal_rank, token_f1
from remem.bench.systems import Retrieved
from remem.errors import InvalidInput

# Five hits; the evidence is D1:3 and D2:7. Hit 2 carries D1:3, hit 4 carries D2:7 and D2:8.
HITS = [["D1:1"], ["D1:3"], ["D1:9"], ["D2:7", "D2:8"], ["D1:3"]]
EVIDENCE = ["D1:3", "D2:7"]


def test_turn_recall_counts_evidence_among_the_turns_behind_the_top_k() -> None:
    assert recall_at_k(HITS, EVIDENCE, 1) == 0.0
    assert recall_at_k(HITS, EVIDENCE, 2) == 0.5
    assert recall_at_k(HITS, EVIDENCE, 3) == 0.5
    assert recall_at_k(HITS, EVIDENCE, 4) == 1.0
    assert recall_at_k(HITS, EVIDENCE, 50) == 1.0
    assert recall_at_k([], EVIDENCE, 10) == 0.0
    with pytest.raises(ValueError):
        recall_at_k(HITS, [], 10)


def test_ndcg_by_hand() -> None:
    # Gains at ranks 2 and 4 (the repeat of D1:3 at rank 5 gains nothing): DCG = 1/log2(3) + 1/log2(5).
    # Ideal: two relevant hits at ranks 1 and 2: IDCG = 1 + 1/log2(3).
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(HITS, EVIDENCE, 10) == pytest.approx(expected)
    assert ndcg_at_k([["D1:3"], ["D2:7"]], EVIDENCE, 10) == pytest.approx(1.0)
    assert ndcg_at_k(HITS, EVIDENCE, 1) == 0.0
    # At k=3 the ideal list is still two relevant hits; we found one, at rank 2.
    assert ndcg_at_k(HITS, EVIDENCE, 3) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))


def test_mrr_and_percentiles_and_f1() -> None:
    assert reciprocal_rank(HITS, EVIDENCE) == 0.5
    assert reciprocal_rank([["x"]], EVIDENCE) == 0.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert percentile([7.0], 99) == 7.0
    assert token_f1("The adoption agencies", "adoption agencies") == 1.0
    assert token_f1("Lisbon", "Porto") == 0.0
    # Three predicted tokens, one right: precision 1/3, recall 1, F1 = 2 * (1/3) / (4/3) = 0.5.
    assert token_f1("in Porto, Portugal", "Porto") == pytest.approx(0.5)


def test_locomo_dates_and_sessions() -> None:
    moment = session_time("1:56 pm on 8 May, 2023")
    assert (moment.year, moment.month, moment.day, moment.hour, moment.minute) == (2023, 5, 8, 13, 56)
    assert session_time("10:37 am on 27 June, 2023").hour == 10
    assert session_of("D12:3") == "session_12"
    assert session_time(" 7:05 PM on 1 January, 2024 ").strftime("%Y-%m-%d %H:%M") == "2024-01-01 19:05"
    with pytest.raises(InvalidInput, match="not like"):
        session_time("8 May 2023")


def test_session_recall_uses_the_sessions_behind_the_hits() -> None:
    # Evidence in sessions 1 and 2; hits come from sessions 1, 1 and 3, then a fact spanning 2 and 3.
    session_hits = [["session_1"], ["session_1"], ["session_3"], ["session_2", "session_3"]]
    evidence_sessions = ["session_1", "session_2"]
    assert recall_at_k(session_hits, evidence_sessions, 1) == 0.5
    assert recall_at_k(session_hits, evidence_sessions, 3) == 0.5
    assert recall_at_k(session_hits, evidence_sessions, 4) == 1.0


class _FixedRanking:
    """A system that always returns D1:1 then D1:2, whatever the question."""

    name = "fixed"

    def ingest(self, conversation: Conversation) -> None:
        pass

    def search(self, question: str, k: int) -> list[Retrieved]:
        return [Retrieved(["D1:1"], ["session_1"], "Ana: hello"), Retrieved(["D1:2"], ["session_1"], "Ben: hi")][:k]

    def close(self) -> None:
        pass


def test_adversarial_questions_are_scored_apart_and_questions_without_evidence_are_skipped() -> None:
    conversation = Conversation(
        "c",
        [Session("session_1", session_time("9:15 am on 3 March, 2024"), [])],
        [
            Question("single-hop, found at rank 1", "x", ["D1:1"], 4),
            Question("temporal, found at rank 2", "y", ["D1:2"], 2),
            Question("adversarial, found at rank 2", None, ["D1:2"], 5),
            Question("no evidence: cannot be scored", "z", [], 3),
        ],
    )
    result = _run_system(_FixedRanking(), [conversation], [1, 2])

    # Overall: the two answerable questions only; recall@1 is (1 + 0) / 2, MRR (1 + 1/2) / 2.
    assert result["overall"]["questions"] == 2
    assert result["overall"]["turn_recall@1"] == 0.5
    assert result["overall"]["turn_recall@2"] == 1.0
    assert result["overall"]["mrr"] == 0.75
    assert set(result["by_category"]) == {"single-hop", "temporal"}
    assert result["adversarial"] == {
        "questions": 1,
        "turn_recall@1": 0.0,
        "turn_recall@2": 1.0,
        "session_recall@10": 1.0,
        "ndcg@10": pytest.approx(1 / math.log2(3), abs=1e-4),
        "mrr": 0.5,
        # The session holds no turns, so no evidence text can be in any context.
        "evidence_recall@256tok": 0.0,
        "evidence_recall@512tok": 0.0,
        "evidence_recall@1024tok": 0.0,
    }
    # Two hits of 10 and 7 characters: (10 + 7) / 4 tokens per question.
    assert result["cost"]["context_tokens_per_question@10"] == 4.2
