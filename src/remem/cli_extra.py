"""CLI commands for the optional parts: bench, serve, keys, mcp, migrate, demo."""

from __future__ import annotations
