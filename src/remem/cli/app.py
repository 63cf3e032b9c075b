"""The `remem` group and what every command shares: the Context, output, errors, and the common options."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from remem.errors import RememError
from remem.memory import Memory
from remem.settings import Settings

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Context:
    """Where the store is and how to answer: filled by `remem`'s own options and by `--json` on any command."""

    database: str | None = None
    config: str | None = None
    as_json: bool = False

    def settings(self) -> Settings:
        return Settings.load(self.config, database=self.database)

    @contextmanager
    def memory(self) -> Iterator[Memory]:
        with Memory.open(settings=self.settings()) as mem:
            if mem.resumed:
                jobs, turns = len(mem.resumed), sum(len(j.episode_ids) for j in mem.resumed)
                err_console.print(
                    f"[yellow]{jobs} extraction job{'s' if jobs > 1 else ''} ({turns} turn{'s' if turns > 1 else ''}) "
                    f"an interrupted run left {'were' if jobs > 1 else 'was'} queued again[/yellow]: their turns are "
                    "stored but not yet searchable; `remem process` finishes them now, and so does the next "
                    "`remem add` in the same space."
                )
            yield mem

    def emit(self, data: Any, human: Callable[[], None]) -> None:
        """`data` as JSON with --json; otherwise whatever `human` prints for a person."""
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            human()


pass_ctx = click.make_pass_decorator(Context)


# -- the options commands share, declared here once -----------------------------------------------
def space_option(
    *, default: str | None = "default", required: bool = False, help: str | None = None
) -> Callable[[F], F]:
    """`--space`: the one space a command works in (default "default"); with `default=None` a narrowing,
    every space when absent; with `required=True` no default, where the wrong space would cost data."""
    if help is None and default is None and not required:
        help = "Only this space (default: every space)."
    elif help is None:
        help = "The space (a user, an agent, a team) to work in." + (" Required: no default here." if required else "")
    return click.option(
        "--space",
        default=None if required else default,
        required=required,
        show_default=default is not None and not required,
        help=help,
    )


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # The group's callback has run by the time a subcommand's options are read, so the flag lands on the
    # same Context whether it is given before the subcommand (`remem --json add`) or after it.
    if value:
        ctx.ensure_object(Context).as_json = True


def json_option() -> click.Option:
    """`--json`, which every command and group takes (see RememGroup)."""
    return click.Option(
        ["--json"], is_flag=True, expose_value=False, callback=_set_json, help="Machine-readable output."
    )


class RememCommand(click.Command):
    """A command that takes `--json` after its name as well as before it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(json_option())


class RememGroup(click.Group):
    """Takes `--json` like every command; turns RememError into a one-line message and exit code 2."""

    command_class = RememCommand
    group_class = type  # subgroups (bench, keys) are RememGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(json_option())

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RememError as exc:
            _fail(f"{type(exc).__name__}: {exc}")
        except sqlite3.DatabaseError as exc:  # the file went bad under a running command
            _fail(f"Unavailable: the database cannot be read or written ({exc}); restore it from a backup")
        except ModuleNotFoundError as exc:
            extra = _EXTRAS.get((exc.name or "").split(".")[0])
            if extra is None:
                raise
            _fail(f"this command needs the '{extra}' extra ({exc.name} is not installed): {_install(extra)}")


# The optional packages a command may import, and the extra (pyproject.toml) that brings each.
_EXTRAS = {
    "fastapi": "server", "uvicorn": "server", "starlette": "server", "mcp": "server", "fastapi_offline": "server",
    "psycopg": "postgres", "psycopg_pool": "postgres", "pgvector": "postgres",
    "bm25s": "bench", "Stemmer": "bench", "matplotlib": "bench", "chromadb": "bench", "mem0": "bench",
    "llama_cpp": "local",
}  # fmt: skip


def _install(extra: str) -> str:
    """The install line for this checkout's venv when remem runs from one, else for pip."""
    venv_pip = Path(sys.executable).with_name("pip")
    checkout = Path(__file__).resolve().parents[3]
    if venv_pip.exists() and (checkout / "pyproject.toml").exists():
        return f"{venv_pip} install -e '{checkout}[{extra}]'"
    return f"pip install 'remem[{extra}]'"


def _fail(message: str) -> NoReturn:
    # One line whatever the terminal's width, and the message is text, never rich markup.
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    sys.exit(2)


@click.group(cls=RememGroup)
@click.option("--db", "--database", "database", envvar="REMEM_DATABASE", help="SQLite path or postgresql:// URL.")
@click.option("--config", type=click.Path(dir_okay=False), help="TOML settings file.")
@click.version_option(package_name="remem")
@click.pass_context
def main(ctx: click.Context, database: str | None, config: str | None) -> None:
    """remem: long-term memory for LLM agents, in one SQLite file or PostgreSQL."""
    c = ctx.ensure_object(Context)
    c.database, c.config = database, config
