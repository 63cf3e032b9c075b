"""Tallies and reports for `remem bench stories`: report.json, report.md, and the summary printed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from remem.bench.stories_systems import DESCRIPTIONS


def tally(results: Iterable[str]) -> dict[str, Any]:
    """passed, scored (n/a excluded), na, and pass_rate = passed / scored (None when nothing scored)."""
    results = list(results)
    passed, na = results.count("pass"), results.count("na")
    scored = len(results) - na
    return {"passed": passed, "scored": scored, "na": na, "pass_rate": round(passed / scored, 4) if scored else None}


def summarize(stories: list[dict[str, Any]]) -> dict[str, Any]:
    """Check tallies overall, by story category and by check type, and how many stories passed whole."""
    checks = [(s["category"], c["type"], c["result"]) for s in stories for c in s["checks"]]
    categories = sorted({s["category"] for s in stories})
    types = sorted({t for _, t, _ in checks})
    return {
        "overall": tally(r for _, _, r in checks),
        "by_category": {cat: tally(r for c, _, r in checks if c == cat) for cat in categories},
        "by_check": {kind: tally(r for _, t, r in checks if t == kind) for kind in types},
        "stories_passed": sum(s["passed"] for s in stories),
    }


def _cell(row: dict[str, Any]) -> str:
    if not row["scored"]:
        return f"n/a ({row['na']})"
    return f"{row['passed']}/{row['scored']} ({100 * row['pass_rate']:.1f}%)"


def _matrix(report: dict[str, Any], section: str) -> list[tuple[str, list[str]]]:
    systems = report["systems"]
    keys = sorted({k for s in systems.values() for k in s[section]})
    return [(key, [_cell(s[section][key]) if key in s[section] else "-" for s in systems.values()]) for key in keys]


def summary(report: dict[str, Any]) -> str:
    """A plain-text table: checks passed/scored per system, overall, per category and per check type."""
    systems = report["systems"]
    gap: list[tuple[str, list[str]]] = [("", [""] * len(systems))]
    rows = [
        ("overall", [_cell(s["overall"]) for s in systems.values()]),
        ("stories passed", [f"{s['stories_passed']}/{len(s['stories'])}" for s in systems.values()]),
        ("seconds", [str(s["seconds"]) for s in systems.values()]),
        *gap,
        *_matrix(report, "by_category"),
        *gap,
        *((f"check {k}", v) for k, v in _matrix(report, "by_check")),
    ]
    width = max(len(label) for label, _ in rows)
    cols = [max([len(name)] + [len(values[i]) for _, values in rows]) for i, name in enumerate(systems)]
    lines = [_line("", list(systems), width, cols), *(_line(label, values, width, cols) for label, values in rows)]
    lines += [f"skipped {name}: {why}" for name, why in report.get("skipped", {}).items()]
    return "\n".join(lines)


def _line(label: str, values: list[str], width: int, cols: list[int]) -> str:
    return "  ".join([label.ljust(width), *(v.ljust(c) for v, c in zip(values, cols, strict=True))]).rstrip()


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows),
    ]


def markdown(report: dict[str, Any]) -> str:
    data = report["data"]
    lines = [
        "# Stories: does memory stay true?",
        "",
        f"Data: `{data['path']}` ({data['format']}, sha256 {data['sha256'][:16]}): {data['stories']} stories, "
        f"{data['turns']} turns, {data['checks']} checks. Embedder: {report['config']['embedder']}. "
        "Rates are passed / scored; n/a checks (ones a system cannot answer) are not scored.",
        "",
    ]
    systems = report["systems"]
    header = ["", *systems]
    lines += _table(header, [["overall", *(_cell(s["overall"]) for s in systems.values())]])
    lines += ["", "By category:", ""] + _table(header, [[k, *v] for k, v in _matrix(report, "by_category")])
    lines += ["", "By check type:", ""] + _table(header, [[k, *v] for k, v in _matrix(report, "by_check")])
    for name, why in report.get("skipped", {}).items():
        lines += ["", f"Skipped {name}: {why}"]
    for name, result in systems.items():
        lines += ["", f"## {name}", "", DESCRIPTIONS.get(name, ""), ""]
        lines.append(
            f"{_cell(result['overall'])} checks, {result['stories_passed']}/{len(result['stories'])} stories "
            f"whole, {result['seconds']} s."
        )
        for story in result["stories"]:
            if any(c["result"] == "fail" for c in story["checks"]):
                lines += ["", *_failing_story(story)]
    return "\n".join(lines) + "\n"


def _failing_story(story: dict[str, Any]) -> list[str]:
    lines = [f"### {story['id']} ({story['category']})", ""]
    for turn in story["turns"]:
        who = turn["speaker"] or turn["role"]
        lines.append(f"- `{turn['at']}` **{who}**: {turn['text']}")
        for d in turn["decisions"]:
            lines.append(f"  - {d['operation']} `{d['memory_id']}` {d['text']!r}: {d['reason']}")
    lines.append("")
    for check in story["checks"]:
        if check["result"] == "fail":
            label = f" ({check['label']})" if "label" in check else ""
            spec = ", ".join(f"{k}={v!r}" for k, v in check.get("spec", {}).items())
            lines.append(f"- **{check['type']}{label} failed** ({spec}): {check['saw']}")
    return lines


def write(report: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
