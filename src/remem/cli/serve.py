"""Commands that serve a store to other programs: `serve` (HTTP) and `mcp` (stdio)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from remem.cli.app import Context, main, pass_ctx, space_option


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=8080, show_default=True, help="TCP port to listen on.")
@click.option("--workers", default=1, show_default=True, help="Worker processes (they share the store safely).")
@click.option(
    "--admin-key", envvar="REMEM_ADMIN_KEY", help="Bootstrap admin token (else create one with `remem keys`)."
)
@pass_ctx
def serve(c: Context, host: str, port: int, workers: int, admin_key: str | None) -> None:
    """Serve the HTTP API (OpenAPI at /docs); every request needs an API key."""
    from remem.server import serve as run_server

    run_server(c.settings().database, host=host, port=port, workers=workers, admin_key=admin_key)


@main.command()
@space_option(help="The space this server reads and writes.")
@click.option(
    "--print-config",
    is_flag=True,
    help="Print the JSON an MCP client needs to launch this server (absolute paths) and exit.",
)
@pass_ctx
def mcp(c: Context, space: str, print_config: bool) -> None:
    """Serve remem over MCP on stdio, for desktop assistants and coding agents."""
    if print_config:
        click.echo(json.dumps(mcp_config(c.settings().database, space), indent=2))
        return
    from remem.mcp_server import run as run_mcp

    run_mcp(c.settings().database, space)


def mcp_config(database: str, space: str) -> dict[str, object]:
    """The mcpServers entry that launches this very install: the remem beside this Python, or the module."""
    remem = Path(sys.executable).with_name("remem")
    db = database if "://" in database else str(Path(database).expanduser().resolve())
    if remem.exists():
        command, args = str(remem), ["--db", db, "mcp", "--space", space]
    else:
        command, args = sys.executable, ["-m", "remem.mcp_server", "--database", db, "--space", space]
    return {"mcpServers": {"remem": {"command": command, "args": args}}}
