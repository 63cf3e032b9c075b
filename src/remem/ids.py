"""Identifiers that sort by creation time and say what they name: mem_…, ep_…, job_…."""

from __future__ import annotations

import os
import threading
import time

#: The characters after an id's prefix: hex (ids made before December 2026) or the letters a-p (ids made since).
ID_CHARS = "[0-9a-p]"
# Hex digit by hex digit, a letter of a-p: the same order, so ids still sort by creation time (and
# after every hex id), and no id holds a digit. A forgotten PIN, phone number or amount then cannot
# turn up in the database file by chance inside an id (the bytes a forget scrubs are checked).
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


_lock = threading.Lock()
_last = (0, 0)  # the milliseconds and random part of the latest id made


def new_id(prefix: str) -> str:
    """48 bits of milliseconds then 80 random bits, like a ULID, as 32 letters of a-p. Within one
    millisecond the random part counts up (a monotonic ULID), so the ids one process makes sort in the
    order it made them: rows stored in the same millisecond keep their order by time, then id."""
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_random = _last
        if millis <= last_millis and last_random + 1 < 1 << 80:
            millis, random = last_millis, last_random + 1  # the same millisecond, or the clock went back
        else:
            random = int.from_bytes(os.urandom(10), "big")
        _last = (millis, random)
    return prefix + "_" + f"{millis:012x}{random:020x}".translate(_LETTERS)
