"""`remem bench stories`: does memory stay true as facts change, repeat, and are forgotten?

Each story goes into a fresh store of each system, one `add` per turn; then its checks ask
what memory says now and as of a date, whether stale facts stayed current, whether a
restatement multiplied, and whether forgotten text is gone. The format and the meaning of
every check: ../shared/bench-data/STORIES.md (format `remem-stories/1`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from remem.bench.stories_report import summarize
from remem.bench.stories_systems import Stored, StorySystem, llm_configured, openers
from remem.embed import CachedEmbedder, Embedder
from remem.errors import InvalidInput
from remem.settings import Settings

FORMAT = "remem-stories/1"
NOT_EXTRACTED = ("turn", "summary")
CHECK_FIELDS = {
    "now": ("question", "expect", "stale"),
    "as_of": ("question", "at", "expect", "stale"),
    "no_stale": ("patterns",),
    "count": ("pattern", "n"),
    "holds": ("pattern",),
    "forgotten": ("queries", "pattern"),
    "raw_gone": ("strings",),
    "kept": ("pattern", "forgot"),
}
SHORT = 160


@dataclass(frozen=True)
class Turn:
    speaker: str | None
    role: str
    text: str
    at: str


@dataclass(frozen=True)
class Story:
    id: str
    category: str
    turns: list[Turn]
    checks: list[dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    result: Literal["pass", "fail", "na"]
    saw: str


def load(path: str | Path) -> list[Story]:
    """The stories of a `remem-stories/1` file; InvalidInput names the first thing wrong."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"{path} is not a {FORMAT} file (its 'format' must be {FORMAT!r})")
    stories = []
    for raw in data.get("stories", []):
        for check in raw["checks"]:
            missing = [f for f in CHECK_FIELDS.get(check.get("type"), ()) if f not in check]
            if check.get("type") not in CHECK_FIELDS or missing:
                raise InvalidInput(f"story {raw['id']!r}: check {check} is unknown or lacks {missing}")
        turns = [Turn(t.get("speaker"), t["role"], t["text"], t["at"]) for t in raw["turns"]]
        stories.append(Story(raw["id"], raw["category"], turns, list(raw["checks"])))
    return stories


# -- checks ---------------------------------------------------------------------------------
def _matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _show(memory: Stored) -> str:
    state = "" if memory.current else ", closed"
    return f"[{memory.kind}{state} {memory.id}] {_short(memory.text)!r}"


def _top_hit(system: StorySystem, check: dict[str, Any], as_of: str | None) -> Outcome:
    hits = system.search(check["question"], 10, as_of=as_of)
    top = next((h for h in hits if h.kind != "summary"), None)
    if top is None:
        return Outcome("fail", f"only session summaries among {len(hits)} hits" if hits else "no hits")
    stale = [p for p in check["stale"] if _matches(p, top.text)]
    if stale:
        return Outcome("fail", f"top hit {_show(top)} matches stale {stale}")
    if not _matches(check["expect"], top.text):
        return Outcome("fail", f"top hit {_show(top)} does not match {check['expect']!r}")
    return Outcome("pass", f"top hit {_show(top)}")


def check_now(system: StorySystem, check: dict[str, Any]) -> Outcome:
    return _top_hit(system, check, None)


def check_as_of(system: StorySystem, check: dict[str, Any]) -> Outcome:
    if not system.has_as_of:
        return Outcome("na", f"{system.name} cannot search as of a past time")
    return _top_hit(system, check, check["at"])


def _current_extracted(system: StorySystem) -> list[Stored] | None:
    if not system.extracts:
        return None
    return [m for m in system.memories() if m.current and m.kind not in NOT_EXTRACTED]


def _no_extraction(system: StorySystem) -> Outcome:
    return Outcome("na", f"{system.name} stores no extracted memories (only turns)")


