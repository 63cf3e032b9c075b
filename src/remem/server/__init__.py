"""`remem serve`: the HTTP API under uvicorn, one or several workers on one store.

Several workers on one SQLite file are safe: the store runs in WAL mode with a busy timeout, so
writers queue for the lock instead of failing with "database is locked".
"""

from __future__ import annotations

import copy
import os
from typing import Any

from remem.server.auth import ApiKey, KeyStore, create_key, key_store_for, list_keys, revoke_key

__all__ = ["ApiKey", "KeyStore", "create_key", "key_store_for", "list_keys", "revoke_key", "serve"]


def serve(
    database: str | None,
    host: str = "127.0.0.1",
    port: int = 8080,
    workers: int = 1,
    admin_key: str | None = None,
) -> None:
    """Run the API until interrupted. Each worker process builds its own app from the environment."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from remem.server.protocol import DeadlineProtocol, max_connections

    # Workers are separate processes that import the app factory: the environment is how they
    # learn the database and the bootstrap admin key.
    if database:
        os.environ["REMEM_DATABASE"] = database
    # Open the store once here, so a bad path or a damaged file is one error line (a RememError the
    # CLI prints), not a traceback from inside each worker.
    from remem.memory import Memory
    from remem.settings import Settings

    Memory.open(settings=Settings.load()).close()
    if admin_key:
        os.environ["REMEM_ADMIN_KEY"] = admin_key
    logging_config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    # One line per request from remem.server (with its request id) replaces uvicorn's access log.
    logging_config["loggers"]["remem"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(
        "remem.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config,
        access_log=False,
        timeout_keep_alive=5,
        http=DeadlineProtocol,  # a request must arrive in full within REMEM_READ_TIMEOUT seconds
        limit_concurrency=max_connections(),  # past REMEM_MAX_CONNECTIONS, 503 at once
    )
