"""The `remem` command: a thin projection of the Memory API, `--json` for scripts, tables for people.

app.py holds the group and what every command shares (Context, output, errors, --space, --json);
each module beside it adds the commands of one job: memories.py (add, search, ask, show, list,
update, delete, history, forget), queue.py (status, retry, process), admin.py (stats, export,
import, migrate, keys), serve.py (serve, mcp) and bench.py (demo, bench).
"""

from remem.cli import admin, bench, memories, queue, serve  # noqa: F401  (each adds its commands to main)
from remem.cli.app import main

__all__ = ["main"]
