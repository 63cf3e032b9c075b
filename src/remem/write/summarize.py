"""Session summaries: the coarse level of memory (MemGAS, RMM), with or without an LLM.

One searchable memory per session whose sources are all the session's turns, so search can go
from a session to the turns inside it. Without an LLM the summary is extractive: the session's
most central statements, in the order they were said, prefixed with the session's date.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from remem.llm.base import LLM, complete_json, fill, load_prompt
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.llm_extract import numbered_turn
from remem.write.rules import MAX_CLAUSE, classify, content_words, sentences

MIN_TURNS = 4  # below this a session is its turns; a summary would only repeat them
MAX_CHARS = 400
MAX_SENTENCES = 4
SUMMARY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
    "additionalProperties": False,
}


def _summary_candidate(episodes: Sequence[Episode], body: str, keywords: list[str]) -> Candidate:
    start = episodes[0].event_time
    text = f"Session of {start.day} {start:%B %Y}: {body}"
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Candidate(
        text=text,
        kind="summary",
        source_episode_ids=[e.id for e in episodes],
        session=episodes[0].session,
        valid_from=start,
        keywords=keywords,
        tags=sorted({e.name.lower() for e in episodes if e.name}),
        metadata={"turns": len(episodes)},
    )


@lru_cache(maxsize=4096)
def _quotable(content: str, name: str | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The sentences of a turn a summary may quote, each with its content words. Cached: a session's
    summary is written again at each add, over the same turns, and classifying them was most of its cost."""
    return tuple(
        (sentence, tuple(content_words(sentence)))
        for sentence in sentences(content)
        if len(sentence) <= MAX_CLAUSE and classify(sentence, name) is not None
    )


def summarize_session(episodes: Sequence[Episode]) -> Candidate | None:
    """An extractive summary of one session's turns (in order), or None when there is nothing to say."""
    pool: list[tuple[int, str, str]] = []  # (order, speaker, sentence)
    words_of: dict[str, tuple[str, ...]] = {}
    for order, episode in enumerate(episodes):
        for sentence, words in _quotable(episode.content, episode.name):
            pool.append((order, episode.name or episode.role, sentence))
            words_of[sentence] = words
    if not episodes or not pool:
        return None
    # Centrality: a sentence scores by how often the session repeats its words, so the topic
    # the speakers kept returning to wins over a passing remark; the root keeps long sentences
    # from winning by length alone.
    frequency = Counter(w for _, _, s in pool for w in words_of[s])  # content_words is deduplicated, in order

    def score(sentence: str) -> float:
        words = words_of[sentence]
        return sum(frequency[w] for w in words) / (len(words) ** 0.5) if words else 0.0

    chosen = sorted(sorted(pool, key=lambda item: -score(item[2]))[:MAX_SENTENCES])
    body = " ".join(f"{who}: {sentence}" for _, who, sentence in chosen)
    return _summary_candidate(episodes, body, [w for w, _ in frequency.most_common(12)])


class ExtractiveSummarizer:
    """The offline Summarizer: `summarize_session` for sessions of at least `min_turns` turns."""

    name = "extractive-summary"

    def __init__(self, min_turns: int = MIN_TURNS) -> None:
        self.min_turns = min_turns

    def summarize(self, episodes: Sequence[Episode]) -> Candidate | None:
        return summarize_session(episodes) if len(episodes) >= self.min_turns else None


class LLMSummarizer:
    """A Summarizer by the prompt in prompts/summarize.md; LLMOutputError after one corrective retry."""

    name = "llm-summary"

    def __init__(self, llm: LLM, min_turns: int = MIN_TURNS) -> None:
        self.llm = llm
        self.min_turns = min_turns
        self.prompt = load_prompt("summarize")

    def summarize(self, episodes: Sequence[Episode]) -> Candidate | None:
        if len(episodes) < self.min_turns:
            return None
        prompt = fill(
            self.prompt,
            date=f"{episodes[0].event_time:%Y-%m-%d}",
            turns="\n".join(numbered_turn(i, e) for i, e in enumerate(episodes, start=1)),
        )

        def validate(answer: Any) -> str:
            if not isinstance(answer, dict) or not isinstance(answer.get("summary"), str) or not answer["summary"]:
                raise ValueError('expected {"summary": "..."} with a non-empty summary')
            return str(answer["summary"]).strip()

        summary = complete_json(self.llm, [{"role": "user", "content": prompt}], SUMMARY_SCHEMA, validate=validate)
        words = Counter(w for e in episodes for w in content_words(e.content))
        return _summary_candidate(episodes, summary, [w for w, _ in words.most_common(12)])
