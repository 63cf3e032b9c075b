"""A worker killed with SIGKILL in the middle of extraction loses no episode, and its job resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from remem import Memory

CHILD = textwrap.dedent(
    """
    import sys, time
    from remem import Memory
    from remem.write.extract import TurnExtractor

    class Stuck(TurnExtractor):
        name = "stuck"
        def extract(self, episodes, recent):
            print("extracting", flush=True)
            time.sleep(600)  # the parent kills us here

    with Memory.open(sys.argv[1], extractor=Stuck()) as mem:
        mem.add([{"role": "user", "content": f"turn {i} about the harbour"} for i in range(20)],
                space="crash", session="s1")
    """
)


def test_kill_9_during_extraction_then_resume(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "extracting"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    with Memory.open(db_path, extractor="turns") as mem:
        assert len(mem.episodes(space="crash", limit=100)) == 20  # committed before extraction began
        assert mem.status("crash")["running"] == 1 and mem.list(space="crash") == []
        outcome = mem.process_pending(space="crash")
        assert outcome == {"done": 1, "failed": 0, "pending": 0}
        texts = sorted(m.text for m in mem.list(space="crash", limit=100))
        assert texts == sorted(f"turn {i} about the harbour" for i in range(20))
        assert mem.search("harbour", space="crash", k=20).__len__() == 20
        assert mem.store.stats("crash")["jobs"] == {"done": 1}
    import sqlite3

    assert sqlite3.connect(db_path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
