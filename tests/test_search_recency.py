"""A question about how things are now ranks the later of two memories that answer it about as well first,
even where the write path did not read the later one as a change of the earlier."""

from __future__ import annotations

from pathlib import Path

import pytest

from remem import Memory
from remem.search import hybrid
from remem.search.hybrid import _ASKS_BEFORE, _ASKS_NOW
from remem.search.intent import intent

AROUND = [
    "I work as a physiotherapist at a clinic in Porto.",
    "My sister Marta just had a baby girl, Leonor!",
    "Thinking about a trip to the Azores in the autumn.",
    "The landlord finally fixed the boiler.",
    "I've been reading a lot of Saramago lately.",
    "My cat Pimenta knocked over the plant again.",
]
CHANGES = [
    ("For notes I rely on a paper Moleskine, always in my bag.",
     "All my notes live in Obsidian on the laptop nowadays, synced with git.",
     "Where does Ines keep her notes?", "Obsidian", "Moleskine"),
    ("I train with the running club at Parque da Cidade on Tuesdays.",
     "Tuesdays are swimming at the municipal pool now, my knee needed a break from running.",
     "What does Ines do on Tuesdays?", "swimming", "running club"),
]  # fmt: skip


def tell(mem: Memory, turns: list[tuple[str, str]]) -> None:
    """Ines says each text at 10:00 on its day, each day a session."""
    for day, text in turns:
        at = f"{day}T10:00:00Z"
        mem.add([{"role": "user", "name": "Ines", "content": text}], space="s", session=at[:10], at=at)


def _first(hits: list, word: str) -> int:  # type: ignore[type-arg]
    return next(n for n, h in enumerate(hits) if word in h.memory.text)


@pytest.mark.parametrize(("earlier", "later", "question", "now", "then"), CHANGES)
def test_the_later_of_two_answers_ranks_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: str, later: str, question: str, now: str, then: str
) -> None:
    # The earlier in January with the rest of what she said then, the later in September.
    around = [(f"2024-01-{15 + n}", text) for n, text in enumerate(AROUND)]
    turns = [("2024-01-10", earlier), *around, ("2024-09-02", later)]
    with Memory.open(tmp_path / "m.db") as mem:
        tell(mem, turns)
        assert any(then in m.text for m in mem.list(space="s", limit=50))  # the earlier is still current
        hits = mem.search(question, space="s", k=5)
        assert now in hits[0].memory.text
        monkeypatch.setattr(hybrid, "RECENT_BONUS", 0.0)
        monkeypatch.setattr(hybrid, "CHANGE_BONUS", 0.0)  # "nowadays", "now": the later says it changed
        unaided = mem.search(question, space="s", k=5)
    # Without the preferences, the earlier ranks above the later: their words and meaning alone are no guide.
    assert _first(unaided, then) < _first(unaided, now)


def test_which_questions_ask_how_things_are_now() -> None:
    now = ["Where does Ines live?", "What app does Ngozi use for tasks?", "Who is Elif's coach?", "Is Tom married?"]
    before = ["Where did Ines live?", "What was her first car?", "When is the trip?", "Has she ever been to Oslo?",
              "What did Tom do in 2019?"]  # fmt: skip
    assert all(_ASKS_NOW.search(q) and not _ASKS_BEFORE.search(q) for q in now)
    assert all(not _ASKS_NOW.search(q) or _ASKS_BEFORE.search(q) for q in before)


@pytest.mark.parametrize(
    ("question", "about_work"),
    [("What does Ines do?", True), ("what does Tom do these days", True), ("What does Ines do for a living?", True),
     ("What does Ines do on Sundays?", False), ("What do Ana and Rui do after work?", False)],
)  # fmt: skip
def test_what_someone_does_on_a_day_is_not_their_job(question: str, about_work: bool) -> None:
    assert ("title" in intent(question).properties) is about_work


SAID_CHANGES = [
    ("I started salsa classes last week, Tuesday nights at the studio on Rua Formosa.",
     "Switched to bachata classes, way more my vibe. Same studio, Thursdays now.",
     "What dance classes does Ines take?", "bachata", "salsa"),
    ("I take the 7:40 train to work every morning, it's packed.",
     "I cycle to work now, the train got too crowded.",
     "How does Ines get to work?", "cycle", "7:40 train"),
]  # fmt: skip


@pytest.mark.parametrize(("earlier", "later", "question", "now", "then"), SAID_CHANGES)
def test_a_memory_that_says_a_change_outranks_the_value_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: str, later: str, question: str, now: str, then: str
) -> None:
    # Said a week apart, among other things: the time between them alone is too little to decide.
    turns = [("2024-03-01", earlier), *((f"2024-03-0{2 + n}", t) for n, t in enumerate(AROUND)), ("2024-03-08", later)]
    with Memory.open(tmp_path / "m.db") as mem:
        tell(mem, turns)
        hits = mem.search(question, space="s", k=5)
        monkeypatch.setattr(hybrid, "CHANGE_BONUS", 0.0)
        unaided = mem.search(question, space="s", k=5)
    assert now in hits[0].memory.text and then not in hits[0].memory.text
    assert now not in unaided[0].memory.text  # without it, the change is not what she is told first


def test_as_of_a_past_moment_the_latest_said_by_then_ranks_first_whatever_the_tense(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier, later, _, now, then = CHANGES[0]
    around = [(f"2024-01-{15 + n}", text) for n, text in enumerate(AROUND)]
    turns = [("2024-01-10", earlier), *around, ("2024-09-02", later),
             ("2024-12-01", "Gave up on apps, my notes are in Notion now, shared with the clinic.")]  # fmt: skip
    question = "Where did Ines keep her notes?"  # past tense: how things were in October
    with Memory.open(tmp_path / "m.db") as mem:
        tell(mem, turns)
        hits = mem.search(question, space="s", k=5, as_of="2024-10-01T00:00:00Z")
        assert now in hits[0].memory.text  # Obsidian: said by then, and the latest; Notion was not said yet
        assert all("Notion" not in h.memory.text for h in hits)
        # Asked for the first, the preference stays off: the earlier value ranks above the later.
        first = mem.search("Where did Ines first keep her notes?", space="s", k=5, as_of="2024-10-01T00:00:00Z")
        assert _first(first, then) < _first(first, now)
        monkeypatch.setattr(hybrid, "RECENT_BONUS", 0.0)
        monkeypatch.setattr(hybrid, "CHANGE_BONUS", 0.0)
        unaided = mem.search(question, space="s", k=5, as_of="2024-10-01T00:00:00Z")
    assert _first(unaided, then) < _first(unaided, now)
