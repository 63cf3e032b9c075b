"""Commands on a space's memories: add, search, ask, show, list, update, delete, history, forget."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from remem.cli.app import Context, console, err_console, main, pass_ctx, space_option


@main.command()
@click.argument("text", required=False)
@space_option()
@click.option("--session")
@click.option("--role", default="user", show_default=True)
@click.option("--name", help="The speaker's name.")
@click.option("--at", help="Event time (ISO-8601); default now.")
@click.option("--file", "file", type=click.File("r"), help="JSON list of messages, or JSON lines ('-' for stdin).")
@click.option(
    "--idempotency-key",
    help="Run again with the same key (and input), nothing is stored twice: the first result comes back.",
)
@pass_ctx
def add(
    c: Context,
    text: str | None,
    space: str,
    session: str | None,
    role: str,
    name: str | None,
    at: str | None,
    file: Any,
    idempotency_key: str | None,
) -> None:
    """Remember TEXT (or the messages in --file)."""
    if file is not None:
        raw = file.read()
        try:
            messages = (
                json.loads(raw)
                if raw.lstrip().startswith("[")
                else [json.loads(line) for line in raw.split("\n") if line.strip()]  # U+2028 may sit in a string
            )
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON or JSON lines: {exc}", param_hint="--file") from None
    elif text is not None:
        messages = [{"role": role, "content": text, **({"name": name} if name else {})}]
    else:
        raise click.UsageError("give TEXT or --file")
    with c.memory() as mem:
        chunks = [messages[i : i + mem.settings.max_batch] for i in range(0, len(messages), mem.settings.max_batch)]
        results = []
        with _progress(len(messages), "adding", disable=c.as_json or len(messages) < 50) as step:
            for number, chunk in enumerate(chunks):
                # One key per batch of a long file, derived from the one given, so each batch is kept once.
                key = idempotency_key if idempotency_key is None or number == 0 else f"{idempotency_key}.{number}"
                results.append(mem.add(chunk, space=space, session=session, at=at, idempotency_key=key))
                step(len(chunk))
        if mem.settings.process != "queue" and mem.store.list_jobs(space, ["pending"]):
            # what an interrupted run left in this space (queued again on open) is finished with this add
            mem.process_pending(space=space)
        waiting = mem.status(space)
    decisions = [d.to_dict() for r in results for d in r.decisions]
    data = {
        "episodes": sum(len(r.episodes) for r in results),
        "decisions": decisions,
        "status": [r.status for r in results],
        "errors": [r.error for r in results if r.error],
    }

    def human() -> None:
        _print_decisions(data)
        if waiting["failed"] or waiting["pending"]:
            err_console.print(
                f"note: {waiting['failed']} failed and {waiting['pending']} pending extraction job(s) in space "
                f"{escape(space)} wait; `remem retry --space {escape(space)}` runs them (the turns are stored)",
                soft_wrap=True,
            )

    c.emit(data, human)


@main.command()
@click.argument("query")
@space_option()
@click.option("-k", "k", default=10, show_default=True)
@click.option("--session")
@click.option("--kind", "kinds", multiple=True)
@click.option("--tag", "tags", multiple=True)
@click.option("--since")
@click.option("--until")
@click.option("--as-of", "as_of", help="Only memories valid at this moment.")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True)
@click.option("--links", is_flag=True, help="Also return memories linked from the hits.")
@pass_ctx
def search(
    c: Context,
    query: str,
    space: str,
    k: int,
    session: str | None,
    kinds: tuple[str, ...],
    tags: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_of: str | None,
    mode: str,
    links: bool,
) -> None:
    """Hybrid (BM25 + dense) search in one space."""
    with c.memory() as mem:
        hits = mem.search(
            query,
            space=space,
            k=k,
            session=session,
            kinds=kinds or None,
            tags=tags or None,
            since=since,
            until=until,
            as_of=as_of,
            mode=mode,  # type: ignore[arg-type]  # click.Choice guarantees one of the modes
            expand_links=links,
        )
    data = [h.to_dict() for h in hits]

    def human() -> None:
        table = Table(title=f"{len(hits)} hits for {query!r} in {space}")
        for col in ("#", "score", "kind", "memory", "when", "id"):
            table.add_column(col, overflow="fold")
        for i, h in enumerate(hits, 1):
            when = (h.memory.valid_from or h.memory.created_at).strftime("%Y-%m-%d")
            table.add_row(str(i), f"{h.score:.4f}", h.memory.kind, h.memory.text, when, h.memory.id)
        console.print(table)

    c.emit(data, human)


@main.command()
@click.argument("question")
@space_option()
@click.option("-k", "k", default=10, show_default=True)
@click.option("--as-of", "as_of")
@pass_ctx
def ask(c: Context, question: str, space: str, k: int, as_of: str | None) -> None:
    """Answer QUESTION from memory, with the ids of the memories cited."""
    with c.memory() as mem:
        result = mem.ask(question, space=space, k=k, as_of=as_of)
    c.emit(
        result.to_dict(),
        lambda: console.print(
            f"{result.answer}\n[dim]cites: {', '.join(result.citations) or '-'} ({result.mode})[/dim]"
        ),
    )


@main.command()
@click.argument("memory_id")
@space_option()
@pass_ctx
def show(c: Context, memory_id: str, space: str) -> None:
    """One memory with its source episodes."""
    with c.memory() as mem:
        item, episodes = mem.get(memory_id, space=space, with_episodes=True)
    data = {**item.to_dict(), "episodes": [e.to_dict() for e in episodes]}

    def human() -> None:
        for key in ("id", "kind", "text", "valid_from", "valid_to", "version", "tags", "keywords", "links"):
            console.print(f"[bold]{key}[/bold]: {data[key]}")
        for e in episodes:
            console.print(f"  [dim]{e.event_time:%Y-%m-%d %H:%M} {e.name or e.role}:[/dim] {e.content}")

    c.emit(data, human)


@main.command("list")
@space_option()
@click.option("--session")
@click.option("--kind", "kinds", multiple=True)
@click.option("--all", "include_expired", is_flag=True, help="Include retired memories.")
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@pass_ctx
def list_(
    c: Context, space: str, session: str | None, kinds: tuple[str, ...], include_expired: bool, limit: int, offset: int
) -> None:
    """Memories of a space, newest first."""
    with c.memory() as mem:
        items = mem.list(
            space=space,
            session=session,
            kinds=kinds or None,
            include_expired=include_expired,
            limit=limit,
            offset=offset,
        )
    _emit_items(c, items)


@main.command()
@click.argument("memory_id")
@space_option()
@click.option("--text")
@click.option("--kind")
@click.option("--tag", "tags", multiple=True)
@click.option("--valid-from")
@click.option("--valid-to")
@click.option("--reason", default="edited from the CLI", show_default=True)
@pass_ctx
def update(
    c: Context,
    memory_id: str,
    space: str,
    text: str | None,
    kind: str | None,
    tags: tuple[str, ...],
    valid_from: str | None,
    valid_to: str | None,
    reason: str,
) -> None:
    """Change a memory; the previous state stays in its history."""
    with c.memory() as mem:
        item = mem.update(
            memory_id,
            space=space,
            text=text,
            kind=kind,
            tags=list(tags) or None,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason,
            actor="cli",
        )
    _emit_items(c, [item])


@main.command()
@click.argument("memory_id")
@space_option()
@click.option("--reason", default="deleted from the CLI", show_default=True)
@pass_ctx
def delete(c: Context, memory_id: str, space: str, reason: str) -> None:
    """Retire a memory (valid until now, kept in history). Use `forget` to purge."""
    with c.memory() as mem:
        item = mem.delete(memory_id, space=space, reason=reason, actor="cli")
    _emit_items(c, [item])


@main.command()
@click.argument("memory_id")
@space_option()
@pass_ctx
def history(c: Context, memory_id: str, space: str) -> None:
    """Every version of a memory, oldest first."""
    with c.memory() as mem:
        versions = mem.history(memory_id, space=space)

    def human() -> None:
        table = Table(title=f"history of {memory_id}")
        for col in ("v", "operation", "text", "valid", "reason", "actor", "recorded"):
            table.add_column(col, overflow="fold")
        for v in versions:
            valid = f"{_day(v.valid_from)} → {_day(v.valid_to)}"
            table.add_row(
                str(v.version),
                v.operation,
                v.text,
                valid,
                v.reason,
                v.actor,
                v.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
        console.print(table)

    c.emit([v.to_dict() for v in versions], human)


@main.command()
@space_option(required=True)
@click.option("--before", help="Purge what happened before this time.")
@click.option("--session")
@click.option("--id", "ids", multiple=True, help="Purge these memories.")
@click.option("--everything", is_flag=True, help="Purge the whole space.")
@click.option("--with-sources", is_flag=True, help="With --id: also the turns they came from, and all derived.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def forget(
    c: Context,
    space: str,
    before: str | None,
    session: str | None,
    ids: tuple[str, ...],
    everything: bool,
    with_sources: bool,
    yes: bool,
) -> None:
    """Purge for real: rows, versions, vectors, index entries and episodes in scope."""
    if not yes and not c.as_json:
        click.confirm(f"Permanently purge from space {space!r}?", abort=True)
    with c.memory() as mem:
        report = mem.forget(
            space=space,
            before=before,
            session=session,
            ids=list(ids) or None,
            everything=everything,
            with_sources=with_sources,
        )
    data = {"memories": report.memories, "episodes": report.episodes, "versions": report.versions}
    c.emit(
        data,
        lambda: console.print(
            f"purged {report.memories} memories, {report.episodes} episodes, {report.versions} versions"
        ),
    )


# -- helpers -------------------------------------------------------------------------------------
@contextmanager
def _progress(total: int, label: str, disable: bool) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=disable,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def _print_decisions(data: dict[str, Any]) -> None:
    console.print(f"stored {data['episodes']} episodes")
    for d in data["decisions"]:
        console.print(f"  {d['operation']:6} {d['memory_id']}  {d['text'][:80]}")
    for e in data["errors"]:
        console.print(f"[yellow]extraction failed, episodes kept (see `remem status`):[/yellow] {e}")


def _emit_items(c: Context, items: list[Any]) -> None:
    def human() -> None:
        table = Table()
        for col in ("id", "kind", "text", "valid", "v"):
            table.add_column(col, overflow="fold")
        for m in items:
            table.add_row(m.id, m.kind, m.text, f"{_day(m.valid_from)} → {_day(m.valid_to)}", str(m.version))
        console.print(table)

    c.emit([m.to_dict() for m in items], human)


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else "…"
