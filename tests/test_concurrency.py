"""Several processes and threads on one SQLite file: no lost writes, no "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_concurrent_edits_of_one_memory_each_become_a_version(
    backend: str, db_path: Path, request: pytest.FixtureRequest
) -> None:
    """Each edit read the memory before the others wrote: without the store's version check, edits
    made on the same version overwrote each other and their versions shared numbers."""
    where = str(db_path) if backend == "sqlite" else request.getfixturevalue("pg_url")
    with Memory.open(where, extractor="turns") as mem:
        space = "edits"
        mem.forget(space=space, everything=True)
        memory_id = mem.add("The shed is painted green.", space=space).decisions[0].memory_id
        assert memory_id is not None
        texts = [f"The shed is painted colour number {n}." for n in range(8)]
        start = threading.Barrier(len(texts) + 2)
        errors: list[BaseException] = []

        def edit(text: str) -> None:
            try:
                start.wait()
                mem.update(memory_id, space=space, text=text)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        def tag() -> None:
            try:
                start.wait()
                mem.update(memory_id, space=space, tags=["garden"])
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=edit, args=(t,)) for t in texts] + [threading.Thread(target=tag)]
        for t in threads:
            t.start()
        start.wait()
        for t in threads:
            t.join()
        assert errors == []
        history = mem.history(memory_id, space=space)
        assert [v.version for v in history] == list(range(1, len(texts) + 3))  # 1, then one for each edit
        assert set(texts) <= {v.text for v in history}  # every edit is in history
        final = mem.get(memory_id, space=space)
        assert final.version == len(texts) + 2 and final.text == history[-1].text
        assert final.tags == ["garden"]  # the tag edit, wherever it fell, was made on top of the others
        mem.delete(memory_id, space=space)
        assert [v.operation for v in mem.history(memory_id, space=space)][-1] == "DELETE"
        assert mem.get(memory_id, space=space).version == len(texts) + 3
