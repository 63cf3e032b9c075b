"""Fixtures build real stores: real SQLite files, the real embedding model, real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remem import Memory


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "memory.db"


@pytest.fixture
def mem(db_path: Path) -> Iterator[Memory]:
    """One memory per turn: these tests are about the store and the API; extraction has its own."""
    with Memory.open(db_path, extractor="turns") as memory:
        yield memory


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's own ~/.remem/config.toml or REMEM_* variables must not leak into tests."""
    import os

    for name in list(os.environ):
        if name.startswith("REMEM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REMEM_CONFIG", str(tmp_path / "no-config.toml"))


pytest_plugins = ["tests.openai_stub", "tests.server_fixture", "tests.pg_server"]
