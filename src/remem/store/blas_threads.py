"""numpy's BLAS on one thread while the vector index computes a search's products.

numpy hands its matrix products to OpenBLAS, which splits each one over every core and keeps its
workers spinning for a while after it. A search's products are small (a 64-component scan of 100k
rows is 26 MB): a second thread saves under a millisecond on a quiet machine, but its spinning takes
the core that the query's embedding and SQLite need. Measured with bench/perf.py's phase_search at
100k memories on 2 cores (load 4.6, interleaved): 58-61 ms of CPU a search with two BLAS threads,
30-31 ms with one; p50 80-85 ms against 29-39 ms.

The thread count is OpenBLAS's, for the whole process: it is lowered while any search is inside
`one_thread()` and put back when the last one leaves. Found by name in the loaded libraries (numpy's
wheels bundle OpenBLAS under a prefixed name); with any other BLAS this does nothing.

One thread also makes a product's numbers the same on every machine. Split over threads, OpenBLAS
groups a product's rows differently (with two threads, a few rows of a 36,317 x 64 product differ in
their last bit from one thread's), so the same search gave scores that differed in the last bit with
the number of cores.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_inside = 0  # searches inside one_thread() now
_before = 0  # the thread count to put back when the last one leaves
_api: tuple[Callable[[int], None], Callable[[], int]] | None = None  # OpenBLAS's set and get, once found
_looked = False
_NAMES = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", ""))


@contextmanager
def one_thread() -> Iterator[None]:
    """OpenBLAS on one thread inside the block (nested and concurrent blocks share it)."""
    global _inside, _before
    api = _openblas()
    if api is None:
        yield
        return
    set_threads, get_threads = api
    with _lock:
        if _inside == 0:
            _before = get_threads()
            if _before > 1:
                set_threads(1)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _before > 1:
                set_threads(_before)


def _openblas() -> tuple[Callable[[int], None], Callable[[], int]] | None:
    """OpenBLAS's set and get of its thread count, from the library numpy loaded; None without one."""
    global _api, _looked
    if not _looked:
        _api, _looked = _look_up(), True
    return _api


def _look_up() -> tuple[Callable[[int], None], Callable[[], int]] | None:
    import numpy  # noqa: F401  (loads numpy's BLAS, so it shows among the process's libraries)

    if not sys.platform.startswith("linux"):
        return None
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        # numpy's wheels: scipy_openblas_*64_ (numpy 2) or openblas_*64_; a system OpenBLAS: openblas_*.
        for prefix, suffix in _NAMES:
            set_threads = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            get_threads = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if set_threads is not None and get_threads is not None:
                set_threads.argtypes, set_threads.restype = [ctypes.c_int], None
                get_threads.argtypes, get_threads.restype = [], ctypes.c_int
                return set_threads, get_threads
    return None
