"""Two workers and a CLI process write to one SQLite file at once: no add acknowledged is lost,
and nobody is told "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.server_fixture import Server, free_port


def test_clients_on_two_workers_and_a_cli_writer_lose_no_acknowledged_add(tmp_path: Path) -> None:
    server = Server(tmp_path / "load.db", free_port(), workers=2).start()
    try:
        key = server.key({"load": "write"})
        acknowledged: list[str] = []
        failures: list[str] = []
        lock = threading.Lock()
        until = time.monotonic() + 5

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=key, timeout=30) as http:
                i = 0
                while time.monotonic() < until:
                    i += 1
                    if i % 3:
                        text = f"client {n} message {i}"
                        response = http.post("/v1/spaces/load/add", json={"messages": [{"content": text}]})
                        if response.status_code == 200:
                            with lock:
                                acknowledged.append(text)
                    else:
                        response = http.post("/v1/spaces/load/search", json={"query": f"client {n}", "k": 5})
                    if response.status_code != 200:
                        with lock:
                            failures.append(f"{response.status_code} {response.text[:200]}")

        def cli_writer() -> None:
            # The CLI opens the same file in its own process while both workers write.
            batch = 0
            while time.monotonic() < until:
                batch += 1
                lines = [json.dumps({"content": f"cli batch {batch} line {j}"}) for j in range(20)]
                env = {**os.environ, "REMEM_EXTRACTOR": "turns"}
                done = subprocess.run(
                    [str(Path(sys.executable).with_name("remem")), "--db", str(server.db), "--json", "add"]
                    + ["--space", "load", "--file", "-"],
                    input="\n".join(lines),
                    capture_output=True,
                    text=True,
                    env=env,
                    timeout=60,
                )
                with lock:
                    if done.returncode == 0 and json.loads(done.stdout)["errors"] == []:
                        acknowledged.extend(json.loads(line)["content"] for line in lines)
                    else:
                        failures.append(f"cli {done.returncode} {done.stderr[-300:]}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        threads.append(threading.Thread(target=cli_writer))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failures == [], failures[:5]
        assert not any("locked" in f for f in failures)
        assert sum(t.startswith("client") for t in acknowledged) > 20
        assert sum(t.startswith("cli") for t in acknowledged) >= 20

        stored: list[str] = []
        offset: int | None = 0
        while offset is not None:
            page = server.call("GET", f"/v1/spaces/load/memories?limit=1000&offset={offset}", key).json()
            stored += [m["text"] for m in page["items"]]
            offset = page["next_offset"]
        assert set(acknowledged) <= set(stored)
        assert len(stored) == len(set(stored))  # and nothing stored twice
    finally:
        server.kill()
