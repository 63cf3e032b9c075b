"""Documents: a long text becomes passages with provenance, searchable with their neighbours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from remem import InvalidInput, Memory
from remem.documents import MAX_DOCUMENT_BYTES, DocumentTooLarge, split_passages

TOWNS = ["Braga", "Aveiro", "Coimbra", "Faro", "Evora", "Viseu", "Leiria", "Guarda", "Tomar", "Sintra"]


def field_guide() -> str:
    """A guide of 40 chapters of three paragraphs each (about 60,000 characters), one of which says
    where the copper kettle is; every chapter names its town, so each passage is its own."""
    chapters = []
    for number in range(1, 41):
        town = TOWNS[number % len(TOWNS)]
        paragraphs = [
            f"Chapter {number}. The walkers reached {town} after a long day on the coast road. "
            f"Dr. Almeida counted the stops of chapter {number} twice, because the map was old and the "
            "rain had smudged the names of the smaller villages along the river. They ate bread and olives "
            "by the fountain, and the children drew the bell tower in their notebooks until it was dark.",
            f"In {town} the market opens at seven. Farmers bring cheese, honey and figs from the hills, and "
            "the fishmongers shout the price of sardines across the square. A careful walker buys water "
            "here, since the next spring on the trail is three hours away and often dry in August. "
            "The guide recommends sturdy boots, a hat, and patience with the slow ferry across the estuary.",
            f"The evening of chapter {number} was quiet. Some walkers wrote letters, others mended socks, and "
            "the old guide told stories about shepherds who once crossed these hills with hundreds of sheep. "
            "Nobody hurried; the road would still be there in the morning, and so would the view.",
        ]
        if number == 23:
            paragraphs[1] += (
                " The copper kettle that the innkeeper lost years ago was found hidden under the third stair of "
                "the chapel in Faro, wrapped in a fisherman's blue scarf."
            )
        chapters.append("\n\n".join(paragraphs))
    return "\n\n".join(chapters)


def test_a_long_guide_is_split_into_whole_sentences_with_offsets() -> None:
    text = field_guide()
    passages = split_passages(text)
    assert len(text) > 32_000 and 40 <= len(passages) <= 120
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert passage.text[-1] in ".!?\"'", f"passage {passage.index} ends mid-sentence: {passage.text[-30:]!r}"
        assert passage.text[0].isupper()
        assert len(passage.text.split()) <= 220
    assert [p.index for p in passages] == list(range(len(passages)))
    assert all(len(p.text.split()) >= 150 for p in passages[:-1])  # paragraphs of ~60 words are joined
    # "Dr. Almeida" is not a sentence end; no passage starts with the name alone.
    assert not any(p.text.startswith("Almeida") for p in passages)
    # Nothing between passages but whitespace: the passages cover the text.
    gaps = [text[a.end : b.start] for a, b in zip(passages, passages[1:], strict=False)]
    assert all(not gap.strip() for gap in gaps)


def test_a_sentence_longer_than_a_passage_is_cut_between_words_and_short_text_is_one_passage() -> None:
    huge = " ".join(f"word{i}" for i in range(500)) + "."
    passages = split_passages(f"A short start.\n\n{huge}\n\nA short end.")
    # The long sentence does not fit beside the first; its last 60 words and the short end do.
    assert [len(p.text.split()) for p in passages] == [3, 220, 220, 63]
    assert passages[0].text == "A short start." and passages[1].text.startswith("word0 word1")
    assert passages[3].text.startswith("word440") and passages[3].text.endswith("word499.\n\nA short end.")
    assert [p.text for p in split_passages("One line, no stop")] == ["One line, no stop"]
    assert split_passages("  \n\n ") == []


def test_a_document_file_is_stored_as_passages_found_with_their_neighbours(tmp_path: Path, mem: Memory) -> None:
    path = tmp_path / "walking-guide.md"
    path.write_text(field_guide(), encoding="utf-8")
    before = mem.stats("trips")
    result = mem.add_document(path, space="trips", at="2024-05-01")
    assert result.name == "walking-guide.md" and result.chars == len(field_guide())
    count = len(result.passages)
    assert count > 40 and mem.stats("trips")["memories"] == before["memories"] + count
    assert [p["index"] for p in result.passages] == list(range(count))

    hits = mem.search("where was the copper kettle found?", space="trips", k=3, neighbours=1)
    best = hits[0]
    assert "copper kettle" in best.memory.text and best.memory.kind == "document"
    provenance = best.memory.metadata["document"]
    assert provenance["id"] == result.document_id and provenance["name"] == "walking-guide.md"
    assert provenance["passages"] == count
    text = field_guide()
    assert text[provenance["start"] : provenance["end"]] == best.memory.text
    index = provenance["passage"]
    assert [m.metadata["document"]["passage"] for m in best.context] == [index - 1, index, index + 1]
    assert best.context[1].id == best.memory.id
    assert best.episodes[0].role == "document" and best.episodes[0].content == best.memory.text
    assert best.memory.valid_from is not None and best.memory.valid_from.isoformat().startswith("2024-05-01")
    # Without neighbours, no context; two on each side, five passages.
    assert mem.search("copper kettle", space="trips", k=1)[0].context == []
    assert len(mem.search("copper kettle", space="trips", k=1, neighbours=2)[0].context) == 5
    assert mem.list(space="trips", kinds=["document"], limit=1000)[0].kind == "document"
    # Passages skip fact extraction: no facts, no summaries, only the passages.
    assert {m.kind for m in mem.list(space="trips", limit=1000)} == {"document"}

    # Forgetting one passage ends the walk on its side; the others stay.
    following = best.context[2].id
    mem.forget(space="trips", ids=[following])
    again = mem.search("where was the copper kettle found?", space="trips", k=1, neighbours=2)[0]
    assert [m.metadata["document"]["passage"] for m in again.context] == [index - 2, index - 1, index]


def test_text_past_the_add_limit_is_accepted_as_a_document_and_bad_input_changes_nothing(
    tmp_path: Path, mem: Memory
) -> None:
    text = field_guide()
    with pytest.raises(InvalidInput, match="32000"):
        mem.add(text, space="notes")
    result = mem.add_document(text, space="notes", name="guide", session="reading")
    assert result.name == "guide" and mem.search("sardines", space="notes", k=1)[0].memory.session == "reading"
    stored = mem.stats("notes")["memories"]

    too_big = "a" * (MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(DocumentTooLarge, match=r"the document is 5,242,881 bytes; the limit is 5,242,880"):
        mem.add_document(too_big, space="notes")
    big_file = tmp_path / "big.txt"
    big_file.write_text(too_big)
    with pytest.raises(DocumentTooLarge, match="the limit is 5,242,880"):
        mem.add_document(big_file, space="notes")
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4\n\xff\xfe\x00\x81")
    with pytest.raises(InvalidInput, match="scan.pdf is not UTF-8 text"):
        mem.add_document(binary, space="notes")
    with pytest.raises(InvalidInput, match="cannot read document .*missing.txt: No such file"):
        mem.add_document(tmp_path / "missing.txt", space="notes")
    with pytest.raises(InvalidInput, match="document is empty"):
        mem.add_document("  \n", space="notes")
    with pytest.raises(InvalidInput, match="neighbours must be between 0 and 5, not 6"):
        mem.search("sardines", space="notes", neighbours=6)
    assert mem.stats("notes")["memories"] == stored


def test_every_document_accepted_exports_and_imports_back(mem: Memory) -> None:
    """Found by the attack sweep: one word of 100,000 characters was one passage that long, a name of
    spaces became a source no import takes, and metadata near the limit grew past it with each
    passage's provenance. Each was stored, and its export refused on import."""
    blob = mem.add_document("w" * 100_000 + " end.", space="a", name="blob.txt")
    assert [p["end"] - p["start"] for p in blob.passages] == [32_000, 32_000, 32_000, 4_005]
    mem.add_document("Some words here. " * 5, space="a", name="n" * 256, metadata={"k": "v" * 63_000})
    assert mem.import_records(list(mem.export("a")), space="copy") == {"episodes": 5, "memories": 5}
    copied = [m.text for m in mem.list(space="copy") if m.metadata["document"]["name"] == "blob.txt"]
    assert sorted(map(len, copied)) == [4_005, 32_000, 32_000, 32_000]

    before = mem.stats("a")
    refused = [
        ({"name": "   "}, "name must be a non-empty string of at most 256 characters"),
        ({"name": "n" * 257}, "name must be a non-empty string of at most 256 characters"),
        (
            {"metadata": {"big": "m" * 63_989}},
            r"metadata is 64,000 characters as JSON and each passage adds its provenance \(\d+ more\); the limit",
        ),
    ]
    for options, message in refused:
        with pytest.raises(InvalidInput, match=message):
            mem.add_document("Some words here.", space="a", **options)
    assert mem.stats("a") == before


def test_remem_add_document_stores_a_file_as_passages(tmp_path: Path) -> None:
    from tests.test_cli import run

    db = tmp_path / "cli.db"
    path = tmp_path / "walking-guide.md"
    path.write_text(field_guide(), encoding="utf-8")
    stored = run(db, "add", "--space", "trips", "--document", str(path))
    assert stored["name"] == "walking-guide.md" and len(stored["passages"]) > 40
    hits = run(db, "search", "--space", "trips", "copper kettle")
    assert "copper kettle" in json.dumps(hits)
