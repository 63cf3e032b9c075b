"""Commands on a space's memories: add, search, ask, show, list, update, delete, history, forget."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from remem import validate
from remem.cli.app import Context, console, err_console, main, pass_ctx, space_option
from remem.cli.output import clip, file_name, print_records
from remem.portable import read_lines

# Messages per add call in a bulk add: about half a second of extraction on two cores, so the
# progress moves at least every second, while each batch is still one transaction and one job.
PROGRESS_BATCH = 50
SESSION_HELP = "Session (conversation) id the messages belong to."


@main.command()
@click.argument("text", required=False)
@space_option()
@click.option("--session", help=SESSION_HELP)
@click.option("--role", default="user", show_default=True, help="Who said TEXT: user, assistant, system or tool.")
@click.option("--name", help="The speaker's name.")
@click.option("--at", help="Event time (ISO-8601); default now.")
@click.option("--file", "file", type=click.File("rb"), help="JSON list of messages, or JSON lines ('-' for stdin).")
@click.option(
    "--document",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A long UTF-8 text file (up to 5 MiB) stored as passages of whole sentences, found with their neighbours.",
)
@click.option(
    "--idempotency-key",
    help="Run again with the same key (and input), nothing is stored twice: the first result comes back.",
)
@click.option("-v", "--verbose", is_flag=True, help="List every memory written, not only the summary line.")
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
    document: Path | None,
    idempotency_key: str | None,
    verbose: bool,
) -> None:
    """Remember TEXT (or the messages in --file); prints a one-line summary (--verbose: every memory)."""
    if document is not None:
        with c.memory() as mem:
            stored = mem.add_document(document, space=space, session=session, at=at)
        c.emit(
            stored.to_dict(),
            lambda: console.print(
                f"stored {escape(stored.name)} as {len(stored.passages)} passages ({stored.chars:,} characters) "
                f"in space {escape(space)}: document {stored.document_id}",
                soft_wrap=True,
            ),
        )
        return
    if file is not None:
        raw, name = file.read(), file_name(file)
        messages = validate.json_value(raw, name) if raw.lstrip().startswith(b"[") else read_lines(raw, name)
    elif text is not None:
        messages = [{"role": role, "content": text, **({"name": name} if name else {})}]
    else:
        raise click.UsageError("give TEXT or --file")
    started = time.perf_counter()
    with c.memory() as mem:
        size = min(mem.settings.max_batch, PROGRESS_BATCH)
        chunks = [messages[i : i + size] for i in range(0, len(messages), size)]
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
        _print_decisions(data, space, time.perf_counter() - started, verbose or len(messages) == 1)
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
@click.option("-k", "k", default=10, show_default=True, help="How many hits.")
@click.option("--session", help="Only memories from this session.")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (turn, fact, event, summary, ...); repeatable.")
@click.option("--tag", "tags", multiple=True, help="Only memories with this tag; repeatable.")
@click.option("--since", help="Only memories true (else recorded) at or after this time (ISO-8601, e.g. 2024-03-01).")
@click.option("--until", help="Only memories true (else recorded) before this time (ISO-8601).")
@click.option("--as-of", "as_of", help="Only memories valid at this moment (ISO-8601): what was true then.")
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "lexical", "dense"]),
    default="hybrid",
    show_default=True,
    help="BM25 and dense fused, or one of them alone.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the ids, one a line (for scripts).")
@click.option("--links", is_flag=True, help="Also return memories linked from the hits.")
@click.option(
    "--min-score",
    "min_score",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Leave out hits less relevant than this (a score is 0 to 1; 0.2 drops unrelated ones).",
)
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
    quiet: bool,
    min_score: float | None,
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
            min_score=min_score,
        )
    data = [h.to_dict() for h in hits]

    def human() -> None:
        if quiet:
            click.echo("\n".join(h.memory.id for h in hits))
            return
        rows = [
            (
                (
                    f"{i}.",
                    f"{h.score:.3f}",
                    h.memory.kind,
                    _day(h.memory.valid_from or h.memory.created_at),
                    h.memory.id,
                ),
                h.memory.text,
            )
            for i, h in enumerate(hits, 1)
        ]
        print_records(
            console, rows, title=f"{len(hits)} hit{'' if len(hits) == 1 else 's'} for {query!r} in space {space}"
        )

    c.emit(data, human)


@main.command()
@click.argument("question")
@space_option()
@click.option(
    "-k", "k", default=10, show_default=True, help="Hits to answer from when the space is too big to read whole."
)
@click.option("--as-of", "as_of", help="Answer as of this moment (ISO-8601): from what was true then.")
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
@click.option("--session", help="Only memories from this session.")
@click.option("--kind", "kinds", multiple=True, help="Only this kind (turn, fact, event, summary, ...); repeatable.")
@click.option("--all", "include_expired", is_flag=True, help="Include retired memories.")
@click.option("--limit", default=50, show_default=True, help="At most this many.")
@click.option("--offset", default=0, show_default=True, help="Skip this many first (the next page).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the ids, one a line (for scripts).")
@pass_ctx
def list_(
    c: Context,
    space: str,
    session: str | None,
    kinds: tuple[str, ...],
    include_expired: bool,
    limit: int,
    offset: int,
    quiet: bool,
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
    _emit_items(c, items, quiet=quiet)


@main.command()
@click.argument("memory_id")
@space_option()
@click.option("--text", help="The new text.")
@click.option("--kind", help="The new kind (fact, preference, event, ...).")
@click.option("--tag", "tags", multiple=True, help="The new tags (replace the old); repeatable.")
@click.option(
    "--valid-from",
    help="When it became true (ISO-8601); with --text and a later date, the old text stays true until then.",
)
@click.option("--valid-to", help="When it stopped being true (ISO-8601).")
@click.option("--reason", default="edited from the CLI", show_default=True, help="Why, kept in the history.")
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
@click.option("--reason", default="deleted from the CLI", show_default=True, help="Why, kept in the history.")
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
        rows = [
            (
                (
                    f"v{v.version}",
                    v.operation,
                    f"{_day(v.valid_from)} → {_day(v.valid_to)}",
                    v.actor,
                    v.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                ),
                f"{v.text}  ({v.reason})",
            )
            for v in versions
        ]
        print_records(console, rows, title=f"history of {memory_id}")

    c.emit([v.to_dict() for v in versions], human)


@main.command()
@space_option(required=True)
@click.option("--before", help="Purge what happened before this time.")
@click.option("--session", help="Purge this session.")
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


def _print_decisions(data: dict[str, Any], space: str, seconds: float, each: bool) -> None:
    if each:
        for d in data["decisions"]:
            console.print(f"{d['operation']:6} {d['memory_id']}  {escape(clip(d['text'], 33))}", highlight=False)
    counts = Counter(d["operation"] for d in data["decisions"])
    done = ", ".join(f"{n} {op}" for op, n in counts.most_common()) or "none"
    episodes = data["episodes"]
    console.print(
        f"stored {episodes} message{'s' if episodes != 1 else ''} in space {escape(space)} ({seconds:.1f} s): {done}",
        soft_wrap=True,
        highlight=False,
    )
    for e in data["errors"]:
        console.print(f"[yellow]extraction failed, episodes kept (see `remem status`):[/yellow] {e}", soft_wrap=True)


def _emit_items(c: Context, items: list[Any], quiet: bool = False) -> None:
    def human() -> None:
        if quiet:
            click.echo("\n".join(m.id for m in items))
            return
        rows = [((m.id, m.kind, f"{_day(m.valid_from)} → {_day(m.valid_to)}", f"v{m.version}"), m.text) for m in items]
        print_records(console, rows)

    c.emit([m.to_dict() for m in items], human)


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else "…"
