"""Evidence recall at a context budget: what a reader gets when the context is cut at N tokens.

Recall@k counts the turns behind the top k hits whatever their length; a reader pays for text,
not for hits. Here each system's hits become the context it would hand an LLM, passage after
passage in rank order (remem's hits carry the turns they came from, as `ask` reads them; a peer's
hits are their texts; the full-context baseline is the conversation from its first turn), cut at
a token budget, and an evidence turn counts as found when its whole text is in what is left.

Tokens are those of the embedder's own WordPiece tokenizer (`remem/embed/minilm_tokenizer.json`,
BERT's uncased vocabulary, no special tokens, no truncation): a documented, offline count that
runs about 1.3 tokens per English word, close to what LLM tokenizers count on conversational text.
A passage is counted on its own (WordPiece splits at whitespace, so the sum over passages is the
count of the joined context), and passages that repeat one already in the context cost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

BUDGETS = (256, 512, 1024)
TOKENIZER_PATH = Path(__file__).parents[1] / "embed" / "minilm_tokenizer.json"
_SPACE = re.compile(r"\s+")


class TokenCounter:
    """Counts and cuts text in WordPiece tokens; remembers the passages it has seen."""

    name = "wordpiece:minilm_tokenizer.json"

    def __init__(self, path: Path = TOKENIZER_PATH) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._ends: dict[str, list[int]] = {}

    def _token_ends(self, text: str) -> list[int]:
        """The character offset where each token of `text` ends."""
        ends = self._ends.get(text)
        if ends is None:
            if len(self._ends) > 50_000:
                self._ends.clear()
            encoding = self._tokenizer.encode(text, add_special_tokens=False)
            ends = self._ends[text] = [end for _, end in encoding.offsets]
        return ends

    def count(self, text: str) -> int:
        return len(self._token_ends(text))

    def cut(self, text: str, tokens: int) -> str:
        """The longest prefix of `text` made of at most `tokens` whole tokens."""
        ends = self._token_ends(text)
        if tokens >= len(ends):
            return text
        return text[: ends[tokens - 1]] if tokens > 0 else ""


def normalise(text: str) -> str:
    """Whitespace folded to single spaces, so a line break in a context never hides a turn."""
    return _SPACE.sub(" ", text).strip()


def build_context(hits: Iterable[Sequence[str]]) -> list[str]:
    """The passages of every hit, in rank order, each passage once."""
    seen: set[str] = set()
    out: list[str] = []
    for passages in hits:
        for passage in passages:
            key = normalise(passage)
            if key and key not in seen:
                seen.add(key)
                out.append(passage)
    return out


def cut_context(passages: Sequence[str], budget: int, counter: TokenCounter) -> tuple[str, int]:
    """The context cut at `budget` tokens (a passage that does not fit is cut inside), and its tokens."""
    kept: list[str] = []
    used = 0
    for passage in passages:
        cost = counter.count(passage)
        if used + cost > budget:
            kept.append(counter.cut(passage, budget - used))
            used = budget
            break
        kept.append(passage)
        used += cost
    return "\n".join(kept), used


def evidence_recall(
    passages: Sequence[str], evidence: Sequence[str], turn_texts: dict[str, str], budgets: Sequence[int], counter: Any
) -> dict[int, float]:
    """Share of the evidence turns whose whole text is in the context cut at each budget.

    An evidence id with no turn in the conversation counts as missed, as it does for recall@k.
    """
    wanted = sorted(set(evidence))
    if not wanted:
        raise ValueError("recall needs at least one evidence unit")
    texts = [normalise(turn_texts[e]) if e in turn_texts else None for e in wanted]
    out: dict[int, float] = {}
    for budget in budgets:
        context = normalise(cut_context(passages, budget, counter)[0])
        found = sum(1 for t in texts if t and t in context)
        out[budget] = found / len(wanted)
    return out
