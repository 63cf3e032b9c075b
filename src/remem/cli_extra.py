"""CLI commands for the parts beyond the core: the demo, benchmarks, servers, migration."""

from __future__ import annotations

from pathlib import Path

import click

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