def check_no_stale(system: StorySystem, check: dict[str, Any]) -> Outcome:
    current = _current_extracted(system)
    if current is None:
        return _no_extraction(system)
    stale = [m for m in current if any(_matches(p, m.text) for p in check["patterns"])]
    if stale:
        return Outcome("fail", f"{len(stale)} current: " + "; ".join(_show(m) for m in stale))
    return Outcome("pass", f"none of {len(current)} current extracted memories matches")


def check_count(system: StorySystem, check: dict[str, Any]) -> Outcome:
    current = _current_extracted(system)
    if current is None:
        return _no_extraction(system)
    found = [m for m in current if _matches(check["pattern"], m.text)]
    saw = f"{len(found)} of {len(current)} current extracted memories match (want {check['n']})"
    saw += "".join(f"; {_show(m)}" for m in found)
    return Outcome("pass" if len(found) == check["n"] else "fail", saw)


def check_holds(system: StorySystem, check: dict[str, Any]) -> Outcome:
    current = _current_extracted(system)
    if current is None:
        return _no_extraction(system)
    found = [m for m in current if _matches(check["pattern"], m.text)]
    if not found:
        return Outcome("fail", f"none of {len(current)} current extracted memories matches")
    return Outcome("pass", f"{len(found)} match, e.g. {_show(found[0])}")


def check_forgotten(system: StorySystem, check: dict[str, Any]) -> Outcome:
    seen: dict[str, str] = {}
    for query in check["queries"]:
        for hit in system.search(query, 20, include_expired=True):
            if _matches(check["pattern"], hit.text) and hit.id not in seen:
                seen[hit.id] = f"{query!r} finds {_show(hit)}"
    if seen:
        return Outcome("fail", f"{len(seen)} hits still match: " + "; ".join(seen.values()))
    return Outcome("pass", f"no hit of {len(check['queries'])} queries (k=20, expired included) matches")


def check_raw_gone(system: StorySystem, check: dict[str, Any]) -> Outcome:
    files = system.database_files()
    if files is None:
        return Outcome("na", f"{system.name} keeps no single database file to read")
    present = [f for f in files if f.exists()]
    contents = {f.name: f.read_bytes() for f in present}
    folded = {name: data.lower() for name, data in contents.items()}
    # As written anywhere, or in any case as a word of its own: a file's columns run together, and
    # "assistant" + "Understood" holds "tunde" in lower case but not the name "Tunde".
    found = [
        f"{s!r} in {name}"
        for s in check["strings"]
        for name, data in folded.items()
        if s.encode() in contents[name]
        or re.search(rb"(?<![a-z0-9])" + re.escape(s.lower().encode()) + rb"(?![a-z0-9])", data)
    ]
    if found:
        return Outcome("fail", "; ".join(found))
    sizes = ", ".join(f"{name} ({len(data)} bytes)" for name, data in contents.items())
    return Outcome("pass", f"no string in {sizes}")


def check_kept(system: StorySystem, check: dict[str, Any]) -> Outcome:
    stored = system.memories()
    left = [m for m in stored if _matches(check["forgot"], m.text)]
    if left:
        return Outcome("na", f"the forget did not happen: {len(left)} stored still match, e.g. {_show(left[0])}")
    if any(_matches(check["forgot"], text) for text in system.version_texts()):
        return Outcome("na", "the forget did not happen: a recorded version still matches")
    kept = [m for m in stored if m.current and m.kind != "summary" and _matches(check["pattern"], m.text)]
    if not kept:
        current = sum(m.current for m in stored)
        return Outcome("fail", f"none of {current} current memories matches (summaries aside)")
    return Outcome("pass", f"{len(kept)} current match, e.g. {_show(kept[0])}")


CHECKS: dict[str, Callable[[StorySystem, dict[str, Any]], Outcome]] = {
    "now": check_now,
    "as_of": check_as_of,
    "no_stale": check_no_stale,
    "count": check_count,
    "holds": check_holds,
    "forgotten": check_forgotten,
    "raw_gone": check_raw_gone,
    "kept": check_kept,
}


