"""Documents: a long text split into passages, each stored as an episode and a `document` memory.

A document is not a conversation, so its passages skip fact extraction and reconciliation: its
sentences are not the user's claims (a report saying "the office moved to Porto" must not close
the user's own facts, and "Facts belong to someone" holds), and extracting facts from thousands
of passages would take minutes (an LLM call each). Every passage is searchable at once, by BM25
and by meaning, and knows where it came from: the document's id and name, its index, and its
character offsets in the text, so `text[start:end]` is the passage. Neighbouring passages link to
each other (metadata `previous` / `next`), which `search(..., neighbours=n)` follows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from remem import validate
from remem.embed import Embedder
from remem.errors import InvalidInput
from remem.ids import new_id
from remem.store import Store
from remem.timeutil import TimeLike, now, parse_time
from remem.types import Episode, Hit, MemoryItem, _Record
from remem.write.extract import index_text
from remem.write.pipeline import version_record

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # of UTF-8; past this a document is refused (HTTP 413)
# Passage size in words: at least MIN_WORDS where a paragraph allows, at most MAX_WORDS unless one
# sentence is longer. The embedder reads 256 tokens (about 190 words) of each passage; BM25 reads all.
MIN_WORDS = 150
MAX_WORDS = 220
# A passage is an episode, whose text an import holds to max_text_chars (32,000 by default); the
# store passes its own setting.
MAX_PASSAGE_CHARS = 32_000
MAX_NEIGHBOURS = 5
EMBED_BATCH = 64

# A sentence ends at . ! ? (with closing quotes or brackets) before whitespace, unless the word
# before the stop is a known abbreviation or a single letter (an initial).
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_ABBREVIATIONS_TEXT = "mr mrs ms dr prof sr jr st vs etc e.g i.e cf fig vol pp approx dept est inc ltd co corp jan feb"
_ABBREVIATIONS = frozenset(f"{_ABBREVIATIONS_TEXT} mar apr jun jul aug sep sept oct nov dec".split())
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\S+")


class DocumentTooLarge(InvalidInput):
    """A document past MAX_DOCUMENT_BYTES: the HTTP layer answers 413."""

    code = "too_large"


@dataclass(frozen=True)
class Passage(_Record):
    """A span of a document: text == document[start:end]."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocumentResult(_Record):
    """What `Memory.add_document` stored: one episode and one memory per passage."""

    document_id: str
    name: str
    chars: int
    passages: list[dict[str, Any]]  # index, start, end, words, memory_id, episode_id


def split_passages(
    text: str, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS, max_chars: int = MAX_PASSAGE_CHARS
) -> list[Passage]:
    """Passages of whole sentences, cut at paragraph ends once `min_words` are reached and before a
    sentence that would pass `max_words` or `max_chars`; only a sentence longer than either is cut, between
    words, and only a word longer than `max_chars` (a base64 blob, a 1 MB token) is cut inside."""
    pieces: list[tuple[int, int, int]] = []  # (start, end, words) of sentences, paragraph ends marked by words=-1
    for para_start, para_end in _spans(text, _PARAGRAPH):
        for start, end in _sentences(text, para_start, para_end):
            chunk: list[tuple[int, int]] = []
            for span in _words(text, start, end, max_chars):  # a huge sentence, cut between words
                if chunk and (len(chunk) == max_words or span[1] - chunk[0][0] > max_chars):
                    pieces.append((chunk[0][0], chunk[-1][1], len(chunk)))
                    chunk = []
                chunk.append(span)
            if chunk:
                pieces.append((chunk[0][0], chunk[-1][1], len(chunk)))
        pieces.append((para_end, para_end, -1))
    passages: list[Passage] = []
    start = end = count = 0
    for piece_start, piece_end, words in pieces:
        if words < 0:
            if count >= min_words:
                passages.append(_passage(text, len(passages), start, end))
                count = 0
            continue
        if count and (count + words > max_words or piece_end - start > max_chars):
            passages.append(_passage(text, len(passages), start, end))
            count = 0
        if count == 0:
            start = piece_start
        end, count = piece_end, count + words
    if count:
        passages.append(_passage(text, len(passages), start, end))
    return passages


