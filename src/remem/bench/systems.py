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
    """One hit: the turns behind it (for turn recall), its sessions, and the text an agent would read.

    `passages` is what the hit puts in a reader's context when that is more than `text` (remem's
    hit with the turns it came from; the full context, turn by turn); empty means just `text`.
    """

    turns: list[str]
    sessions: list[str]
    text: str
    passages: tuple[str, ...] = ()

    @property
    def context(self) -> tuple[str, ...]:
        return self.passages or (self.text,)


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

    neighbours = 1  # a turn hit is read with the turns said around it, as `ask` reads it

    def __init__(
        self,
        name: str,
        embedder: Embedder,
        mode: str = "hybrid",
        extractor: str = "turns",
        database: str | None = None,
        fusion: str = "convex",
    ) -> None:
        self.name, self.mode, self.extractor_name, self.fusion = name, mode, extractor, fusion
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
        settings = Settings.load(database=path, extractor=self.extractor_name, fusion=self.fusion)
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
        for hit in self.mem.search(question, space=self.space, k=k, mode=self.mode, neighbours=self.neighbours):
            dia = [e.metadata["dia_id"] for e in hit.episodes if "dia_id" in e.metadata]
            if hit.memory.kind == "summary":
                # A summary stands for its session, not for every turn in it, and carries none into a context.
                sessions = [hit.memory.session] if hit.memory.session else []
                out.append(Retrieved([], sessions, hit.memory.text))
            elif hit.context:
                # A turn with the turns around it, in the order they were said (its own among them).
                out.append(
                    Retrieved(
                        dia, sorted({session_of(d) for d in dia}), hit.memory.text, tuple(m.text for m in hit.context)
                    )
                )
            else:
                # A fact is read with the turns it came from (a turn's own text is the turn: once in a context).
                carried = tuple(f"{e.name}: {e.content}" if e.name else e.content for e in hit.episodes)
                passages = (hit.memory.text, *carried)
                out.append(Retrieved(dia, sorted({session_of(d) for d in dia}), hit.memory.text, passages))
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


class Mem0System:
    """Mem0 (a peer, `mem0ai` on PyPI) with `infer=False`: each turn stored raw, searched as Mem0 searches.

    Offline it runs semantic-only: its keyword (BM25) channel needs fastembed's "Qdrant/bm25"
    model and its entity boost and lemmatiser need spaCy's en_core_web_sm, all downloaded at
    run time, so both switch themselves off (Mem0 logs this and falls back). The vector store
    is Qdrant's embedded local mode in a temporary folder; Mem0 builds its embedder and LLM
    from its provider registry, so it is given OpenAI ones with a placeholder key that are never
    called: the embedder is replaced by remem's (the same model as every other system), and
    `infer=False` never calls the LLM. `threshold=0` so that, like the others, it returns k hits.
    """

    name = "mem0"

    def __init__(self, embedder: Embedder) -> None:
        import logging
        import os

        self._tmp = tempfile.TemporaryDirectory(prefix="remem-bench-mem0-")
        os.environ["MEM0_TELEMETRY"] = "False"  # read when mem0 is imported; the benchmark is offline
        os.environ.setdefault("MEM0_DIR", self._tmp.name)  # else it writes ~/.mem0
        for logger in ("mem0", "mem0.utils.spacy_models", "mem0.vector_stores.qdrant"):
            logging.getLogger(logger).setLevel(logging.ERROR)
        import mem0.memory.main
        import mem0.memory.telemetry
        from mem0 import Memory as Mem0Memory

        # Also when mem0 was imported before the variable was set: both modules keep their own copy.
        mem0.memory.telemetry.MEM0_TELEMETRY = False
        mem0.memory.main.MEM0_TELEMETRY = False
        mem0.memory.telemetry.client_telemetry.close()
        self._mem0_memory = Mem0Memory
        self.embedder = embedder
        self.mem: Any = None
        self._user = ""

    def ingest(self, conversation: Conversation) -> None:
        self._close_store()
        folder = Path(self._tmp.name) / conversation.sample_id
        self.mem = offline_mem0(self._mem0_memory, folder, self.embedder, "locomo")
        self._user = conversation.sample_id
        for session in conversation.sessions:
            for message in messages(session):
                self.mem.add(
                    [{"role": "user", "content": f"{message['name']}: {message['content']}", "name": message["name"]}],
                    user_id=self._user,
                    metadata={"dia_id": message["metadata"]["dia_id"]},
                    infer=False,
                )

    def search(self, question: str, k: int) -> list[Retrieved]:
        found = self.mem.search(question, filters={"user_id": self._user}, top_k=k, threshold=0.0)
        return [_retrieved_turn(r["metadata"]["dia_id"], r["memory"]) for r in found["results"]]

    def _close_store(self) -> None:
        if self.mem is not None:
            self.mem.vector_store.client.close()
            self.mem = None

    def close(self) -> None:
        self._close_store()
        self._tmp.cleanup()


