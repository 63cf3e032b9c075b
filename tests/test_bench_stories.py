"""`remem bench stories`: each check on small stories whose outcome is known, then the command end to end.

The check tests open remem with one memory per turn and then shape its memories by hand through
the public API (a kind changed to "fact", a memory retired or purged), so that what each check
must say does not depend on how extraction and reconciliation happen to behave today.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from remem.bench.stories import (
    Story,
    Turn,
    check_as_of,
    check_count,
    check_forgotten,
    check_holds,
    check_kept,
    check_no_stale,
    check_now,
    check_raw_gone,
    default_systems,
    load,
    run_story,
)
from remem.bench.stories_systems import SPACE, RememStories, session_of
from remem.cli import main
from remem.embed import Embedder
from remem.embed import from_settings as embedder_from_settings
from remem.errors import InvalidInput
from remem.settings import Settings


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return embedder_from_settings(Settings())


@pytest.fixture
def store(tmp_path: Path, embedder: Embedder) -> Iterator[RememStories]:
    """remem with one memory per turn; tests make some of them "extracted" by changing their kind."""
    system = RememStories("remem-turns", tmp_path, embedder, "turns")
    yield system
    system.close()


def say(system: RememStories, text: str, at: str, speaker: str | None = "Ana") -> str:
    """Add one turn; returns the id of the memory it became."""
    decisions = system.add("user", speaker, text, at)
    assert decisions[0]["operation"] == "ADD"
    return str(decisions[0]["memory_id"])


def as_fact(system: RememStories, *ids: str) -> None:
    for memory_id in ids:
        system.mem.update(memory_id, space=SPACE, kind="fact")
    system.extracts = True  # this store now holds extracted memories, shaped by hand


def test_a_session_is_the_utc_calendar_day_of_the_turn() -> None:
    assert session_of("2023-01-05T23:30:00-02:00") == "2023-01-06"
    assert session_of("2023-01-05T10:00:00Z") == "2023-01-05"


def test_count_fails_when_the_pattern_matches_twice_and_ignores_turns_and_closed_ones(store: RememStories) -> None:
    works = say(store, "Ana works in Lisbon.", "2023-01-05T10:00:00Z")
    cafe = say(store, "Ana's favourite cafe is in Lisbon.", "2023-01-05T10:01:00Z")
    say(store, "I love Lisbon in the spring.", "2023-01-05T10:02:00Z")  # stays a turn: not counted
    as_fact(store, works, cafe)

    once = check_count(store, {"pattern": "lisbon", "n": 1})
    assert once.result == "fail" and once.saw.startswith("2 of 2 current extracted memories match (want 1)")
    assert check_count(store, {"pattern": "Lisbon", "n": 2}).result == "pass"

    store.mem.delete(cafe, space=SPACE)  # closed: no longer current
    assert check_count(store, {"pattern": "Lisbon", "n": 1}).result == "pass"
    assert check_count(store, {"pattern": "Porto", "n": 0}).result == "pass"


def test_no_stale_and_holds_look_at_current_extracted_memories_only(store: RememStories) -> None:
    berlin = say(store, "Ana lives in Berlin.", "2023-01-05T10:00:00Z")
    lisbon = say(store, "Ana lives in Lisbon.", "2024-03-14T09:00:00Z")
    say(store, "Berlin was grey, Hyde Park was green.", "2024-03-14T09:01:00Z")  # a turn: never stale
    as_fact(store, berlin, lisbon)

    stale = check_no_stale(store, {"patterns": [r"\bBerlin\b", "Hyde Park"]})
    assert stale.result == "fail" and berlin in stale.saw and lisbon not in stale.saw
    assert check_holds(store, {"pattern": "Berlin"}).result == "pass"

    store.mem.delete(berlin, space=SPACE)
    assert check_no_stale(store, {"patterns": [r"\bBerlin\b", "Hyde Park"]}).result == "pass"
    assert check_holds(store, {"pattern": "Berlin"}).result == "fail"
    assert check_holds(store, {"pattern": "lisbon"}).result == "pass"


def test_checks_on_extracted_memories_are_na_for_a_system_that_extracts_nothing(store: RememStories) -> None:
    say(store, "Ana lives in Berlin.", "2023-01-05T10:00:00Z")
    for check, spec in (
        (check_no_stale, {"patterns": ["Berlin"]}),
        (check_count, {"pattern": "Berlin", "n": 1}),
        (check_holds, {"pattern": "Berlin"}),
    ):
        outcome = check(store, spec)
        assert outcome.result == "na" and "no extracted memories" in outcome.saw


def test_now_takes_the_top_hit_that_is_not_a_summary_and_fails_on_stale(store: RememStories) -> None:
    summary = say(store, "Ana lives in Lisbon, in Alfama, since March.", "2024-03-14T09:00:00Z")
    old = say(store, "Ana lives in Berlin, in Kreuzberg.", "2023-01-05T10:00:00Z")
    store.mem.update(summary, space=SPACE, kind="summary")
    question = {"question": "Where does Ana live?", "expect": "Lisbon", "stale": ["Berlin"]}

    outcome = check_now(store, question)
    # The summary, whatever its rank, is skipped: the only other memory is the Berlin turn.
    assert outcome.result == "fail" and old in outcome.saw and "matches stale ['Berlin']" in outcome.saw
    assert check_now(store, {**question, "expect": "Berlin", "stale": []}).result == "pass"
    missing = check_now(store, {**question, "expect": "Porto", "stale": []})
    assert missing.result == "fail" and "does not match 'Porto'" in missing.saw


def test_as_of_searches_what_was_valid_then(store: RememStories) -> None:
    say(store, "Ana lives in Berlin.", "2023-01-05T10:00:00Z")
    say(store, "Ana lives in Lisbon now.", "2024-03-14T09:00:00Z")
    question = {"question": "Where does Ana live?", "expect": "Berlin", "stale": ["Lisbon"]}

    before = check_as_of(store, {**question, "at": "2023-06-01T00:00:00Z"})
    assert before.result == "pass" and "Berlin" in before.saw
    # Before anything was said there is no hit at all: a fail, not a pass.
    nothing = check_as_of(store, {**question, "at": "2022-01-01T00:00:00Z"})
    assert nothing.result == "fail" and nothing.saw == "no hits"


def test_raw_gone_reads_the_database_files_case_insensitively(store: RememStories) -> None:
    say(store, "My locker code is ZEBRA42, keep it safe.", "2023-01-05T10:00:00Z")

    present = check_raw_gone(store, {"strings": ["zebra42"]})
    assert present.result == "fail" and "'zebra42' in story.db" in present.saw
    absent = check_raw_gone(store, {"strings": ["QUOKKA99", "quokka"]})
    assert absent.result == "pass" and "story.db (" in absent.saw
    # In another case only as a word of its own: "assistant" + "Understood" runs together in the file.
    store.add("assistant", None, "Understood, thanks.", "2023-01-05T10:01:00Z")
    assert check_raw_gone(store, {"strings": ["Tunde"]}).result == "pass"
    assert check_raw_gone(store, {"strings": ["thanks"]}).result == "fail"


def test_forgotten_finds_closed_memories_until_they_are_purged(store: RememStories) -> None:
    phone = say(store, "My phone number is 07700 900461.", "2023-03-14T21:00:00Z")
    say(store, "I started nights at the Tesco depot.", "2023-03-14T21:01:00Z")
    store.mem.delete(phone, space=SPACE)  # retired is not forgotten: still found with expired ones
    check = {"queries": ["What is Ana's phone number?", "07700 900461"], "pattern": r"900\s*461"}

    outcome = check_forgotten(store, check)
    assert outcome.result == "fail" and phone in outcome.saw
    store.mem.forget(space=SPACE, ids=[phone])
    assert check_forgotten(store, check).result == "pass"


def test_kept_is_na_until_the_forget_happened_then_asks_for_the_unrelated_fact(store: RememStories) -> None:
    phone = say(store, "My phone number is 07700 900461.", "2023-03-14T21:00:00Z")
    depot = say(store, "I started nights at the Tesco depot.", "2023-03-14T21:01:00Z")
    check = {"pattern": "Tesco", "forgot": r"900\s*461"}

    store.mem.delete(phone, space=SPACE)  # a closed version still holds it
    assert check_kept(store, check).result == "na"
    store.mem.update(phone, space=SPACE, text="Ana asked that her number be forgotten.")
    history_only = check_kept(store, check)  # its earlier version still says it
    assert history_only.result == "na" and "recorded version" in history_only.saw

    store.mem.forget(space=SPACE, ids=[phone])
    kept = check_kept(store, check)
    assert kept.result == "pass" and depot in kept.saw
    store.mem.forget(space=SPACE, ids=[depot])  # the forget took the unrelated fact too
    assert check_kept(store, check).result == "fail"


def test_a_story_records_each_turns_decisions_and_passes_only_without_a_failed_check(store: RememStories) -> None:
    story = Story(
        "two-turns",
        "residence",
        [
            Turn("Ana", "user", "I live in Berlin.", "2023-01-05T10:00:00Z"),
            Turn(None, "assistant", "Nice to meet you!", "2023-01-05T10:00:05Z"),
        ],
        [
            {
                "type": "as_of",
                "question": "Where does Ana live?",
                "at": "2023-02-01T00:00:00Z",
                "expect": "Berlin",
                "stale": [],
                "label": "then",
            },
            {"type": "holds", "pattern": "Berlin"},
        ],
    )
    result = run_story(store, story)

    assert result["passed"] is True  # a pass and an n/a
    assert [c["result"] for c in result["checks"]] == ["pass", "na"] and result["checks"][0]["label"] == "then"
    first, second = result["turns"]
    assert (first["speaker"], first["role"], first["at"]) == ("Ana", "user", "2023-01-05T10:00:00Z")
    assert first["decisions"][0]["operation"] == "ADD" and first["decisions"][0]["reason"]
    assert second["speaker"] is None
    episodes = store.mem.episodes(space=SPACE)
    assert {e.session for e in episodes} == {"2023-01-05"} and {e.name for e in episodes} == {"Ana", None}


@pytest.mark.skipif(importlib.util.find_spec("mem0") is None, reason="mem0 is not installed")
def test_mem0_answers_now_and_forgotten_and_leaves_the_rest_na(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remem.bench.stories_systems import openers

    monkeypatch.setenv("MEM0_DIR", str(tmp_path))  # restored after the test, like MEM0_TELEMETRY
    monkeypatch.setenv("MEM0_TELEMETRY", "False")
    system = openers()["mem0"](embedder, tmp_path)(tmp_path)
    try:
        system.add("user", "Ivan", "My number is 07700 900461.", "2023-03-14T21:00:00Z")
        system.add("user", "Ivan", "Please forget my phone number.", "2023-06-20T16:00:00Z")
        now = check_now(system, {"question": "What is Ivan's number?", "expect": "900461", "stale": []})
        assert now.result == "pass" and "Ivan: My number" in now.saw
        forgotten = check_forgotten(system, {"queries": ["Ivan's number"], "pattern": "900461"})
        assert forgotten.result == "fail"  # raw turns: nothing is ever forgotten
        question = {"question": "q", "at": "2023-04-01T00:00:00Z", "expect": "x", "stale": []}
        assert check_as_of(system, question).result == "na"
        assert check_raw_gone(system, {"strings": ["900461"]}).result == "na"
        assert check_kept(system, {"pattern": "Ivan", "forgot": "900461"}).result == "na"
        assert check_holds(system, {"pattern": "900461"}).result == "na"
    finally:
        system.close()


def test_the_loader_refuses_another_format_and_an_unknown_check(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "remem-stories/2", "stories": []}))
    with pytest.raises(InvalidInput, match="is not a remem-stories/1 file"):
        load(wrong)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"format": "remem-stories/1", "stories": [_story("s", [{"type": "vibes"}])]}))
    with pytest.raises(InvalidInput, match="story 's'"):
        load(unknown)


def test_remem_llm_is_a_default_system_only_when_an_llm_is_configured() -> None:
    assert default_systems(Settings()) == ["remem", "remem-turns", "mem0"]
    configured = Settings(llm_url="http://127.0.0.1:9/v1", llm_model="m")
    assert default_systems(configured) == ["remem", "remem-turns", "mem0", "remem-llm"]


def _story(story_id: str, checks: list[dict[str, Any]], category: str = "residence") -> dict[str, Any]:
    return {
        "id": story_id,
        "category": category,
        "turns": [
            {"speaker": "Ana", "role": "user", "text": "Hi! I'm Ana. I live in Berlin.", "at": "2023-01-05T10:00:00Z"},
            {"speaker": None, "role": "assistant", "text": "Nice to meet you, Ana!", "at": "2023-01-05T10:00:05Z"},
            {"speaker": "Ana", "role": "user", "text": "We moved to Lisbon last week.", "at": "2024-03-14T09:00:00Z"},
        ],
        "checks": checks,
    }


def test_the_command_writes_a_report_per_system_category_and_check(tmp_path: Path) -> None:
    as_of = {
        "type": "as_of",
        "question": "Where does Ana live?",
        "at": "2023-06-01T00:00:00Z",
        "expect": "Berlin",
        "stale": ["Lisbon"],
    }
    data = tmp_path / "stories.json"
    stories = [
        _story("berlin-lisbon", [as_of, {"type": "holds", "pattern": "Lisbon"}]),
        _story(
            "secret",
            [
                {"type": "raw_gone", "strings": ["berlin"], "label": "never forgotten"},
                {"type": "raw_gone", "strings": ["Zanzibar"]},
            ],
            category="forget",
        ),
    ]
    data.write_text(json.dumps({"format": "remem-stories/1", "stories": stories}))
    out = tmp_path / "out"

    result = CliRunner().invoke(
        main,
        ["bench", "stories", "--data", str(data), "--system", "remem-turns", "--system", "remem", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    assert "remem-turns" in result.output and "forget" in result.output and "check raw_gone" in result.output
    report = json.loads((out / "report.json").read_text())
    assert report["data"]["stories"] == 2 and report["data"]["checks"] == 4 and report["data"]["turns"] == 6
    assert list(report["systems"]) == ["remem-turns", "remem"]
    turns = report["systems"]["remem-turns"]
    assert turns["overall"] == {"passed": 2, "scored": 3, "na": 1, "pass_rate": 0.6667}
    assert turns["by_category"]["forget"] == {"passed": 1, "scored": 2, "na": 0, "pass_rate": 0.5}
    assert turns["by_check"]["holds"] == {"passed": 0, "scored": 0, "na": 1, "pass_rate": None}
    assert turns["by_check"]["as_of"] == {"passed": 1, "scored": 1, "na": 0, "pass_rate": 1.0}
    first, second = turns["stories"]
    assert (first["id"], first["category"], first["passed"]) == ("berlin-lisbon", "residence", True)
    assert [c["result"] for c in first["checks"]] == ["pass", "na"]
    assert second["passed"] is False and second["checks"][0]["label"] == "never forgotten"
    assert [c["result"] for c in second["checks"]] == ["fail", "pass"]
    assert "'berlin' in story.db" in second["checks"][0]["saw"]
    assert [t["text"] for t in first["turns"]] == [t["text"] for t in stories[0]["turns"]]
    assert all(t["decisions"] for t in first["turns"])
    # remem extracts: its holds check is scored (whatever its outcome), raw_gone of "berlin" fails.
    remem = report["systems"]["remem"]
    assert remem["by_check"]["holds"]["scored"] == 1 and remem["by_category"]["forget"]["passed"] == 1
    markdown = (out / "report.md").read_text()
    assert "### secret (forget)" in markdown and "raw_gone (never forgotten) failed" in markdown


def test_the_command_refuses_an_unknown_system_and_remem_llm_without_an_llm(tmp_path: Path) -> None:
    data = tmp_path / "stories.json"
    data.write_text(json.dumps({"format": "remem-stories/1", "stories": [_story("s", [])]}))
    for system, message in (("nope", "unknown systems ['nope']"), ("remem-llm", "remem-llm needs an LLM")):
        result = CliRunner().invoke(main, ["bench", "stories", "--data", str(data), "--system", system])
        assert result.exit_code == 2 and message in result.output
