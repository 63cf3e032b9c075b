"""The terminal as a person sees it: remem in a real 80x24 tmux pane, read back with capture-pane."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


class Pane:
    """One tmux server of our own (its own socket), one 80x24 window running bash."""

    def __init__(self, socket: Path, home: Path) -> None:
        self.base = ["tmux", "-S", str(socket)]
        # The shell's environment is set by env inside the pane: tmux's own -e does not reach PATH here.
        shell = f"env HOME={home} PATH={BIN}:/usr/bin:/bin TERM=xterm-256color PS1='$ ' bash --norc"
        subprocess.run(
            [*self.base, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", shell], check=True, cwd=home
        )

    def type(self, line: str) -> None:
        subprocess.run([*self.base, "send-keys", "-l", line], check=True)
        subprocess.run([*self.base, "send-keys", "Enter"], check=True)

    def clear(self) -> None:
        """Clear the screen and wait for the bare prompt: keys typed while `clear` still runs are echoed
        by the terminal before bash's prompt, and the next command would show twice."""
        self.type("clear")
        self.wait_for(r"\A\$ ?\s*\Z")

    def screen(self) -> str:
        return subprocess.run(
            [*self.base, "capture-pane", "-p", "-J"], check=True, capture_output=True, text=True
        ).stdout

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.screen(), re.M)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never appeared; the pane shows:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False)


@pytest.fixture(scope="module")
def pane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pane]:
    home = tmp_path_factory.mktemp("home")
    # A short socket path: a UNIX socket's path is limited to about 100 bytes.
    socket = Path("/tmp") / f"remem-tmux-{os.getpid()}"
    terminal = Pane(socket, home)
    try:
        yield terminal
    finally:
        terminal.close()


def test_a_bulk_add_shows_moving_progress_then_one_summary_line(pane: Pane, tmp_path: Path) -> None:
    turns = [
        {"role": "user", "name": "Mia", "content": f"On day {i} I walked {i % 9 + 2} km along the river with {name}."}
        for i, name in enumerate(["Ada", "Ben", "Cleo"] * 50)
    ]
    (tmp_path / "turns.json").write_text(json.dumps(turns))
    pane.clear()
    pane.type(f"remem --db {tmp_path / 'mem.db'} add --space walks --file {tmp_path / 'turns.json'}")

    seen: list[int] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and "stored 150 messages" not in (screen := pane.screen()):
        counts = [int(n) for n in re.findall(r"adding .*?(\d+)/150", screen)]
        if counts and (not seen or counts[-1] != seen[-1]):
            seen.append(counts[-1])
        time.sleep(0.05)
    summary = pane.wait_for(r"^stored 150 messages in space walks \([\d.]+ s\): \d+ ADD.*$")
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] < 150, seen  # it moved, forwards
    # The summary is the one line the add leaves: the prompt follows it, no line per memory.
    pane.wait_for(r"^\$ $")
    lines = [line.rstrip() for line in pane.screen().splitlines() if line.strip()]
    assert lines[-3:] == [lines[-3], summary.group(0), "$"] and lines[-3].startswith("$ remem --db"), lines


def test_a_list_keeps_each_id_whole_on_one_line_at_80_columns(pane: Pane, tmp_path: Path) -> None:
    db = tmp_path / "list.db"
    pane.clear()
    pane.type(f"remem --db {db} add 'I moved to Lisbon in March, and I teach maths at a school there.' --space me")
    pane.wait_for(r"^stored 1 message in space me")
    pane.clear()
    pane.type(f"remem --db {db} list --space me")
    pane.wait_for(r"^\$ $")
    screen = pane.screen()
    rows = re.findall(r"^(mem_[0-9a-p]{32})\s+\w+\s+\S+ → \S+\s+v\d+$", screen, re.M)
    assert len(rows) >= 2, screen  # the turn and the facts from it, each id on one line of its own
    assert all(len(line.rstrip()) <= 80 for line in screen.splitlines() if not line.startswith("$"))