def offline_mem0(mem0_memory: Any, folder: Path, embedder: Embedder, collection: str) -> Any:
    """A Mem0 `Memory` in `folder` that never goes online: embedded Qdrant, remem's embedder, and
    OpenAI providers with a placeholder key that `infer=False` never calls."""
    config = {
        "vector_store": {
            "provider": "qdrant",
            "config": {
                "collection_name": collection,
                "path": str(folder / "qdrant"),
                "embedding_model_dims": embedder.dim,
                "on_disk": True,
            },
        },
        "embedder": {"provider": "openai", "config": {"api_key": "unused-offline", "embedding_dims": embedder.dim}},
        "llm": {"provider": "openai", "config": {"api_key": "unused-offline"}},
        "history_db_path": str(folder / "history.db"),
    }
    mem = mem0_memory.from_config(config)
    mem.embedding_model = _Mem0Embedder(embedder)
    return mem


class _Mem0Embedder:
    """Mem0's embedder interface (`embed(text, memory_action)`) over remem's embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed(self, text: str, memory_action: str | None = None) -> list[float]:
        return [float(x) for x in self.embedder.embed([text])[0]]


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
                tuple(t for _, t in self._docs),
            )
        ]

    def close(self) -> None:
        self._docs = []


#: One line per system for the report: what it is, so a reader need not open this file.
DESCRIPTIONS = {
    "remem": "remem default: rule extraction (facts + turns), hybrid BM25 + dense, convex fusion",
    "remem-turns": "remem, one memory per turn (no extraction), hybrid search",
    "remem-lexical": "remem, turns, mode=lexical (SQLite FTS5 BM25 only)",
    "remem-dense": "remem, turns, mode=dense (its vector index; dated, speaker-attributed index text)",
    "remem-rrf": "remem-turns with reciprocal-rank fusion (k=60) in place of the convex combination",
    "bm25": "baseline: bm25s over 'Speaker: text' turns (stopwords, Snowball stemmer)",
    "dense": "baseline: exact cosine in numpy over 'Speaker: text' turns, the same embedder",
    "chroma": "peer: ChromaDB in memory (HNSW, cosine), fed the same embeddings",
    "mem0": "peer: Mem0 infer=False on embedded Qdrant, the same embedder; semantic only offline",
    "full-context": "every turn as one hit: the recall ceiling and what reading everything costs",
}


def systems(database: str | None = None) -> dict[str, Callable[[Embedder], RetrievalSystem]]:
    """The systems by name; remem's variants run on `database` when one is given."""
    return {
        "remem": lambda e: RememSystem("remem", e, extractor="rules", database=database),
        "remem-turns": lambda e: RememSystem("remem-turns", e, extractor="turns", database=database),
        "remem-lexical": lambda e: RememSystem(
            "remem-lexical", e, mode="lexical", extractor="turns", database=database
        ),
        "remem-dense": lambda e: RememSystem("remem-dense", e, mode="dense", extractor="turns", database=database),
        "remem-rrf": lambda e: RememSystem("remem-rrf", e, extractor="turns", database=database, fusion="rrf"),
        "bm25": lambda e: BM25System(),
        "dense": DenseSystem,
        "chroma": ChromaSystem,
        "mem0": Mem0System,
        "full-context": lambda e: FullContextSystem(),
    }


SYSTEMS = systems()
