"""Identifiers that sort by creation time and say what they name: mem_…, ep_…, job_…."""

from __future__ import annotations

import os
import time

#: The characters after an id's prefix: hex (ids made before December 2026) or the letters a-p (ids made since).
ID_CHARS = "[0-9a-p]"
# Hex digit by hex digit, a letter of a-p: the same order, so ids still sort by creation time (and
# after every hex id), and no id holds a digit. A forgotten PIN, phone number or amount then cannot
# turn up in the database file by chance inside an id (the bytes a forget scrubs are checked).
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def new_id(prefix: str) -> str:
    # 48 bits of milliseconds then 80 random bits, like a ULID: 32 letters of a-p.
    millis = time.time_ns() // 1_000_000
    return prefix + "_" + f"{millis:012x}{os.urandom(10).hex()}".translate(_LETTERS)
