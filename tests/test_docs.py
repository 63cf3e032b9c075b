"""Every command and code block of README.md and docs/*.md runs as written and prints what the text says.

Each document runs in a fresh folder with its own HOME, its blocks in order (a later block may use
what an earlier one made, as a reader would go on), with this checkout's .venv/bin first on PATH:

- ```python runs as a script with this venv's Python; ```bash (sh, shell) runs in bash -e -o pipefail,
  in a process group of its own that is killed afterwards (a server a block starts in the background
  goes with it); port 8080 becomes a free port, and a placeholder PostgreSQL URL
  (postgresql://user...@db.../remem) a fresh database on the tests' own server (tests/pg_server.py).
  A line that installs into the venv (`.venv/bin/pip install ...`) is not rerun: `make test` built
  this venv with every extra, and the run is offline.
- ```output right after a runnable block is what it must print (stdout and stderr), compared after
  `normalise`: ids, tokens, timings, scores and today's dates become placeholders, trailing spaces go.
- ```json must parse; any other language must be marked.
- `<!-- docs-test: skip REASON -->` just before a block skips it, only where running it is impossible
  here (`make test` itself, a long benchmark, a remote server or a program this machine lacks).

A block fails on a non-zero exit, a traceback, an HTTP error body, or output that differs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELLS = {"bash", "sh", "shell"}
PLACEHOLDER_URL = re.compile(r"postgresql://[^\s/@]*@db[\w.]*(?::\d+)?/remem")
BLOCK = re.compile(
    r"(?:<!--\s*docs-test:\s*(?P<mark>[^>]*?)\s*-->\s*\n)?"  # an optional mark just before the fence
    r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.M | re.S,
)


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    body: str
    skip: str | None
    expected: str | None = None

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} ({self.lang or 'plain'})"


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a document, each runnable one with the output block that follows it."""
    text = path.read_text(encoding="utf-8")
    found: list[Block] = []
    for match in BLOCK.finditer(text):
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines())
        mark = match["mark"]
        if mark is not None and not mark.startswith("skip "):
            raise AssertionError(f"{path.name}: unknown docs-test mark {mark!r} (only 'skip REASON')")
        line = text.count("\n", 0, match.start("indent")) + 1
        block = Block(path, line, match["lang"].lower(), body, mark[5:] if mark else None)
        if block.lang == "output":
            assert found and found[-1].lang in SHELLS | {"python"}, f"{block}: an output block follows no command"
            found[-1].expected = body
        else:
            found.append(block)
    return found


def normalise(text: str) -> str:
    today = {(datetime.now(UTC) + timedelta(days=d)).strftime("%Y-%m-%d") for d in (-1, 0, 1)}
    text = re.sub(r"\b(mem|ep|job)_[0-9a-p]{32}\b", r"\1_<id>", text)
    text = re.sub(r"\brk_[0-9a-f]{16}_[\w-]+", "rk_<token>", text)
    text = re.sub(r"\bkey [0-9a-f]{16}\b", "key <id>", text)
    text = re.sub(r"\b\d+(?:\.\d+)? (s|ms)\b", r"<n> \1", text)
    text = re.sub(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?Z?", "<time>", text)
    text = re.sub(r"(?<![\d.])\d\.\d{2,4}\b(?!\.\d)", "<score>", text)  # scores move with the machine's int8 sums
    for day in today:
        text = text.replace(day, "<today>")
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_block(block: Block, cwd: Path, env: dict[str, str], pg_url: str | None = None) -> str:
    if block.lang == "python":
        command = [sys.executable, "-c", block.body]
    else:
        script = "\n".join(
            ":  # installed by make test" if re.match(r"\s*(\.venv/bin/)?pip install\b", line) else line
            for line in PLACEHOLDER_URL.sub(pg_url or "", block.body.replace("8080", str(free_port()))).splitlines()
        )
        command = ["bash", "-e", "-o", "pipefail", "-c", script]
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever the block left running in the background
    assert process.returncode == 0, f"{block} exited {process.returncode}:\n{output}"
    assert "Traceback (most recent call last)" not in output, f"{block} printed a traceback:\n{output}"
    assert '{"error":' not in output, f"{block} got an HTTP error:\n{output}"
    return output


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_runs_as_written(path: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    home, cwd = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    cwd.mkdir()
    env = {
        "HOME": str(home),
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "COLUMNS": "80",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # stdout and stderr interleave in the order they were written
    }
    for block in blocks(path):
        if block.skip:
            continue
        if block.lang == "json":
            json.loads(block.body)
            continue
        assert block.lang in SHELLS | {"python"}, f"{block}: no way to run it; mark it <!-- docs-test: skip why -->"
        pg_url = request.getfixturevalue("pg_url") if PLACEHOLDER_URL.search(block.body) else None
        output = run_block(block, cwd, env, pg_url)
        if block.expected is not None:
            assert normalise(output) == normalise(block.expected), f"{block} printed:\n{output}"


def test_the_normaliser_keeps_what_matters() -> None:
    printed = "ADD    mem_01a22eacf578decd4a5f65b0b2fb054b  x\nstored 1 message in space alice (0.9 s): 2 ADD  "
    assert normalise(printed) == "ADD    mem_<id>  x\nstored 1 message in space alice (<n> s): 2 ADD"
    assert normalise("2024-03-01 → …") == "2024-03-01 → …"  # dates of the story stay as they are
    assert normalise("mem_01a22eacf578decd4a5f65b0b2fb054b") != normalise("ep_01a22eacf578decd4a5f65b0b2fb054b")
