"""Commands on the extraction queue: status, retry, process."""

from __future__ import annotations

import time

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from remem.cli.app import Context, console, err_console, main, pass_ctx, space_option


@main.command()
@space_option(default=None)
@pass_ctx
def status(c: Context, space: str | None) -> None:
    """The extraction queue (pending, running, done and failed jobs) and scrubs owed after a forget."""
    with c.memory() as mem:
        data = mem.status(space)

    def human() -> None:
        console.print(" ".join(f"{k}: {data[k]}" for k in ("pending", "running", "done", "failed")))
        for job in data["failed_jobs"]:
            console.print(
                f"  [red]failed[/red] {job['id']} ({job['space']}, {job['attempts']} attempts): {job['error']}"
            )
        if data["failed"]:
            console.print("run `remem retry` to queue failed jobs again, then `remem process`")
        if data["pending_scrubs"]:
            waits = ", ".join(f"{s['space']} ({s['attempts']} attempts)" for s in data["scrubs"])
            console.print(
                f"[yellow]{data['pending_scrubs']} scrub(s) after a forget not finished[/yellow]: {waits}; another "
                "connection was reading, so the file still holds the forgotten words. The next write or open "
                "finishes it once the readers are gone."
            )

    c.emit(data, human)


@main.command()
@space_option(default=None)
@pass_ctx
def retry(c: Context, space: str | None) -> None:
    """Queue failed extraction jobs again and run them."""
    with c.memory() as mem:
        requeued = mem.retry(space=space)
        outcome = mem.process_pending(space=space, limit=10_000)
    data = {"requeued": requeued, **outcome}
    c.emit(data, lambda: console.print(", ".join(f"{k}: {v}" for k, v in data.items())))


@main.command()
@space_option(default=None)
@click.option("--limit", default=10_000, show_default=True, help="Run at most this many jobs.")
@pass_ctx
def process(c: Context, space: str | None, limit: int) -> None:
    """Run pending extraction jobs (and ones a crash left behind), saying how far it has got."""
    started = time.perf_counter()
    with c.memory() as mem:
        pending = mem.store.list_jobs(space, ["pending"])[:limit]
        turns = sum(len(job.episode_ids) for job in pending)
        if not c.as_json:
            err_console.print(
                f"processing {len(pending)} pending job{'s' if len(pending) != 1 else ''} ({turns} turns)"
                + (f" in space {escape(space)}" if space else ""),
                soft_wrap=True,
            )
        data = {"done": 0, "failed": 0, "pending": 0}
        with Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=c.as_json,
            transient=True,
        ) as progress:
            task = progress.add_task("extracting", total=len(pending))
            while data["done"] + data["failed"] < limit:
                # One job a call, so the bar moves per job (a job is one add's batch of turns).
                step = mem.process_pending(space=space, limit=1)
                if not step["done"] and not step["failed"]:
                    break
                data = {**step, "done": data["done"] + step["done"], "failed": data["failed"] + step["failed"]}
                progress.advance(task, step["done"] + step["failed"])
        data["pending"] = len(mem.store.list_jobs(space, ["pending"]))
    seconds = time.perf_counter() - started
    c.emit(
        data,
        lambda: console.print(
            f"{data['done']} done, {data['failed']} failed, {data['pending']} pending in {seconds:.1f} s"
            + ("; `remem status` says why, `remem retry` runs them again" if data["failed"] else "")
        ),
    )