# -- running --------------------------------------------------------------------------------
def run_story(system: StorySystem, story: Story) -> dict[str, Any]:
    """Add every turn, then run every check while the store is still open."""
    turns = [
        {**vars(turn), "decisions": system.add(turn.role, turn.speaker, turn.text, turn.at)} for turn in story.turns
    ]
    checks = []
    for check in story.checks:
        outcome = CHECKS[check["type"]](system, check)
        label = {"label": check["label"]} if "label" in check else {}
        spec = {k: v for k, v in check.items() if k not in ("type", "label")}
        checks.append({"type": check["type"], **label, "result": outcome.result, "saw": outcome.saw, "spec": spec})
    results = [c["result"] for c in checks]
    passed = "fail" not in results and "pass" in results
    return {"id": story.id, "category": story.category, "passed": passed, "checks": checks, "turns": turns}


def default_systems(settings: Settings) -> list[str]:
    """remem, remem-turns and mem0 (skipped with a note when not installed); remem-llm when an LLM is set."""
    return ["remem", "remem-turns", "mem0", *(["remem-llm"] if llm_configured(settings) else [])]


def run(
    data: str | Path,
    *,
    systems: Sequence[str] | None = None,
    out: str | Path | None = None,
    embedder: Embedder | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run every system on every story of `data`; write report.json and report.md under `out`."""
    settings = Settings.load()
    catalogue = openers()
    names = list(systems or default_systems(settings))
    unknown = [s for s in names if s not in catalogue]
    if unknown:
        raise InvalidInput(f"unknown systems {unknown}; choose from {', '.join(catalogue)}")
    if "remem-llm" in names and not llm_configured(settings):
        raise InvalidInput("remem-llm needs an LLM: set llm_url and llm_model (REMEM_LLM_URL, REMEM_LLM_MODEL)")
    stories = load(data)
    if embedder is None:
        from remem.embed import from_settings

        embedder = from_settings(settings)  # loaded once, shared by every store
    report: dict[str, Any] = {
        "data": _describe(Path(data), stories),
        "config": {
            "systems": names,
            "embedder": embedder.name,
            "llm": settings.llm_model if llm_configured(settings) else None,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        },
        "systems": {},
    }
    skipped: dict[str, str] = {}
    for name in names:
        if isinstance(embedder, CachedEmbedder):
            embedder.clear()  # each system pays for its own embeddings
        with tempfile.TemporaryDirectory(prefix=f"remem-stories-{name}-") as root:
            try:
                opener = catalogue[name](embedder, Path(root))
            except ImportError as exc:
                skipped[name] = f"not installed ({exc}); pip install 'remem[bench]'"
                log(f"[{name}] skipped: {skipped[name]}")
                continue
            log(f"[{name}] running {len(stories)} stories")
            started = time.perf_counter()
            results = []
            for index, story in enumerate(stories):
                folder = Path(root) / f"{index:03d}"
                folder.mkdir()
                system = opener(folder)
                try:
                    results.append(run_story(system, story))
                finally:
                    system.close()
            seconds = time.perf_counter() - started
        report["systems"][name] = {**summarize(results), "seconds": round(seconds, 2), "stories": results}
        overall = report["systems"][name]["overall"]
        log(f"[{name}] {overall['passed']}/{overall['scored']} checks passed ({overall['na']} n/a) in {seconds:.1f} s")
    if skipped:
        report["skipped"] = skipped
    if out is not None:
        from remem.bench.stories_report import write

        write(report, Path(out))
    return report


def _describe(path: Path, stories: list[Story]) -> dict[str, Any]:
    return {
        "path": str(path),
        "format": FORMAT,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "stories": len(stories),
        "turns": sum(len(s.turns) for s in stories),
        "checks": sum(len(s.checks) for s in stories),
        "checks_by_type": dict(Counter(c["type"] for s in stories for c in s.checks)),
        "stories_by_category": dict(Counter(s.category for s in stories)),
    }
