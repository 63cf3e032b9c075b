"""Commands on whole stores and spaces: stats, export, import, migrate, and the API keys of `serve`."""

from __future__ import annotations

import json
from typing import Any

import click

from remem.cli.app import Context, console, err_console, main, pass_ctx, space_option
from remem.cli.output import file_name
from remem.memory import Memory
from remem.portable import read_lines


@main.command()
@space_option(default=None)
@pass_ctx
def stats(c: Context, space: str | None) -> None:
    """Counts, sizes and the embedder of the store."""
    with c.memory() as mem:
        data = mem.stats(space)

    def human() -> None:
        for key, value in data.items():
            console.print(f"[bold]{key}[/bold]: {value}")

    c.emit(data, human)


@main.command()
@space_option(required=True)
@click.option("--out", type=click.Path(dir_okay=False), help="File (JSON lines); default stdout.")
@pass_ctx
def export(c: Context, space: str, out: str | None) -> None:
    """Write a space as JSON lines: episodes, then memories with their history."""
    with c.memory() as mem:
        if out:
            n = mem.export_to(space, out)
            err_console.print(f"exported {n} records to {out}")
        else:
            for record in mem.export(space):
                click.echo(json.dumps(record, ensure_ascii=False))


@main.command("import")
@click.argument("file", type=click.File("rb"))
@space_option(default=None, help="Import into this space instead of the records' own.")
@pass_ctx
def import_(c: Context, file: Any, space: str | None) -> None:
    """Load JSON lines written by `remem export` (all or nothing)."""
    records = read_lines(file.read(), file_name(file))
    with c.memory() as mem:
        counts = mem.import_records(records, space=space)
    c.emit(counts, lambda: console.print(f"imported {counts['episodes']} episodes, {counts['memories']} memories"))


@main.command()
@click.option("--from", "source", required=True, help="sqlite:PATH (or a path) or a postgresql:// URL.")
@click.option("--to", "target", required=True, help="sqlite:PATH (or a path) or a postgresql:// URL.")
@space_option(default=None, help="Copy only this space (default: every space).")
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
@click.option("--label", default="", help="A note to tell keys apart (shown by `keys list`).")
@click.option("--expires", default=None, help="Stop working after a time: 30d, 12h, 90m, or an ISO-8601 date.")
@click.option(
    "-q", "--quiet", is_flag=True, help="Print only the token (for scripts: TOKEN=$(remem keys create ... -q))."
)
@pass_ctx
def keys_create(c: Context, spaces: tuple[str, ...], admin: bool, label: str, expires: str | None, quiet: bool) -> None:
    """Create a key; its token is shown once."""
    grants = dict((s.split(":", 1) + ["write"])[:2] for s in spaces)
    key, token = _key_store(c).create(grants, admin=admin, label=label, expires=expires)
    data = {"id": key.id, "token": token, "spaces": key.spaces, "admin": key.admin, "expires_at": key.expires_at}
    if quiet and not c.as_json:
        click.echo(token)
        return
    until = f", expires {key.expires_at}" if key.expires_at else ""
    c.emit(data, lambda: click.echo(f"key {key.id} for {key.spaces or 'admin'}{until}\ntoken (shown once): {token}"))


@keys.command("list")
@pass_ctx
def keys_list(c: Context) -> None:
    """Every key with its spaces, rights and state (never its secret)."""
    items = [vars(k) for k in _key_store(c).list()]

    def human() -> None:
        for k in items:
            until = f"  expires={k['expires_at']}" if k["expires_at"] else ""
            click.echo(f"{k['id']}  {k['spaces']}  admin={k['admin']}  revoked={k['revoked']}{until}  {k['label']}")

    c.emit(items, human)


@keys.command("revoke")
@click.argument("key_id")
@pass_ctx
def keys_revoke(c: Context, key_id: str) -> None:
    """Revoke key KEY_ID (the id `keys list` shows): refused from the next request on, in every worker."""
    key = _key_store(c).revoke(key_id)
    c.emit(vars(key), lambda: click.echo(f"revoked {key.id}"))
