"""Typed settings: defaults, then a TOML file, then REMEM_* environment variables, then arguments."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from remem.errors import InvalidInput

DEFAULT_HOME = Path(os.environ.get("REMEM_HOME", "~/.remem")).expanduser()
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(database: str) -> bool:
    """Whether a database setting names PostgreSQL (a postgresql:// URL) rather than a SQLite file."""
    return database.startswith(POSTGRES_SCHEMES)


class Settings(BaseModel):
    """Everything remem can be configured with. Unknown keys are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    database: str = Field(
        default=str(DEFAULT_HOME / "default.db"),
        description="A SQLite file path, or a postgresql:// URL.",
    )
    embedder: Literal["minilm", "openai"] = "minilm"
    embed_url: str | None = None  # OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1
    embed_model: str | None = None
    embed_api_key: str | None = None
    embed_dim: int | None = None  # required by the openai embedder to check the store's dimension
    embed_batch: int = Field(default=16, ge=1, le=2048)
    # minilm's matrix products: int8 (1.6x faster, cosine 0.993 to float) or float (the packaged
    # computation); auto takes the one an existing store was built with, else int8.
    embed_compute: Literal["auto", "int8", "float"] = "auto"
    llm_provider: Literal["openai", "local"] = "openai"  # local: llama.cpp in-process (pip install 'remem[local]')
    llm_model_path: str | None = None  # a GGUF for the local provider; default: joined from the model part packages
    llm_threads: int | None = Field(default=None, ge=1, description="Local LLM threads; default: every core.")
    llm_context: int = Field(default=4096, ge=256, description="Local LLM context window, in tokens.")
    # llama.cpp's extra buffer types (repacked/AMX weights): off, since the AMX buffer crashed the first decode
    llm_extra_bufts: bool = False
    llm_url: str | None = None  # OpenAI-compatible base URL; None means no LLM (rules + extractive answers)
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_json_schema: bool = True  # ask the server for schema-constrained output when it supports it
    extractor: Literal["turns", "rules", "llm", "auto"] = "auto"  # auto: llm when configured, else rules
    process: Literal["inline", "queue"] = "inline"  # inline: extract during add(); queue: later
    max_text_chars: int = Field(default=32_000, ge=1)
    max_batch: int = Field(default=1_000, ge=1)
    max_k: int = Field(default=200, ge=1)
    candidates: int = Field(default=100, ge=1, description="Candidates per retriever before fusion.")
    fusion: Literal["convex", "rrf"] = Field(
        default="convex",
        description="How BM25 and dense results merge: a convex combination of normalised scores, or "
        "reciprocal-rank fusion (kept to compare; see the README's benchmarks).",
    )
    context_tokens: int = Field(default=2_000, ge=1, description="Answer context budget.")
    busy_timeout_ms: int = Field(default=30_000, ge=0)

    @field_validator("database")
    @classmethod
    def _database_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("database must be a file path or a postgresql:// URL")
        return value

    @property
    def is_postgres(self) -> bool:
        return is_postgres_url(self.database)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Defaults < TOML file (path, $REMEM_CONFIG, or ~/.remem/config.toml) < REMEM_* env < overrides."""
        values: dict[str, Any] = {}
        file = Path(path or os.environ.get("REMEM_CONFIG") or DEFAULT_HOME / "config.toml").expanduser()
        if path is not None and not file.exists():
            raise InvalidInput(f"config file {file} does not exist")
        if file.exists():
            try:
                values.update(tomllib.loads(file.read_text()))
            except tomllib.TOMLDecodeError as exc:
                raise InvalidInput(f"config file {file} is not valid TOML: {exc}") from None
        for name in cls.model_fields:
            env = os.environ.get(f"REMEM_{name.upper()}")
            if env is not None:
                values[name] = env
        if "REMEM_DATABASE_URL" in os.environ and "REMEM_DATABASE" not in os.environ:
            values["database"] = os.environ["REMEM_DATABASE_URL"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
            )
            raise InvalidInput(f"invalid settings: {problems}") from None
