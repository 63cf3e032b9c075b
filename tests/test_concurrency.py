"""Several processes and threads on one SQLite file: no lost writes, no "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from remem import Memory

WRITER = textwrap.dedent(
    """
    import sys
    from remem import Memory
    name, n = sys.argv[2], int(sys.argv[3])
    with Memory.open(sys.argv[1], extractor="turns") as mem:
        for i in range(n):
            mem.add(f"{name} note {i} about tide tables", space="shared", session=name)
            if i % 5 == 0:
                mem.search("tide tables", space="shared", k=5)
    print("ok", flush=True)
    """
)


def test_three_processes_and_four_threads_lose_nothing(db_path: Path) -> None:
    Memory.open(db_path).close()  # create the schema once, as a deployed store would have it
    children = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), f"proc{p}", "25"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(3)
    ]
    errors: list[BaseException] = []
    with Memory.open(db_path, extractor="turns") as mem:

        def write(t: int) -> None:
            try:
                for i in range(15):
                    mem.add(f"thread{t} note {i} about tide tables", space="shared", session=f"thread{t}")
                    mem.search("tide", space="shared", k=3)
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outputs = [child.communicate(timeout=240) for child in children]
        assert errors == []
        for child, (out, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0 and out.strip() == "ok", err
            assert "locked" not in err
        assert mem.stats("shared")["episodes"] == 3 * 25 + 4 * 15
        texts = {m.text for m in mem.list(space="shared", limit=1000)}
        assert {f"proc{p} note {i} about tide tables" for p in range(3) for i in range(25)} <= texts
        assert {f"thread{t} note {i} about tide tables" for t in range(4) for i in range(15)} <= texts
        # The vector cache follows writes made by other processes.
        assert len(mem.search("proc2 note 24 about tide tables", space="shared", k=200, mode="dense")) == 135
