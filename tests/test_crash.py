"""A worker killed with SIGKILL in the middle of extraction loses no episode, and its job resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from remem import Memory

REMEM = Path(sys.executable).with_name("remem")

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
        # Its worker is gone: on open the job is queued again, not left running.
        assert [j.id for j in mem.resumed] == [j.id for j in mem.store.list_jobs("crash", ["pending"])]
        status = mem.status("crash")
        assert (status["running"], status["pending"]) == (0, 1) and mem.list(space="crash") == []
        outcome = mem.process_pending(space="crash")
        assert outcome == {"done": 1, "failed": 0, "pending": 0}
        texts = sorted(m.text for m in mem.list(space="crash", limit=100))
        assert texts == sorted(f"turn {i} about the harbour" for i in range(20))
        assert mem.search("harbour", space="crash", k=20).__len__() == 20
        assert mem.store.stats("crash")["jobs"] == {"done": 1}
    import sqlite3

    assert sqlite3.connect(db_path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_job_its_interrupted_worker_left_running_resumes_and_the_cli_says_so(db_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "extracting"
        os.kill(child.pid, signal.SIGTERM)  # no Python cleanup: the job stays "running"
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGTERM

    listed = subprocess.run(
        [REMEM, "--db", str(db_path), "list", "--space", "crash"], capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    note = " ".join(listed.stderr.split())
    assert "1 extraction job (20 turns) an interrupted run left was queued again" in note
    assert "remem process" in note
    # A later add in the space picks it up, and says so.
    added = subprocess.run(
        [REMEM, "--db", str(db_path), "--json", "add", "one more harbour turn", "--space", "crash"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    with Memory.open(db_path, extractor="turns") as mem:
        assert mem.store.stats("crash")["jobs"] == {"done": 2}
        sources = {e for m in mem.list(space="crash", limit=1000) for e in m.source_episode_ids}
        assert sources == {e.id for e in mem.episodes(space="crash", limit=100)} and len(sources) == 21
