"""Acknowledged writes survive: a SIGKILLed server, and concurrent clients on two workers."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

import httpx

from tests.server_fixture import Server, free_port


def test_kill_9_during_a_stream_of_adds_loses_nothing_acknowledged(server: Server) -> None:
    key = server.key({"crash": "write"})
    acknowledged: list[str] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(base_url=server.url, headers=key, timeout=10) as client:
            for i in range(100_000):
                if stop.is_set():
                    return
                try:
                    response = client.post("/v1/spaces/crash/add", json={"messages": [{"content": f"note {i}"}]})
                except httpx.HTTPError:
                    return  # the server died mid-request: that add was never acknowledged
                if response.status_code == 200:
                    acknowledged.append(response.json()["decisions"][0]["memory_id"])

    writer = threading.Thread(target=stream)
    writer.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill(signal.SIGKILL)
    stop.set()
    writer.join(timeout=30)
    assert len(acknowledged) >= 30

    assert sqlite3.connect(server.db).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server.port = free_port()
    server.start()
    for memory_id in acknowledged:
        assert server.call("GET", f"/v1/spaces/crash/memories/{memory_id}", key).status_code == 200, memory_id


def test_concurrent_clients_on_two_workers_lose_no_acknowledged_add(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = Server(tmp_path / "load.db", free_port(), workers=2).start()
    try:
        key = server.key({"load": "write"})
        acknowledged: list[str] = []
        errors: list[str] = []
        lock = threading.Lock()
        until = time.monotonic() + 5

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, headers=key, timeout=30) as http:
                i = 0
                while time.monotonic() < until:
                    i += 1
                    if i % 3:
                        response = http.post("/v1/spaces/load/add", json={"messages": [{"content": f"c{n} m{i}"}]})
                        if response.status_code == 200:
                            with lock:
                                acknowledged.append(f"c{n} m{i}")
                    else:
                        response = http.post("/v1/spaces/load/search", json={"query": f"c{n}", "k": 5})
                    if response.status_code != 200:
                        with lock:
                            errors.append(response.text[:200])

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(acknowledged) > 20
        stored: set[str] = set()
        offset: int | None = 0
        while offset is not None:
            page = server.call("GET", f"/v1/spaces/load/memories?limit=1000&offset={offset}", key).json()
            stored |= {m["text"] for m in page["items"]}
            offset = page["next_offset"]
        assert set(acknowledged) <= stored
    finally:
        server.kill()
