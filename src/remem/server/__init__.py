"""`remem serve`: the HTTP API under uvicorn, several workers on one store."""

from __future__ import annotations

import os


def serve(
    database: str | None, host: str = "127.0.0.1", port: int = 8080, workers: int = 1, admin_key: str | None = None
) -> None:
    import uvicorn

    if database:
        os.environ["REMEM_DATABASE"] = database
    if admin_key:
        os.environ["REMEM_ADMIN_KEY"] = admin_key
    uvicorn.run(
        "remem.server.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        timeout_keep_alive=5,
    )
