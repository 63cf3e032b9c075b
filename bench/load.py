"""Bounded load test of `remem serve` on 127.0.0.1: concurrent clients, mixed add and search.

    python bench/load.py [--clients 8] [--seconds 60] [--workers 2] [--search-share 0.5]

Starts its own server on a temporary store, runs the clients for a fixed time, then checks
that every acknowledged add is stored, and prints throughput and latency per operation.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from remem.bench.metrics import percentile

ADMIN = "load-test-admin"


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--search-share", type=float, default=0.5)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "REMEM_ADMIN_KEY": ADMIN}
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("remem")),
                "--db",
                f"{tmp}/load.db",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            token = httpx.post(
                f"{url}/v1/keys", json={"spaces": {"load": "write"}}, headers={"Authorization": f"Bearer {ADMIN}"}
            ).json()["token"]
            report = run(url, token, args.clients, args.seconds, args.search_share)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(json.dumps(report, indent=2))
    return report


def run(url: str, token: str, clients: int, seconds: float, search_share: float) -> dict[str, object]:
    latencies: dict[str, list[float]] = {"add": [], "search": []}
    acknowledged: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            i = 0
            while time.monotonic() < until:
                i += 1
                op = "search" if rng.random() < search_share else "add"
                started = time.perf_counter()
                if op == "add":
                    text = f"client {n} note {i}: remembered the {rng.choice(['blue', 'red', 'green'])} umbrella"
                    response = http.post("/v1/spaces/load/add", json={"messages": [{"content": text}]})
                else:
                    response = http.post("/v1/spaces/load/search", json={"query": f"client {n} umbrella", "k": 10})
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{op} {response.status_code}")
                        continue
                    latencies[op].append(elapsed)
                    if op == "add":
                        acknowledged.append(text)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    stored: set[str] = set()
    offset: int | None = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        while offset is not None:
            page = http.get(f"/v1/spaces/load/memories?limit=1000&offset={offset}").json()
            stored |= {m["text"] for m in page["items"]}
            offset = page["next_offset"]
    missing = [t for t in acknowledged if t not in stored]
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "errors": len(errors),
        "acknowledged_adds": len(acknowledged),
        "missing_adds": len(missing),
        **{f"{op}_per_s": round(len(v) / wall, 1) for op, v in latencies.items()},
        **{f"{op}_p50_ms": round(percentile(v, 50), 1) for op, v in latencies.items() if v},
        **{f"{op}_p95_ms": round(percentile(v, 95), 1) for op, v in latencies.items() if v},
    }


if __name__ == "__main__":
    main()
