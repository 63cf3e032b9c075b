"""Identifiers that sort by creation time and say what they name: mem_…, ep_…, job_…."""

from __future__ import annotations

import os
import time


def new_id(prefix: str) -> str:
    # 48 bits of milliseconds then 80 random bits, like a ULID, in lowercase hex.
    millis = time.time_ns() // 1_000_000
    return f"{prefix}_{millis:012x}{os.urandom(10).hex()}"
