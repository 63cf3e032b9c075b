"""Lexical search, specified once for every engine: FTS5's tokens, ranked by FTS5's BM25.

SQLite indexes memories with FTS5's `porter unicode61 remove_diacritics 2` tokenizer and ranks
them with FTS5's BM25. PostgreSQL has no such tokenizer (its `english` configuration drops stop
words and stems differently), so it would rank differently and the two backends would disagree
on the same data. Instead, PostgreSQL stores the tokens this module produces, by running text
through that same FTS5 tokenizer in a private in-memory SQLite database, and ranks them with
FTS5's BM25 formula: both backends see the same tokens and compute the same scores.

About 40 microseconds a text. Each thread keeps its own in-memory database.

How the ranking is weighted, and which terms a query drops, is one spec, `BM25`: SQLite hands
its column weights to FTS5's bm25(), PostgreSQL computes the same formula from it, and both
prune common terms by it. No store defines a ranking constant of its own.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

#: The FTS5 tokenizer of SQLite's memories_fts table; PostgreSQL's tokens come from it too.
TOKENIZER = "porter unicode61 remove_diacritics 2"
_PLAIN = "unicode61 remove_diacritics 2"  # the same words, unstemmed: what a query may quote

_local = threading.local()
Term = TypeVar("Term")


@dataclass(frozen=True)
class BM25Spec:
    """How lexical search ranks and prunes, on every engine."""

    k1: float  # FTS5's constants, compiled into SQLite: PostgreSQL computes with the same
    b: float
    text_weight: float  # the column weights, as FTS5's bm25(memories_fts, text_weight, keywords_weight)
    keywords_weight: float
    #: A term in more memories than this is left out of a query while rarer terms remain: an OR
    #: query scores every row a term matches, so one very common term costs milliseconds per
    #: thousand rows, while its weight (IDF) is near zero and the dense retriever covers its meaning.
    common_df: int
    #: How long a counted document frequency is trusted: a write through the same store forgets it
    #: at once, a write by another process shows within this many seconds.
    df_seconds: float


BM25 = BM25Spec(k1=1.2, b=0.75, text_weight=1.0, keywords_weight=0.5, common_df=2_000, df_seconds=60.0)

#: A word held by at least this share of a space's memories says little about which of them a query
#: wants: a participant's name in a conversation (on the LoCoMo dev split each speaker's name is in
#: 53-71% of the space's memories; the next most common query word in 25%). The dense query weighs
#: such words down (remem.search.hybrid), as BM25's IDF already does on the lexical side.
EVERYWHERE_SHARE = 1 / 3
#: Shares are counted in spaces of this many memories or more (in fewer, one memory moves a share
#: by a percent or more) and at most three times BM25.common_df, where every count that decides is
#: exact and cheap: a larger space is left as it was.
EVERYWHERE_MIN_ROWS = 100
EVERYWHERE_MAX_ROWS = 3 * BM25.common_df


def _db() -> sqlite3.Connection:
    conn: sqlite3.Connection | None = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE VIRTUAL TABLE stem USING fts5(text, keywords, tokenize='{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE stem_v USING fts5vocab(stem, 'instance')")
        conn.execute(f"CREATE VIRTUAL TABLE plain USING fts5(text, keywords, tokenize='{_PLAIN}')")
        conn.execute("CREATE VIRTUAL TABLE plain_v USING fts5vocab(plain, 'instance')")
        _local.conn = conn
    return conn


def _tokens(table: str, rows: Sequence[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """The token streams of each (text, keywords) row, in order, through one of the tokenizers."""
    out: list[tuple[list[str], list[str]]] = [([], []) for _ in rows]
    if not rows:
        return out
    conn = _db()
    with conn:
        conn.executemany(
            f"INSERT INTO {table} (rowid, text, keywords) VALUES (?, ?, ?)",
            [(i + 1, text, keywords) for i, (text, keywords) in enumerate(rows)],
        )
        for doc, col, term in conn.execute(f"SELECT doc, col, term FROM {table}_v ORDER BY doc, col, offset"):
            out[doc - 1][0 if col == "text" else 1].append(term)
        conn.execute(f"DELETE FROM {table}")
    return out


def keywords_text(keywords: Sequence[str]) -> str:
    """The keywords column as SQLite stores and indexes it (a JSON array)."""
    return json.dumps(list(keywords))


def memory_tokens(rows: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[list[str], list[str]]]:
    """(text tokens, keyword tokens) of each (text, keywords) memory, exactly as FTS5 indexes them."""
    return _tokens("stem", [(text, keywords_text(keywords)) for text, keywords in rows])


def query_phrases(terms: Sequence[str]) -> list[tuple[str, str]]:
    """(word, token) pairs to search for: every term split into FTS5's words, one token each.

    A term FTS5 would read as a phrase of several tokens ("o'brien", "well-known") becomes its
    words, so each query part is a single token on every backend. Words with the same stem are
    asked once ("move", "moved"), and the word (not its stem) is what SQLite's MATCH is given,
    since FTS5 stems it again and stemming a stem is not always the identity.
    """
    if not terms:
        return []
    rows = [(term, "") for term in terms]
    seen: dict[str, str] = {}
    for (words, _), (stems, _) in zip(_tokens("plain", rows), _tokens("stem", rows), strict=True):
        for word, stem in zip(words, stems, strict=True):
            seen.setdefault(stem, word)
    return [(word, stem) for stem, word in seen.items()]


def prune_common(terms: Sequence[Term], document_frequency: Callable[[Term], int]) -> list[Term]:
    """The terms without those in more than BM25.common_df memories, unless no rarer term remains.

    A lone term is kept without counting it.
    """
    if len(terms) < 2:
        return list(terms)
    kept = [term for term in terms if document_frequency(term) <= BM25.common_df]
    return kept or list(terms)


def everywhere(words: Sequence[str], held: Callable[[str, int], bool], rows: int) -> set[str]:
    """The words held by at least EVERYWHERE_SHARE of a space of `rows` memories; `held(word, n)`
    says whether at least n of the space's memories hold the word. Empty where the space is outside
    the sizes where shares are counted, or where every word would be (nothing to weigh against)."""
    if not EVERYWHERE_MIN_ROWS <= rows <= EVERYWHERE_MAX_ROWS or len(words) < 2:
        return set()
    need = math.ceil(EVERYWHERE_SHARE * rows)
    common = {word for word in words if held(word, need)}
    return common if len(common) < len(words) else set()


def term_frequencies(text: Sequence[str], keywords: Sequence[str]) -> tuple[dict[str, float], int]:
    """A memory's BM25 frequency of each token (the column weight per occurrence) and its token count."""
    frequency: dict[str, float] = {}
    for token in text:
        frequency[token] = frequency.get(token, 0.0) + BM25.text_weight
    for token in keywords:
        frequency[token] = frequency.get(token, 0.0) + BM25.keywords_weight
    return frequency, len(text) + len(keywords)


def bm25_idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6
