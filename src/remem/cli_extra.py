"""CLI commands for the parts beyond the core: the demo, benchmarks, servers, migration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from remem.bench.locomo import DEFAULT_SYSTEMS
from remem.cli import Context, main, pass_ctx
from remem.memory import Memory


@main.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A LoCoMo-format file (default: the dev split beside the repo, else the bundled sample).",
)
@click.option("--questions", default=6, show_default=True)
@pass_ctx
def demo(c: Context, data: Path | None, questions: int) -> None:
    """Ingest a LoCoMo conversation and answer some of its questions by search."""
    from remem.demo import run

    with c.memory() as mem:
        run(mem, data, questions)


@main.group()
def bench() -> None:
    """Benchmarks on public data (see bench/ and bench/results/)."""


@bench.command("locomo")
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A LoCoMo-format JSON file.",
)
@click.option(
    "--system",
    "systems",
    default=",".join(DEFAULT_SYSTEMS),
    show_default=True,
    help="Comma-separated systems to compare.",
)
@click.option("--k", "ks", default="1,5,10,20", show_default=True, help="Comma-separated cut-offs.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/results/locomo"), show_default=True
)
@click.option("--limit", type=int, help="Only the first N conversations.")
@click.option("--database", help="Run remem's systems on this postgresql:// URL (default: SQLite files).")
@pass_ctx
def bench_locomo(
    c: Context, data: Path, systems: str, ks: str, out: Path, limit: int | None, database: str | None
) -> None:
    """Turn/session recall, NDCG and MRR per system and category, with cost; writes JSON, markdown, PNG."""
    from remem.bench.locomo import run

    try:
        cutoffs = [int(k) for k in ks.split(",")]
    except ValueError:
        raise click.BadParameter("k values must be integers, e.g. 1,5,10,20", param_hint="--k") from None
    report = run(
        data,
        systems=[s.strip() for s in systems.split(",") if s.strip()],
        ks=cutoffs,
        out=out,
        limit=limit,
        database=database,
        log=lambda line: click.echo(line, err=True),
    )
    if c.as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo((out / "report.md").read_text())


@bench.command("stories")
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A remem-stories/1 JSON file (see ../shared/bench-data/STORIES.md).",
)
@click.option(
    "--system",
    "systems",
    multiple=True,
    help="A system to run (repeat it, or separate by commas): remem, remem-turns, mem0, remem-llm. "
    "Default: remem, remem-turns, mem0 when installed, remem-llm when an LLM is configured.",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench/results/stories"), show_default=True
)
@pass_ctx
def bench_stories(c: Context, data: Path, systems: tuple[str, ...], out: Path) -> None:
    """Whether memory stays true as facts change, repeat and are forgotten; writes report.json and report.md."""
    from remem.bench.stories import run
    from remem.bench.stories_report import summary

    names = [s.strip() for value in systems for s in value.split(",") if s.strip()]
    report = run(data, systems=names or None, out=out, log=lambda line: click.echo(line, err=True))
    if c.as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(summary(report))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True)
@click.option("--workers", default=1, show_default=True)
@click.option(
    "--admin-key", envvar="REMEM_ADMIN_KEY", help="Bootstrap admin token (else create one with `remem keys`)."
)
@pass_ctx
def serve(c: Context, host: str, port: int, workers: int, admin_key: str | None) -> None:
    """Serve the HTTP API (OpenAPI at /docs); every request needs an API key."""
    from remem.server import serve as run_server

    run_server(c.settings().database, host=host, port=port, workers=workers, admin_key=admin_key)


@main.command()
@click.option("--space", default="default", show_default=True, help="The space this server reads and writes.")
@pass_ctx
def mcp(c: Context, space: str) -> None:
    """Serve remem over MCP on stdio, for desktop assistants and coding agents."""
    from remem.mcp_server import run as run_mcp

    run_mcp(c.settings().database, space)


@main.group()
def keys() -> None:
    """API keys for `remem serve`: bound to spaces with read or write rights, stored hashed."""


def _key_store(c: Context) -> Any:
    from remem.server.auth import key_store_for

    settings = c.settings()
    Memory.open(settings=settings).close()  # make sure the store (and its file or schema) exists
    return key_store_for(settings.database)


@keys.command("create")
@click.option("--space", "spaces", multiple=True, help="SPACE or SPACE:read / SPACE:write (default write).")
@click.option("--admin", is_flag=True, help="May create, list and revoke keys.")
@click.option("--label", default="")
@pass_ctx
def keys_create(c: Context, spaces: tuple[str, ...], admin: bool, label: str) -> None:
    """Create a key; its token is shown once."""
    grants = dict((s.split(":", 1) + ["write"])[:2] for s in spaces)
    key, token = _key_store(c).create(grants, admin=admin, label=label)
    data = {"id": key.id, "token": token, "spaces": key.spaces, "admin": key.admin}
    c.emit(data, lambda: click.echo(f"key {key.id} for {key.spaces or 'admin'}\ntoken (shown once): {token}"))


@keys.command("list")
@pass_ctx
def keys_list(c: Context) -> None:
    """Every key with its spaces, rights and state (never its secret)."""
    items = [vars(k) for k in _key_store(c).list()]

    def human() -> None:
        for k in items:
            click.echo(f"{k['id']}  {k['spaces']}  admin={k['admin']}  revoked={k['revoked']}  {k['label']}")

    c.emit(items, human)


@keys.command("revoke")
@click.argument("key_id")
@pass_ctx
def keys_revoke(c: Context, key_id: str) -> None:
    key = _key_store(c).revoke(key_id)
    c.emit(vars(key), lambda: click.echo(f"revoked {key.id}"))


@main.command()
@click.option("--from", "source", required=True, help="sqlite:PATH (or a path) or a postgresql:// URL.")
@click.option("--to", "target", required=True, help="sqlite:PATH (or a path) or a postgresql:// URL.")
@click.option("--space", help="Copy only this space (default: every space).")
@pass_ctx
def migrate(c: Context, source: str, target: str, space: str | None) -> None:
    """Copy spaces between stores with full history and vectors, verified by counts and checksums."""
    from remem.migrate import copy_store, open_store

    src, dst = open_store(source), open_store(target)
    try:
        report = copy_store(src, dst, space)
    finally:
        src.close()
        dst.close()
    data = vars(report)
    c.emit(
        data,
        lambda: click.echo(
            f"copied {report.spaces}: {report.episodes} episodes, {report.memories} "
            f"memories, {report.versions} versions; verified sha256 {report.checksum[:16]}"
        ),
    )
