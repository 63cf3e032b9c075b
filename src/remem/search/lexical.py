"""One tokenizer for lexical search on every backend: SQLite's own FTS5 tokenizer.

SQLite indexes memories with FTS5's `porter unicode61 remove_diacritics 2` tokenizer and ranks
them with FTS5's BM25. PostgreSQL has no such tokenizer (its `english` configuration drops stop
words and stems differently), so it would rank differently and the two backends would disagree
on the same data. Instead, PostgreSQL stores the tokens this module produces, by running text
through that same FTS5 tokenizer in a private in-memory SQLite database, and ranks them with
FTS5's BM25 formula: both backends see the same tokens and compute the same scores.

About 40 microseconds a text. Each thread keeps its own in-memory database.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Sequence

#: The FTS5 tokenizer of SQLite's memories_fts table; PostgreSQL's tokens come from it too.
TOKENIZER = "porter unicode61 remove_diacritics 2"
_PLAIN = "unicode61 remove_diacritics 2"  # the same words, unstemmed: what a query may quote

_local = threading.local()


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


def bm25_idf(rows: int, hits: int) -> float:
    """FTS5's inverse document frequency: log((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6
