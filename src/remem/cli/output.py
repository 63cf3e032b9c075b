"""How the CLI lays out what people read: records whose 36-character ids stay whole, text cut at words.

A table with the text in a column leaves that column a few characters at 80 columns once an id takes
36; so each record is one line of short fields (the id whole, never cut) with its text beneath.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape


def clip(text: str, width: int) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis when longer than `width`."""
    return textwrap.shorten(" ".join(text.split()), width=max(width, 10), placeholder=" …")


def print_records(console: Console, rows: Sequence[tuple[Sequence[str], str]], *, title: str | None = None) -> None:
    """Each row: its fields on one line, in aligned columns, then its text wrapped beneath, indented."""
    if title:
        console.print(f"[bold]{escape(title)}[/bold]", soft_wrap=True)
    if not rows:
        console.print("[dim](none)[/dim]")
        return
    widths = [max(len(fields[i]) for fields, _ in rows) for i in range(len(rows[0][0]))]
    width = max(console.width, 40)
    for fields, text in rows:
        head = "  ".join(field.ljust(w) for field, w in zip(fields, widths, strict=True)).rstrip()
        console.print(escape(head), soft_wrap=True, highlight=False)
        body = textwrap.fill(" ".join(text.split()), width=width - 1, initial_indent="    ", subsequent_indent="    ")
        console.print(escape(body), soft_wrap=True, highlight=False)


def file_name(file: Any) -> str:
    """How an error names a file click opened: its path, or "standard input" for '-'."""
    name = getattr(file, "name", None)
    return name if isinstance(name, str) and not name.startswith("<") else "standard input"
