"""Bounded load test of `remem serve` on 127.0.0.1: concurrent clients, mixed add and search.

    python bench/load.py [--clients 8] [--seconds 60] [--workers 2] [--search-share 0.5]
    python bench/load.py --abuser [--clients 6] [--seconds 30] [--save bench/results/load.json]

Starts its own server on a temporary store, runs the clients for a fixed time, then checks
that every acknowledged add is stored, and prints throughput and latency per operation.

With --abuser it measures isolation between tenants instead: normal tenants, each with its own
key and space, add and search for --seconds on a fresh server, then again on another fresh
server beside one abusive tenant. The abuser adds long turns (31 kB) to one ever-growing
session and sends adversarial text (runs of spaces and commas, "forget x" + 30,000 spaces +
"y"). It prints the normal tenants' p50/p95 with and without the abuser, and whether their p95
with the abuser stays within 2x of the p95 without. --save writes that report into the results
file under the key "abusive_tenant"; the keys already there (the plain run's) are kept.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from remem.bench.metrics import percentile

ADMIN = "load-test-admin"
TURN_CHARS = 31_000  # a long turn, just under the server's 32,000-character limit
PREFILL_TURNS = 30  # the abuser's session holds this many long turns before the clock starts
WORDS = ["blue", "red", "green"]


def main() -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=None, help="normal clients (8; 6 with --abuser)")
    parser.add_argument("--seconds", type=float, default=None, help="length of a run (60; 30 each with --abuser)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--search-share", type=float, default=0.5)
    parser.add_argument("--abuser", action="store_true", help="compare normal tenants with and without an abuser")
    parser.add_argument("--abuser-connections", type=int, default=2, help="the abuser's concurrent requests")
    parser.add_argument("--save", type=Path, help="with --abuser: write the report into this results file")
    args = parser.parse_args()
    report: dict[str, object]
    if args.abuser:
        clients, seconds = args.clients or 6, args.seconds or 30.0
        report = compare(clients, seconds, args.workers, args.search_share, args.abuser_connections)
    else:
        with serve(args.workers) as url:
            token = _key(url, {"load": "write"})
            report = run(url, token, args.clients or 8, args.seconds or 60.0, args.search_share)
    print(json.dumps(report, indent=2))
    if args.abuser:
        print(verdict(report))
        if args.save:
            saved = json.loads(args.save.read_text()) if args.save.exists() else {}
            args.save.write_text(json.dumps({**saved, "abusive_tenant": report}, indent=2) + "\n")
    return report


@contextmanager
def serve(workers: int) -> Iterator[str]:
    """A `remem serve` on a fresh temporary store, stopped on exit."""
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
                str(workers),
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
            yield url
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)


def _key(url: str, spaces: dict[str, str]) -> str:
    response = httpx.post(f"{url}/v1/keys", json={"spaces": spaces}, headers={"Authorization": f"Bearer {ADMIN}"})
    response.raise_for_status()
    return str(response.json()["token"])


def run(url: str, token: str, clients: int, seconds: float, search_share: float) -> dict[str, object]:
    """The plain run: every client adds and searches in one shared space."""
    return run_tenants(url, [("load", token)] * clients, seconds, search_share)


def run_tenants(
    url: str,
    tenants: list[tuple[str, str]],
    seconds: float,
    search_share: float,
    beside: Callable[[float], None] | None = None,
) -> dict[str, object]:
    """One client thread per (space, token), adding and searching until time is up; `beside`, if
    given, runs in threads of its own until the same deadline. Then every acknowledged add is
    looked for in its space."""
    latencies: dict[str, list[float]] = {"add": [], "search": []}
    acknowledged: list[tuple[str, str, str]] = []
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def client(n: int, space: str, token: str) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
            i = 0
            while time.monotonic() < until:
                i += 1
                op = "search" if rng.random() < search_share else "add"
                started = time.perf_counter()
                try:
                    if op == "add":
                        text = f"client {n} note {i}: remembered the {rng.choice(WORDS)} umbrella"
                        response = http.post(f"/v1/spaces/{space}/add", json={"messages": [{"content": text}]})
                    else:
                        body = {"query": f"client {n} umbrella", "k": 10}
                        response = http.post(f"/v1/spaces/{space}/search", json=body)
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{op} {type(exc).__name__}")
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{op} {response.status_code}")
                        continue
                    latencies[op].append(elapsed)
                    if op == "add":
                        acknowledged.append((space, token, text))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n, space, token)) for n, (space, token) in enumerate(tenants)]
    other = threading.Thread(target=beside, args=(until,)) if beside is not None else None
    for t in [*threads, *([other] if other else [])]:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started  # the normal clients' time: the abuser's last call may run on
    if other is not None:
        other.join()
    missing = 0
    for space, token in dict(tenants).items():
        stored = _stored_texts(url, space, token)
        missing += sum(1 for s, _, text in acknowledged if s == space and text not in stored)
    every = latencies["add"] + latencies["search"]
    return {
        "clients": len(tenants),
        "seconds": round(wall, 1),
        "errors": len(errors),
        "acknowledged_adds": len(acknowledged),
        "missing_adds": missing,
        **{f"{op}_per_s": round(len(v) / wall, 1) for op, v in latencies.items()},
        **{f"{op}_p50_ms": round(percentile(v, 50), 1) for op, v in latencies.items() if v},
        **{f"{op}_p95_ms": round(percentile(v, 95), 1) for op, v in latencies.items() if v},
        **({"p50_ms": round(percentile(every, 50), 1), "p95_ms": round(percentile(every, 95), 1)} if every else {}),
    }


def _stored_texts(url: str, space: str, token: str) -> set[str]:
    stored: set[str] = set()
    offset: int | None = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        while offset is not None:
            page = http.get(f"/v1/spaces/{space}/memories?limit=1000&offset={offset}").json()
            stored |= {m["text"] for m in page["items"]}
            offset = page["next_offset"]
    return stored


def long_turn(i: int) -> str:
    """31 kB of ordinary sentences, each a fact the extractor reads: the most work a turn can ask for."""
    sentences: list[str] = []
    n = length = 0
    while length < TURN_CHARS:
        n += 1
        sentences.append(f"On day {i}.{n} I moved my {WORDS[n % 3]} car to garage {n} and told my sister Ana. ")
        length += len(sentences[-1])
    return "".join(sentences)[:TURN_CHARS]


def long_clause(i: int) -> str:
    """31 kB with no sentence break: cheap to extract, but a lot for a session summary to read."""
    return (f"turn {i} goes on and on about the {WORDS[i % 3]} umbrella and the weather " * 500)[:TURN_CHARS]


def adversarial(i: int) -> str:
    """Text shaped against regular expressions: long runs of spaces and punctuation."""
    shapes = [
        "forget x" + " " * 30_000 + "y",
        "," * TURN_CHARS,
        " " * 15_000 + "a" + " " * 15_000 + "?",
        "a," * (TURN_CHARS // 2),
        ("forget x" + " " * 300 + "y, ") * 90,
        "I live in" + " ," * 15_000 + " Lisbon",
    ]
    return shapes[i % len(shapes)]


def abuser(url: str, token: str, connections: int, record: list[tuple[str, object, float]]) -> Callable[[float], None]:
    """The abusive tenant: `connections` threads adding to the one session until the deadline, a
    long turn and an adversarial text in turn; each call's (kind, status, ms) goes to `record`."""
    lock = threading.Lock()
    counter = iter(range(10**9))

    def one(until: float) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            while time.monotonic() < until:
                with lock:
                    i = next(counter)
                kind, text = ("adversarial", adversarial(i // 2)) if i % 2 else ("long_turn", long_turn(i // 2))
                body = {"messages": [{"content": text}], "session": "huge"}
                started = time.perf_counter()
                try:
                    status: object = http.post("/v1/spaces/abuser/add", json=body).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    record.append((kind, status, (time.perf_counter() - started) * 1000))

    def beside(until: float) -> None:
        threads = [threading.Thread(target=one, args=(until,)) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    return beside


def prefill(url: str, token: str) -> float:
    """Make the abuser's session huge before the clock starts: PREFILL_TURNS long turns, ten an add."""
    started = time.monotonic()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600) as http:
        for first in range(0, PREFILL_TURNS, 10):
            messages = [{"content": long_clause(i)} for i in range(first, min(first + 10, PREFILL_TURNS))]
            http.post("/v1/spaces/abuser/add", json={"messages": messages, "session": "huge"}).raise_for_status()
    return time.monotonic() - started


def compare(clients: int, seconds: float, workers: int, search_share: float, connections: int) -> dict[str, object]:
    """The normal tenants alone, then beside the abuser, each on a fresh server and store."""
    runs: dict[str, dict[str, object]] = {}
    prefill_s = 0.0
    abused: list[tuple[str, object, float]] = []
    for name in ("without_abuser", "with_abuser"):
        with serve(workers) as url:
            tenants = [(f"tenant-{n}", _key(url, {f"tenant-{n}": "write"})) for n in range(clients)]
            beside = None
            if name == "with_abuser":
                token = _key(url, {"abuser": "write"})
                prefill_s = prefill(url, token)
                beside = abuser(url, token, connections, abused)
            runs[name] = run_tenants(url, tenants, seconds, search_share, beside)
    runs["with_abuser"]["abuser"] = {
        "connections": connections,
        "turn_chars": TURN_CHARS,
        "prefill": f"{PREFILL_TURNS} turns of {TURN_CHARS} characters in {prefill_s:.1f} s, before the clock",
        **{kind: _calls([c for c in abused if c[0] == kind]) for kind in ("long_turn", "adversarial")},
    }
    without, with_ = runs["without_abuser"], runs["with_abuser"]
    ratio = float(str(with_["p95_ms"])) / float(str(without["p95_ms"]))
    return {
        "workers": workers,
        "cpus": os.cpu_count(),
        **runs,
        "p95_ratio": round(ratio, 2),
        "p95_within_2x": ratio <= 2.0,
    }


def _calls(calls: list[tuple[str, object, float]]) -> dict[str, object]:
    """The abuser's calls of one kind: how many, their statuses, median and slowest time."""
    times = [ms for _, _, ms in calls]
    statuses = sorted({str(status) for _, status, _ in calls})
    if not times:
        return {"calls": 0}
    return {
        "calls": len(calls),
        "statuses": statuses,
        "p50_ms": round(percentile(times, 50)),
        "max_ms": round(max(times)),
    }


def verdict(report: dict[str, object]) -> str:
    without, with_ = report["without_abuser"], report["with_abuser"]
    assert isinstance(without, dict) and isinstance(with_, dict)
    return (
        f"normal tenants' p50/p95: {without['p50_ms']}/{without['p95_ms']} ms without the abuser, "
        f"{with_['p50_ms']}/{with_['p95_ms']} ms with it; p95 ratio {report['p95_ratio']}: "
        + ("within 2x" if report["p95_within_2x"] else "NOT within 2x")
    )


if __name__ == "__main__":
    main()
