"""The systems a benchmark compares: remem, its baselines, and peers, behind one small Protocol."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from remem.bench.locomo_data import Conversation, messages, session_of
from remem.embed import Embedder


@dataclass(frozen=True)
class Retrieved:
    """One hit: the turns behind it (for turn recall), its sessions, and the text an agent would read."""

    turns: list[str]
    sessions: list[str]
    text: str


class RetrievalSystem(Protocol):
    name: str

    def ingest(self, conversation: Conversation) -> None: ...

    def search(self, question: str, k: int) -> list[Retrieved]: ...

    def close(self) -> None: ...


def _turn_documents(conversation: Conversation) -> list[tuple[str, str]]:
    """(dia_id, "Speaker: text") for every turn: what a plain turn index stores."""
    return [(t.dia_id, f"{t.speaker}: {t.text}") for s in conversation.sessions for t in s.turns]


def _retrieved_turn(dia_id: str, text: str) -> Retrieved:
    return Retrieved([dia_id], [session_of(dia_id)], text)


class RememSystem:
    """remem itself, in a fresh SQLite file per conversation."""

    def __init__(
        self, name: str, embedder: Embedder, mode: str = "hybrid", extractor: str = "turns", database: str | None = None
    ) -> None:
        self.name, self.mode, self.extractor_name = name, mode, extractor
        self.database = database  # a postgresql:// URL to run on PostgreSQL; else a fresh SQLite file each
        self.embedder = embedder
        self._tmp = tempfile.TemporaryDirectory(prefix="remem-bench-")
        self.mem: Any = None
        self.space = ""

    def ingest(self, conversation: Conversation) -> None:
        from remem.memory import Memory
        from remem.settings import Settings

        self.close_memory()
        path = self.database or str(Path(self._tmp.name) / f"{conversation.sample_id}.db")
        settings = Settings.load(database=path, extractor=self.extractor_name)
        self.mem = Memory.open(settings=settings, embedder=self.embedder)
        self.space = f"{self.name}-{conversation.sample_id}"
        self.mem.forget(space=self.space, everything=True)
        self.decisions: dict[str, int] = {}
        for session in conversation.sessions:
            result = self.mem.add(messages(session), space=self.space, session=session.key)
            for decision in result.decisions:
                self.decisions[decision.operation] = self.decisions.get(decision.operation, 0) + 1

    def search(self, question: str, k: int) -> list[Retrieved]:
        out = []
        for hit in self.mem.search(question, space=self.space, k=k, mode=self.mode):
            dia = [e.metadata["dia_id"] for e in hit.episodes if "dia_id" in e.metadata]
            if hit.memory.kind == "summary":
                # A summary stands for its session, not for every turn in it.
                sessions = [hit.memory.session] if hit.memory.session else []
                out.append(Retrieved([], sessions, hit.memory.text))
            else:
                out.append(Retrieved(dia, sorted({session_of(d) for d in dia}), hit.memory.text))
        return out

    def memory_counts(self) -> dict[str, Any]:
        stats = self.mem.stats(self.space)
        candidates = sum(self.decisions.values())
        # Candidates are what extraction proposed; memories what reconciliation kept (NOOPs merged away).
        return {
            "backend": stats["backend"],
            "candidates": candidates,
            "decisions": dict(self.decisions),
            "memories": stats["memories"],
            "kinds": stats["kinds"],
            "versions": stats["versions"],
        }

    def close_memory(self) -> None:
        if self.mem is not None:
            self.mem.close()
            self.mem = None

    def close(self) -> None:
        self.close_memory()
        self._tmp.cleanup()


class BM25System:
    """BM25 over turns with the bm25s library (Lucene scoring, English stopwords, Snowball stemmer)."""

    name = "bm25"

    def __init__(self) -> None:
        import bm25s

        self._bm25s = bm25s
        try:
            import Stemmer

            self._stemmer: Any = Stemmer.Stemmer("english")
        except ImportError:  # PyStemmer is optional for bm25s; without it terms are not stemmed
            self._stemmer = None
        self._docs: list[tuple[str, str]] = []
        self._index: Any = None

    def ingest(self, conversation: Conversation) -> None:
        self._docs = _turn_documents(conversation)
        tokens = self._bm25s.tokenize(
            [d for _, d in self._docs], stopwords="en", stemmer=self._stemmer, show_progress=False
        )
        self._index = self._bm25s.BM25()
        self._index.index(tokens, show_progress=False)

    def search(self, question: str, k: int) -> list[Retrieved]:
        query = self._bm25s.tokenize([question], stopwords="en", stemmer=self._stemmer, show_progress=False)
        if not query.vocab:
            return []
        k = min(k, len(self._docs))
        results, scores = self._index.retrieve(query, k=k, show_progress=False)
        return [_retrieved_turn(*self._docs[int(i)]) for i, s in zip(results[0], scores[0], strict=True) if s > 0]

    def close(self) -> None:
        self._index = None


class DenseSystem:
    """Exact cosine search over the plain turn texts, embedded with the same model as remem."""

    name = "dense"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._docs: list[tuple[str, str]] = []
        self._matrix = np.zeros((0, embedder.dim), dtype=np.float32)

    def ingest(self, conversation: Conversation) -> None:
        self._docs = _turn_documents(conversation)
        self._matrix = self.embedder.embed([d for _, d in self._docs])

    def search(self, question: str, k: int) -> list[Retrieved]:
        scores = self._matrix @ self.embedder.embed([question])[0]
        return [_retrieved_turn(*self._docs[int(i)]) for i in np.argsort(-scores)[:k]]

    def close(self) -> None:
        self._matrix = np.zeros((0, self.embedder.dim), dtype=np.float32)


class ChromaSystem:
    """ChromaDB (a peer), in memory, fed the same embeddings: cosine HNSW over plain turn texts."""

    name = "chroma"

    def __init__(self, embedder: Embedder) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedder = embedder
        self._client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self._collection: Any = None
        self._n = 0

    def ingest(self, conversation: Conversation) -> None:
        name = f"locomo-{conversation.sample_id}"
        if self._collection is not None:
            self._client.delete_collection(self._collection.name)
        docs = _turn_documents(conversation)
        self._collection = self._client.create_collection(
            name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self._collection.add(
            ids=[d for d, _ in docs],
            documents=[t for _, t in docs],
            embeddings=list(self.embedder.embed([t for _, t in docs])),
        )
        self._n = len(docs)

    def search(self, question: str, k: int) -> list[Retrieved]:
        result = self._collection.query(
            query_embeddings=[self.embedder.embed([question])[0]], n_results=min(k, self._n)
        )
        return [_retrieved_turn(i, t) for i, t in zip(result["ids"][0], result["documents"][0], strict=True)]

    def close(self) -> None:
        if self._collection is not None:
            self._client.delete_collection(self._collection.name)
            self._collection = None


class FullContextSystem:
    """Every turn, in order: perfect recall at the price of reading the whole conversation."""

    name = "full-context"

    def __init__(self) -> None:
        self._docs: list[tuple[str, str]] = []

    def ingest(self, conversation: Conversation) -> None:
        self._docs = _turn_documents(conversation)

    def search(self, question: str, k: int) -> list[Retrieved]:
        return [
            Retrieved(
                [d for d, _ in self._docs],
                sorted({session_of(d) for d, _ in self._docs}),
                "\n".join(t for _, t in self._docs),
            )
        ]

    def close(self) -> None:
        self._docs = []


def systems(database: str | None = None) -> dict[str, Callable[[Embedder], RetrievalSystem]]:
    """The systems by name; remem's variants run on `database` when one is given."""
    return {
        "remem": lambda e: RememSystem("remem", e, extractor="rules", database=database),
        "remem-turns": lambda e: RememSystem("remem-turns", e, extractor="turns", database=database),
        "remem-lexical": lambda e: RememSystem(
            "remem-lexical", e, mode="lexical", extractor="turns", database=database
        ),
        "remem-dense": lambda e: RememSystem("remem-dense", e, mode="dense", extractor="turns", database=database),
        "bm25": lambda e: BM25System(),
        "dense": DenseSystem,
        "chroma": ChromaSystem,
        "full-context": lambda e: FullContextSystem(),
    }


SYSTEMS = systems()
