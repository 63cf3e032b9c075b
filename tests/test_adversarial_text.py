"""No pattern the write or read path runs is super-linear: adversarial whitespace and punctuation.

One add of "forget x" + 31,000 spaces + "y" once burned 78 s of CPU in a single regular expression
(issue 11, item 8). Each text below is about 30,000 characters of one repeated shape; a linear pass
over it takes milliseconds, a quadratic one minutes. The bound is loose on purpose (a slow machine
passes), and it is not a speed target: it separates linear from quadratic by two orders of magnitude.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remem.search.intent import intent
from remem.search.terms import query_terms
from remem.search.timeparse import time_windows
from remem.types import Episode
from remem.write.claims import claim
from remem.write.dates import resolve
from remem.write.rules import MAX_CLAUSE, RuleExtractor, classify, clauses, forget_request
from remem.write.summarize import summarize_session

NOW = datetime(2024, 1, 1, tzinfo=UTC)
BOUND_S = 5.0  # per text, for every step together; each takes milliseconds today

SHAPES = {
    "forget then spaces": "forget x" + " " * 31_000 + "y",
    "forget then newlines": "forget x" + "\n" * 31_000 + "y",
    "spaces before a place": "I live in" + " " * 30_000 + "Lisbon",
    "empty clauses": "my sister" + ", " * 15_000 + "moved",
    "dots": "I'm a" + "." * 30_000,
    "one word again": "I " + "really " * 5_000 + "live in Paris",
    "capitals": "My " + "Big " * 5_000 + "dog",
    "amounts": "$" + "1," * 15_000 + "k rent",
    "possessives": "Ana's " * 6_000 + "job",
    "hyphens": "co-" * 10_000 + "parent",
    "capitals joined by hyphens": "my " + "A-" * 10_000 + " x",  # a name's words split exponentially many ways
    "names and I": "Ana and " * 4_000 + "I are together",
    "titles": "engineer at " * 3_000 + "Google",
    "brackets": "[" * 15_000 + "x" + " ]" * 7_000,
    "tabs and commas": "\t,\t" * 10_000 + "please forget my number",
    "question marks": "where do I live" + "?" * 30_000,
}


def _episode(text: str) -> Episode:
    return Episode(id="e", space="s", role="user", content=text, session="s", event_time=NOW, ingest_time=NOW)


def _every_step(text: str) -> None:
    RuleExtractor().extract([_episode(text)], [])
    summarize_session([_episode(text)] * 3)
    forget_request(text)
    for piece in clauses(text)[:50]:
        clause = piece[:MAX_CLAUSE]  # the extractor reads no longer clause
        claim(clause, "Ana")
        classify(clause, "Ana")
        resolve(clause, NOW)
    query_terms(text)
    time_windows(text)
    intent(text)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_adversarial_shape_is_read_in_linear_time(shape: str) -> None:
    started = time.perf_counter()
    _every_step(SHAPES[shape])
    assert time.perf_counter() - started < BOUND_S, f"{shape}: a pattern went super-linear"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    unit=st.text(alphabet=" \t\n,.;:!?-'\"()[]&$€£0123456789aAI", min_size=1, max_size=4),
    words=st.sampled_from(["forget", "my", "I live in", "moved to", "at", "is", "not", "actually", "k"]),
)
def test_any_repeated_punctuation_and_whitespace_is_read_in_linear_time(unit: str, words: str) -> None:
    text = f"{words} " + unit * (20_000 // len(unit)) + f" {words} Lisbon"
    started = time.perf_counter()
    _every_step(text)
    assert time.perf_counter() - started < BOUND_S, repr(unit)
