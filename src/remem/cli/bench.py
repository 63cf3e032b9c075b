"""Commands that run remem on public conversations: `demo`, and `bench locomo` / `bench stories`.

The benchmark package (and what it pulls in) is imported inside each command, so that `remem add`
never pays for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from remem.cli.app import Context, main, pass_ctx


@main.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A LoCoMo-format file (default: the dev split beside the repo, else the bundled sample).",
)
@click.option("--questions", default=6, show_default=True, help="How many of the conversation's questions to ask.")
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
    help="Comma-separated systems to compare (default: those of remem.bench.locomo.DEFAULT_SYSTEMS: remem, "
    "its modes, the baselines and the peers).",
)
@click.option("--k", "ks", default="1,5,10,20", show_default=True, help="Comma-separated cut-offs.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench/results/locomo"),
    show_default=True,
    help="Folder for report.json, report.md and the plots.",
)
@click.option("--limit", type=int, help="Only the first N conversations.")
@click.option("--database", help="Run remem's systems on this postgresql:// URL (default: SQLite files).")
@pass_ctx
def bench_locomo(
    c: Context, data: Path, systems: str | None, ks: str, out: Path, limit: int | None, database: str | None
) -> None:
    """Turn/session recall, NDCG and MRR per system and category, with cost; writes JSON, markdown, PNG."""
    from remem.bench.locomo import DEFAULT_SYSTEMS, run

    try:
        cutoffs = [int(k) for k in ks.split(",")]
    except ValueError:
        raise click.BadParameter("k values must be integers, e.g. 1,5,10,20", param_hint="--k") from None
    report = run(
        data,
        systems=[s.strip() for s in systems.split(",") if s.strip()] if systems else DEFAULT_SYSTEMS,
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
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench/results/stories"),
    show_default=True,
    help="Folder for report.json and report.md.",
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
