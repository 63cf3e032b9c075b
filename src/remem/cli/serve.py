"""Commands that serve a store to other programs: `serve` (HTTP) and `mcp` (stdio)."""

from __future__ import annotations

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
@pass_ctx
def mcp(c: Context, space: str) -> None:
    """Serve remem over MCP on stdio, for desktop assistants and coding agents."""
    from remem.mcp_server import run as run_mcp

    run_mcp(c.settings().database, space)