def _words(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """The spans of the words in text[start:end], a word longer than `max_chars` cut into pieces of it."""
    for match in _WORD.finditer(text, start, end):
        word_start, word_end = match.span()
        for cut in range(word_start, word_end, max_chars):
            yield cut, min(cut + max_chars, word_end)


def _passage(text: str, index: int, start: int, end: int) -> Passage:
    return Passage(index, start, end, text[start:end])


def _spans(text: str, separator: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """The non-blank spans of `text` between matches of `separator`, stripped of whitespace."""
    position = 0
    for match in [*separator.finditer(text), None]:
        stop = match.start() if match else len(text)
        chunk = text[position:stop]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            yield position + lead, position + len(chunk.rstrip())
        position = match.end() if match else len(text)


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[position : match.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if match.group().startswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        yield from _stripped(text, position, match.end())
        position = match.end()
    if position < end:
        yield from _stripped(text, position, end)


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    chunk = text[start:end]
    if chunk.strip():
        yield start + len(chunk) - len(chunk.lstrip()), start + len(chunk.rstrip())


def read_document(source: str | Path, name: str | None) -> tuple[str, str]:
    """(text, name) of a document given as text or as a path to a UTF-8 text file."""
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                raise DocumentTooLarge(_too_large(size))
            text = source.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{source} is not UTF-8 text; convert it (PDF, Word: to text) first") from None
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise InvalidInput(f"cannot read document {source}: {exc.strerror}") from None
        return text, name or source.name
    if not isinstance(source, str):
        raise InvalidInput(f"a document is text (str) or a pathlib.Path, not {type(source).__name__}")
    return source, name or "document"


def _too_large(size: int) -> str:
    return f"the document is {size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,} (5 MiB): split it into parts"


def add_document(
    store: Store,
    embedder: Embedder,
    source: str | Path,
    *,
    space: str,
    name: str | None = None,
    session: str | None = None,
    at: TimeLike | None = None,
    metadata: Mapping[str, Any] | None = None,
    max_passage_chars: int = MAX_PASSAGE_CHARS,
) -> DocumentResult:
    """Split, embed and store a document: all its passages or, on any error, none."""
    space = validate.space_name(space)
    text, name = read_document(source, name)
    # The name is each passage's source, held to a source's rule, so that an export imports back.
    name = validate.optional_name(name, "name") or "document"
    session = validate.optional_name(session, "session")
    moment = parse_time(at, "at")
    shared = validate.metadata(metadata, "metadata")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(_too_large(size))
    text = validate.text(text, "document", MAX_DOCUMENT_BYTES)
    passages = split_passages(text, max_chars=max_passage_chars)
    document_id, stamp = new_id("doc"), now()
    memory_ids = [new_id("mem") for _ in passages]
    _check_room_for_provenance(shared, document_id, name, len(passages), len(text), memory_ids[:1])
    episodes, items = [], []
    for passage, memory_id in zip(passages, memory_ids, strict=True):
        provenance = {
            "id": document_id,
            "name": name,
            "passage": passage.index,
            "passages": len(passages),
            "start": passage.start,
            "end": passage.end,
        }
        episode = Episode(
            id=new_id("ep"),
            space=space,
            role="document",
            content=passage.text,
            session=session,
            event_time=moment or stamp,
            ingest_time=stamp,
            source=name,
            metadata={**shared, "document": provenance},
        )
        neighbours = {
            "previous": memory_ids[passage.index - 1] if passage.index else None,
            "next": memory_ids[passage.index + 1] if passage.index + 1 < len(passages) else None,
        }
        items.append(
            MemoryItem(
                id=memory_id,
                space=space,
                text=passage.text,
                kind="document",
                session=session,
                source_episode_ids=[episode.id],
                keywords=[],
                tags=[],
                links=[],
                valid_from=moment,
                valid_to=None,
                strength=1.0,
                version=1,
                created_at=stamp,
                updated_at=stamp,
                metadata={**shared, "document": provenance, **neighbours},
            )
        )
        episodes.append(episode)
    vectors = [
        vector
        for i in range(0, len(items), EMBED_BATCH)
        for vector in embedder.embed([index_text(m.text, m.kind, m.valid_from, {}) for m in items[i : i + EMBED_BATCH]])
    ]
    reason = f"passage {{}} of {len(passages)} of document {name!r} ({document_id})"
    with store.transaction():
        store.insert_episodes(episodes)
        for item, vector in zip(items, vectors, strict=True):
            index = item.metadata["document"]["passage"]
            store.insert_memory(item, vector, version_record(item, "ADD", reason.format(index), "document"))
    return DocumentResult(
        document_id=document_id,
        name=name,
        chars=len(text),
        passages=[
            {
                "index": p.index,
                "start": p.start,
                "end": p.end,
                "words": len(p.text.split()),
                "memory_id": m.id,
                "episode_id": e.id,
            }
            for p, m, e in zip(passages, items, episodes, strict=True)
        ],
    )


def _check_room_for_provenance(
    shared: dict[str, Any], document_id: str, name: str, passages: int, chars: int, memory_ids: list[str]
) -> None:
    """Each passage's memory keeps the caller's metadata with its provenance and neighbours added: the
    whole must fit the limit an import holds a memory's metadata to, or the export would not import."""
    if not memory_ids:
        return
    widest = {  # the largest numbers any passage holds, and both neighbours
        **shared,
        "document": {"id": document_id, "name": name, "passage": passages, "passages": passages, "start": chars,
                     "end": chars},
        "previous": memory_ids[0],
        "next": memory_ids[0],
    }  # fmt: skip
    size = len(json.dumps(widest, ensure_ascii=False))
    if size > validate.MAX_METADATA_CHARS:
        given = len(json.dumps(shared, ensure_ascii=False))
        raise InvalidInput(
            f"metadata is {given:,} characters as JSON and each passage adds its provenance ({size - given:,} more); "
            f"the limit for the whole is {validate.MAX_METADATA_CHARS:,}: send at most "
            f"{validate.MAX_METADATA_CHARS - (size - given):,}"
        )


def with_neighbours(store: Store, space: str, hits: Sequence[Hit], neighbours: int) -> list[Hit]:
    """Hits on document passages with `context`: the passage and up to `neighbours` passages on each
    side, in document order (a passage forgotten since ends the walk on its side)."""
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or not 0 <= neighbours <= MAX_NEIGHBOURS:
        raise InvalidInput(f"neighbours must be between 0 and {MAX_NEIGHBOURS}, not {neighbours!r}")
    if neighbours == 0:
        return list(hits)
    windows = {h.memory.id: ([h.memory], [h.memory]) for h in hits if h.memory.kind == "document"}
    for _ in range(neighbours):
        wanted = [
            edge.metadata.get(side)
            for before, after in windows.values()
            for edge, side in ((before[0], "previous"), (after[-1], "next"))
        ]
        found = {m.id: m for m in store.get_memories(space, [w for w in wanted if isinstance(w, str)])}
        for before, after in windows.values():
            previous, following = (
                found.get(str(before[0].metadata.get("previous"))),
                found.get(str(after[-1].metadata.get("next"))),
            )
            if previous is not None:
                before.insert(0, previous)
            if following is not None:
                after.append(following)
    return [
        replace(h, context=[*windows[h.memory.id][0], *windows[h.memory.id][1][1:]]) if h.memory.id in windows else h
        for h in hits
    ]


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "DocumentResult",
    "DocumentTooLarge",
    "Passage",
    "add_document",
    "split_passages",
    "with_neighbours",
]
