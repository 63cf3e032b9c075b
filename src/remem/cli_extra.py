"""CLI commands for the parts beyond the core: the demo, benchmarks, servers, migration."""

from __future__ import annotations

import json
from pathlib import Path

import click

from remem.bench.locomo import DEFAULT_SYSTEMS
from remem.cli import Context, main, pass_ctx


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
@pass_ctx
def bench_locomo(c: Context, data: Path, systems: str, ks: str, out: Path, limit: int | None) -> None:
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
        log=lambda line: click.echo(line, err=True),
    )
    if c.as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo((out / "report.md").read_text())
