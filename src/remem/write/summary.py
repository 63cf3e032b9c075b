"""Session summaries without an LLM: the session's most central statements, in order, with its date.

A summary is the coarse level of memory (MemGAS, RMM): one searchable memory per session
whose sources are all the session's turns, so search can go from a session to its turns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.facts import classify, content_words, sentences

MIN_TURNS = 4
MAX_CHARS = 480
MAX_SENTENCES = 4


class ExtractiveSummarizer:
    name = "extractive-summary"

    def summarize(self, episodes: Sequence[Episode]) -> Candidate | None:
        if len(episodes) < MIN_TURNS:
            return None
        pool: list[tuple[int, str, str]] = []  # (order, speaker, sentence)
        for order, episode in enumerate(episodes):
            for sentence in sentences(episode.content):
                if classify(sentence, episode.name) is not None:
                    pool.append((order, episode.name or episode.role, sentence))
        if not pool:
            return None
        # Centrality: a sentence scores by how often the session repeats its words.
        frequency = Counter(w for _, _, s in pool for w in set(content_words(s)))

        def score(sentence: str) -> float:
            words = content_words(sentence)
            return sum(frequency[w] for w in words) / (len(words) ** 0.5) if words else 0.0

        chosen = sorted(sorted(pool, key=lambda item: -score(item[2]))[:MAX_SENTENCES])
        start = episodes[0].event_time
        text = f"Session of {start.day} {start:%B %Y}: " + " ".join(f"{who}: {s}" for _, who, s in chosen)
        if len(text) > MAX_CHARS:
            text = text[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
        speakers = sorted({e.name for e in episodes if e.name})
        return Candidate(
            text=text,
            kind="summary",
            source_episode_ids=[e.id for e in episodes],
            session=episodes[0].session,
            valid_from=start,
            keywords=[w for w, _ in frequency.most_common(12)],
            tags=[s.lower() for s in speakers],
            metadata={"turns": len(episodes)},
        )
