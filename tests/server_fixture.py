"""A real `remem serve` process on 127.0.0.1 for tests, with a bootstrap admin key."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ADMIN = "test-admin-token-not-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    db: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    workers: int = 1
    log: Any = None  # the server's stderr, a file
    env: dict[str, str] | None = None  # more environment for the server process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "REMEM_EXTRACTOR": "turns", "REMEM_ADMIN_KEY": ADMIN, **(self.env or {})}
        env.pop("REMEM_CONFIG", None)
        # The server logs a line per request: to a file, since an undrained pipe fills and blocks it.
        self.log = self.db.with_name(f"server-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("remem")),
                "--db",
                str(self.db),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_text()[-2000:]}")
        raise RuntimeError("server did not start in 60 s")

    def log_text(self, waiting_for: str | None = None, timeout: float = 10.0) -> str:
        """The server's log so far; with `waiting_for`, once it holds that text (the access log line of a
        request is written after its response is sent, so a client can read the log before it)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.db.with_name(f"server-{self.port}.log").read_text(errors="replace")
            if waiting_for is None or waiting_for in text or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def kill(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def key(self, spaces: dict[str, str], admin: bool = False) -> dict[str, str]:
        response = httpx.post(
            f"{self.url}/v1/keys", json={"spaces": spaces, "admin": admin}, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        response.raise_for_status()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    def call(self, method: str, path: str, key: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return httpx.request(
            method, f"{self.url}{path}", headers={**(key or {}), **kw.pop("headers", {})}, timeout=60, **kw
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "server.db", free_port()).start()
    try:
        yield running
    finally:
        running.kill()
