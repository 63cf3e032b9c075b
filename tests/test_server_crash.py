"""A server killed with SIGKILL mid-stream loses no add it acknowledged, and its file stays sound."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time

import httpx

from tests.server_fixture import Server, free_port


def test_kill_9_during_a_stream_of_adds_loses_nothing_acknowledged(server: Server) -> None:
    key = server.key({"crash": "write"})
    acknowledged: list[tuple[str, str]] = []
    stop = threading.Event()

    def stream(n: int) -> None:
        with httpx.Client(base_url=server.url, headers=key, timeout=10) as client:
            for i in range(100_000):
                if stop.is_set():
                    return
                text = f"writer {n} note {i}"
                try:
                    response = client.post("/v1/spaces/crash/add", json={"messages": [{"content": text}]})
                except httpx.HTTPError:
                    return  # the server died mid-request: that add was never acknowledged
                assert response.status_code == 200, response.text
                acknowledged.append((response.json()["decisions"][0]["memory_id"], text))

    writers = [threading.Thread(target=stream, args=(n,)) for n in range(2)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill(signal.SIGKILL)  # no shutdown hooks, no checkpoint: only what SQLite made durable
    stop.set()
    for writer in writers:
        writer.join(timeout=30)
    assert len(acknowledged) >= 40

    with sqlite3.connect(server.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server.port = free_port()
    server.start()
    for memory_id, text in acknowledged:
        response = server.call("GET", f"/v1/spaces/crash/memories/{memory_id}", key)
        assert response.status_code == 200, memory_id
        assert response.json()["text"] == text
    # The restarted server takes new writes on the recovered file.
    again = server.call("POST", "/v1/spaces/crash/add", key, json={"messages": [{"content": "after the crash"}]})
    assert again.status_code == 200 and again.json()["status"] == "done"
