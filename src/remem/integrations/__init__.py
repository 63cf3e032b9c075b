"""Adapters that let agent frameworks use remem through their own interfaces (optional extras)."""
