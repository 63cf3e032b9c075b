"""Commands on the extraction queue: status, retry, process."""

from __future__ import annotations

import click

from remem.cli.app import Context, console, main, pass_ctx, space_option


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
@click.option("--limit", default=10_000, show_default=True)
@pass_ctx
def process(c: Context, space: str | None, limit: int) -> None:
    """Run pending extraction jobs (and ones a crash left behind)."""
    with c.memory() as mem:
        data = mem.process_pending(space=space, limit=limit)
    c.emit(data, lambda: console.print(", ".join(f"{k}: {v}" for k, v in data.items())))
