"""The CLI as a script would drive it (--json) and as a person would read it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from remem.cli import main


def run(db: Path, *args: str, input: str | bytes | None = None, ok: bool = True) -> Any:
    result = CliRunner().invoke(main, ["--db", str(db), "--json", *args], input=input)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
        return json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else result.stdout
    return result


def test_a_day_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMEM_EXTRACTOR", "turns")  # one memory per turn keeps the counts below exact
    db = tmp_path / "cli.db"
    added = run(db, "add", "I moved to Lisbon in March.", "--space", "alice", "--at", "2024-03-02")
    memory_id = added["decisions"][0]["memory_id"]
    assert added["episodes"] == 1 and added["decisions"][0]["operation"] == "ADD"

    messages = [
        {"role": "user", "content": "My cat is called Miso.", "name": "Alice"},
        {"role": "assistant", "content": "Miso is a lovely name."},
    ]
    assert (
        run(db, "add", "--space", "alice", "--session", "s2", "--file", "-", input=json.dumps(messages))["episodes"]
        == 2
    )

    hits = run(db, "search", "which city did I move to", "--space", "alice", "-k", "2")
    assert hits[0]["memory"]["id"] == memory_id and hits[0]["episodes"][0]["content"].startswith("I moved")
    assert (
        run(db, "search", "cat called Miso", "--space", "alice", "--session", "s2", "--mode", "lexical")[0]["memory"][
            "text"
        ]
        == "Alice: My cat is called Miso."
    )

    shown = run(db, "show", memory_id, "--space", "alice")
    assert shown["text"] == "I moved to Lisbon in March." and shown["episodes"][0]["space"] == "alice"

    run(db, "update", memory_id, "--space", "alice", "--text", "I moved to Porto in May.")
    assert [v["operation"] for v in run(db, "history", memory_id, "--space", "alice")] == ["ADD", "UPDATE"]

    assert run(db, "ask", "where did I move?", "--space", "alice")["citations"] == [memory_id]
    assert run(db, "stats", "--space", "alice")["memories"] == 3
    assert run(db, "status", "--space", "alice")["failed"] == 0
    assert len(run(db, "list", "--space", "alice")) == 3

    out = tmp_path / "alice.jsonl"
    run(db, "export", "--space", "alice", "--out", str(out))
    assert len(out.read_text().splitlines()) == 6  # 3 episodes + 3 memories
    other = tmp_path / "other.db"
    assert run(other, "import", str(out)) == {"episodes": 3, "memories": 3}

    run(db, "delete", memory_id, "--space", "alice")
    assert len(run(db, "list", "--space", "alice")) == 2
    purged = run(db, "forget", "--space", "alice", "--everything", "--yes")
    assert purged["memories"] == 3 and purged["episodes"] == 3
    assert run(db, "stats", "--space", "alice")["episodes"] == 0


def test_errors_are_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    result = run(db, "show", "mem_nope", "--space", "alice", ok=False)
    assert result.exit_code == 2 and "not found in space 'alice'" in result.output
    assert "Traceback" not in result.output
    bad = run(db, "add", "--file", "-", input="{not json", ok=False)
    assert bad.exit_code == 2 and "is not valid JSON" in bad.output


def test_a_file_no_json_reader_can_read_is_one_line_naming_what_is_wrong(tmp_path: Path) -> None:
    """Found by the attack sweep: `import` and `add --file` printed a traceback for a file that was not
    UTF-8, nested 20,000 deep, or held a number of 5,000 digits."""
    db = tmp_path / "cli.db"
    run(db, "add", "I live in Oslo.", "--space", "a")
    cases = [
        (b"\xff\xfe", "standard input cannot be read: it is not UTF-8 (byte 0 cannot be decoded)"),
        (b"[" * 20_000, "cannot be read: it is nested too deeply to read"),
        (b"1" + b"0" * 5_000, "line 1 of standard input cannot be read: it has a number of more than 4300 digits"),
        (
            b'{"content": "fine"}\n{oops\n',
            "line 2 of standard input cannot be read: it is not valid JSON (Expecting",
        ),
    ]
    for body, message in cases:
        for command in (["import", "-"], ["add", "--file", "-"]):
            refused = run(db, *command, "--space", "a", input=body, ok=False)
            assert refused.exit_code == 2 and message in refused.output, (command, refused.output)
            assert "Traceback" not in refused.output and len(refused.output.strip().splitlines()) == 1
    assert run(db, "stats", "--space", "a")["episodes"] == 1


def test_the_installed_entry_point_runs(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    exe = Path(sys.executable).with_name("remem")
    done = subprocess.run(
        [str(exe), "--db", str(db), "add", "hello from a shell", "--space", "s"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "ADD" in done.stdout
    table = subprocess.run(
        [str(exe), "--db", str(db), "search", "hello", "--space", "s"], capture_output=True, text=True, timeout=120
    )
    assert "hello from a shell" in table.stdout
    module = subprocess.run(
        [sys.executable, "-m", "remem.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert module.returncode == 0 and module.stdout.startswith("remem, version"), module.stderr


def test_json_may_come_after_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMEM_EXTRACTOR", "turns")
    db = tmp_path / "cli.db"

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    assert json.loads(invoke("add", "I keep bees.", "--space", "s", "--json"))["episodes"] == 1
    assert json.loads(invoke("stats", "--json", "--space", "s"))["memories"] == 1
    assert json.loads(invoke("keys", "list", "--json")) == []  # a command inside a group takes it too
    assert invoke("stats", "--space", "s").startswith("backend: sqlite")  # without it, lines for a person
    # A script cannot answer a prompt: with --json anywhere, forget does not ask.
    assert json.loads(invoke("forget", "--space", "s", "--everything", "--json")) == {
        "memories": 1,
        "episodes": 1,
        "versions": 1,
    }


def test_keys_are_created_listed_and_revoked(tmp_path: Path) -> None:
    from remem.server.auth import SQLiteKeyStore

    db = tmp_path / "keys.db"
    created = run(db, "keys", "create", "--space", "alice", "--space", "team:read", "--label", "agent")
    assert created["spaces"] == {"alice": "write", "team": "read"} and created["token"].startswith("rk_")
    assert SQLiteKeyStore(db).authenticate(created["token"]).allows("team", "read")
    listed = run(db, "keys", "list")
    assert [k["id"] for k in listed] == [created["id"]] and "token" not in json.dumps(listed)
    assert run(db, "keys", "revoke", created["id"])["revoked"] is True
    assert run(db, "keys", "revoke", created["id"], ok=False).exit_code == 2
    trial = run(db, "keys", "create", "--space", "alice", "--expires", "30d")
    from datetime import timedelta

    from remem.timeutil import now, to_iso

    assert to_iso(now() + timedelta(days=29)) < trial["expires_at"] < to_iso(now() + timedelta(days=31))
    assert run(db, "keys", "list")[1]["expires_at"] == trial["expires_at"]
    refused = run(db, "keys", "create", "--space", "alice", "--expires", "whenever", ok=False)
    assert refused.exit_code != 0 and "'whenever' is neither a duration" in refused.output


def test_the_queue_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "queue.db"
    monkeypatch.setenv("REMEM_PROCESS", "queue")
    monkeypatch.setenv("REMEM_EXTRACTOR", "turns")
    assert run(db, "add", "waiting for extraction", "--space", "q")["status"] == ["queued"]
    assert run(db, "status", "--space", "q")["pending"] == 1
    assert run(db, "process", "--space", "q") == {"done": 1, "failed": 0, "pending": 0}
    assert run(db, "retry", "--space", "q") == {"requeued": 0, "done": 0, "failed": 0, "pending": 0}
    assert [m["text"] for m in run(db, "list", "--space", "q")] == ["waiting for extraction"]


def test_add_from_json_lines_keeps_a_line_separator_inside_a_text(tmp_path: Path) -> None:
    lines = tmp_path / "turns.jsonl"
    lines.write_text(json.dumps({"content": "one\u2028two"}, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "m.db"), "add", "--space", "s", "--file", str(lines)])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(main, ["--db", str(tmp_path / "m.db"), "--json", "list", "--space", "s"])
    texts = [m["text"] for m in json.loads(listed.output)]
    assert any(t.endswith("one\u2028two") for t in texts), texts  # one record, not cut at the separator


def test_every_command_and_option_says_what_it_does() -> None:
    import click

    missing = []

    def walk(command: click.Command, path: list[str]) -> None:
        if path and not (command.help or "").strip():
            missing.append(" ".join(path))
        missing.extend(
            f"{' '.join(path)} {p.opts[0]}" for p in command.params if isinstance(p, click.Option) and not p.help
        )
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(main, [])
    assert missing == []
    revoke = CliRunner().invoke(main, ["keys", "revoke", "--help"]).output
    assert "Revoke key KEY_ID" in revoke


def test_people_read_a_summary_and_ids_that_stay_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("COLUMNS", "80")
    db = tmp_path / "cli.db"
    messages = [
        {"role": "user", "name": "Bo", "content": f"Day {i}: I planted {i} tulips in the garden."} for i in range(60)
    ]

    def invoke(*args: str, input: str | None = None) -> str:
        result = CliRunner().invoke(main, ["--db", str(db), *args], input=input)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    bulk = invoke("add", "--space", "g", "--file", "-", input=json.dumps(messages))
    assert len(bulk.splitlines()) == 1, bulk  # one summary line, not a line per memory
    assert re.fullmatch(r"stored 60 messages in space g \(\d+\.\d s\): \d+ ADD.*\n", bulk), bulk
    verbose = invoke("add", "--space", "g", "--file", "-", "--verbose", input=json.dumps(messages[:3]))
    assert len(verbose.splitlines()) > 3 and all(len(line) <= 80 for line in verbose.splitlines()), verbose

    ids = re.compile(r"\bmem_[0-9a-p]{32}\b")
    listed = invoke("list", "--space", "g", "--limit", "5")
    assert len(ids.findall(listed)) == 5 and all(len(line) <= 80 for line in listed.splitlines()), listed
    quiet = invoke("list", "--space", "g", "--limit", "5", "-q").split()
    assert quiet == ids.findall(listed)
    found = invoke("search", "how many tulips on day 7", "--space", "g", "-k", "3")
    assert len(ids.findall(found)) == 3 and all(len(line) <= 80 for line in found.splitlines()), found
    first = invoke("search", "how many tulips on day 7", "--space", "g", "-k", "1", "-q").strip()
    assert "Day 7" in json.loads(invoke("show", first, "--space", "g", "--json"))["episodes"][0]["content"]
    assert invoke("history", first, "--space", "g").startswith(f"history of {first}\nv1  ADD")


def test_process_says_what_it_did(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMEM_PROCESS", "queue")
    monkeypatch.setenv("REMEM_EXTRACTOR", "turns")
    db = tmp_path / "queue.db"
    for text in ("first turn", "second turn"):
        run(db, "add", text, "--space", "q")
    result = CliRunner().invoke(main, ["--db", str(db), "process", "--space", "q"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("processing 2 pending jobs (2 turns) in space q")
    assert re.fullmatch(r"2 done, 0 failed, 0 pending in \d+\.\d s\n", result.stdout), result.stdout


def test_clip_cuts_at_a_word_with_an_ellipsis() -> None:
    from remem.cli.output import clip

    assert clip("Caroline went to the LGBTQ support group yesterday", 30) == "Caroline went to the LGBTQ …"
    assert clip("short  text\nhere", 30) == "short text here"


def test_the_demo_log_off_a_terminal_keeps_lines_whole(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "src" / "remem" / "data" / "sample-locomo.json"
    exe = Path(sys.executable).with_name("remem")
    done = subprocess.run(
        [str(exe), "--db", str(tmp_path / "demo.db"), "demo", "--data", str(sample)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "ingesting 2 sessions (extracting facts, embedding, reconciling)..."
    assert re.fullmatch(r"ingested 16 turns in [\d.]+ s \(\d+ turns/s\); \d+ memories", lines[2]), lines[2]
    hits = [line for line in lines if re.match(r"  [✓ ] \d\. ", line)]
    assert len(hits) == 30 and max(len(line) for line in hits) > 80  # not hard-wrapped at 80
    summary = next(line for line in hits if "Session of 12 April 2024" in line)
    assert re.search(r" 8 turns Session of", summary) and summary.endswith(" …")  # a count, not 8 turn ids
    text = summary.split(" 8 turns ", 1)[1]
    said = " ".join(t["text"] for t in json.loads(sample.read_text())[0]["conversation"]["session_1"])
    last = text.removesuffix(" …").split()[-1]
    assert len(text) <= 140 and re.search(rf"(^|\s){re.escape(last)}(\s|$)", said), text  # cut after a whole word


@pytest.mark.parametrize(("command", "package"), [("serve", "fastapi"), ("mcp", "mcp")])
def test_a_missing_extra_is_one_line_naming_the_install_command(tmp_path: Path, command: str, package: str) -> None:
    """As in a venv built by `make demo` only: the package is absent (an import of it fails)."""
    script = (
        f"import sys; sys.modules[{package!r}] = None\n"
        "from remem.cli import main\n"
        f"sys.argv = ['remem', '--db', {str(tmp_path / 'x.db')!r}, {command!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "needs the 'server' extra" in lines[0] and "install -e" in lines[0] and "[server]'" in lines[0]
    assert not (tmp_path / "x.db").exists()
