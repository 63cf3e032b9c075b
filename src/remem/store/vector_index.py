"""Cosine search over one space's vectors held in memory: exact while small, a projected scan past that.

The vectors stay in the database; this is a cache that follows it (SQLiteStore._matrix). Up to
`exact_rows` vectors the index holds them whole and a query scans them all (a float32
matrix-vector product: 3 ms at 100k x 384 on this 2-core machine, where sqlite-vec's vec0 took
44 ms). That cannot reach a million: the scan reads 1.5 GB a query. So past `exact_rows` the
index holds each vector as its first `low_dims` (128) principal components, PCA of a sample around
its mean, in two arrays: a query scans the first `scan_dims` (64) of every row, held as one byte
each, completes the score of the `refine` (2,048) best with the other 64 (floats), and ranks the
`rescore` (256) best of those by their exact cosine, read from the database by the caller's
`fetch`. numpy has no integer or float16 product faster than its float32 one, so the byte scan is
ONNX Runtime's MatMulInteger (a dependency already, for the embedder): at 1M rows
`bench/perf.py --index-scale 1000000` went from 31-35 ms p50 (40-44 p95) with the float32 scan to
21-22 ms p50 (27 p95), and from 520 to 328 MB, at the same recall@10 (0.999). Scores are
always exact; only which rows reach the rescoring is approximate: bench/perf.py reports recall@10
against exact search beside its timings (variant `pca64` is 64 components without the completing step).

Why not an inverted file: on MiniLM vectors k-means lists are poorly separated (tried first: probing
a quarter of the lists missed more of the exact top 10 than this does). Why not an HNSW graph (usearch,
hnswlib, faiss): building one of a million vectors takes minutes on 2 cores each time a process
opens the space, it is a new dependency, and a graph saved beside the database would keep
forgotten vectors. Memory is 328 bytes a row past `exact_rows` (64 bytes, 64 floats and a rowid:
328 MB at 1M, against 1.5 GB whole);
rows live in blocks of BLOCK_ROWS, so an append never copies the matrix, and a removed row's slot is
zeroed, so a forgotten vector leaves memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from remem.store.blas_threads import one_thread

EXACT_ROWS = 20_000  # up to this many vectors the index holds them whole and scans them all
LOW_DIMS = 128  # past that, the principal components each vector is held as
SCAN_DIMS = 64  # the first components, which a query scans for every row
REFINE = 2_048  # rows whose score the other components complete
RESCORE = 256  # candidates a query ranks exactly (at least 2 for each result asked for)
TRAIN_ROWS = 20_000  # the sample the components are computed from
RETRAIN_GROWTH = 2.0  # components are computed again when the space has grown this much since
BLOCK_ROWS = 65_536
SELECTIVE = 16  # a filter that may keep at most one row in this many is searched by its rows alone
WEIGHT_MAX = 63  # a query's weights on the byte codes are integers of -WEIGHT_MAX..WEIGHT_MAX (see _query_code)
EXACT_CACHE_ROWS = 16_384  # whole vectors of rescored rows kept for the next query (24 MB at 384 dims)

T = TypeVar("T")
Fetch = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  # rowids -> (rowids found, their vectors)


@dataclass
class Allowed:
    """A search's filters, asked three ways: which of these rows pass, every row that passes, and
    a cheap upper bound on how many pass (None when there is none cheaper than asking `every`)."""

    among: Callable[[list[int]], set[int]]
    every: Callable[[], np.ndarray]
    at_most: Callable[[], int | None] = lambda: None


@dataclass
class _Block:
    """Up to BLOCK_ROWS rows: their rowids and their codes (whole vectors, or projections), in two
    arrays: `codes` is what every query scans, `tail` (empty while exact) the rest of each code."""

    codes: np.ndarray
    tail: np.ndarray
    rowids: np.ndarray
    count: int = 0

    def remove(self, rowids: np.ndarray) -> int:
        """Drop these rows, zeroing the slots they leave; how many went."""
        keep = ~np.isin(self.rowids[: self.count], rowids)
        kept = int(keep.sum())
        if kept == self.count:
            return 0
        gone = self.count - kept
        self.codes[:kept] = self.codes[: self.count][keep]
        self.tail[:kept] = self.tail[: self.count][keep]
        self.rowids[:kept] = self.rowids[: self.count][keep]
        self.codes[kept : self.count] = 0.0
        self.tail[kept : self.count] = 0.0
        self.count = kept
        return gone


@dataclass
class SpaceMatrix:
    """One space's vectors; `generation`, `log_seq` and `max_rowid` say how far it follows the file."""

    generation: int = -1
    log_seq: int = 0
    max_rowid: int = 0
    # Read from the module when made, so a test can make a small space take the projected path.
    exact_rows: int = field(default_factory=lambda: EXACT_ROWS)
    low_dims: int = field(default_factory=lambda: LOW_DIMS)
    rescore: int = field(default_factory=lambda: RESCORE)
    scan_dims: int = field(default_factory=lambda: SCAN_DIMS)
    refine: int = field(default_factory=lambda: REFINE)
    lock: threading.Lock = field(default_factory=threading.Lock)
    size: int = 0
    dim: int = 0
    mean: np.ndarray | None = None  # with `components`, the projection; None while exact
    components: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # Past exact search the scanned components are held as bytes: component d of a row is about
    # low[d] + step[d] * byte (see _quantized), so a scan reads a quarter of what float32 would.
    low: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    step: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    blocks: list[_Block] = field(default_factory=list)
    trained_size: int = 0
    # The whole vectors of rows rescored lately, by rowid: a reconciliation lookup rescores mostly
    # the same few thousand facts each time, and reading them from the file was a fifth of its cost.
    # Kept exactly as the file holds them: a row that changes or goes leaves it (remove, reset).
    exact: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def projected(self) -> bool:
        return self.mean is not None

    def reset(self, generation: int, log_seq: int, dim: int) -> None:
        """Empty, following the file at this generation and change-log position."""
        self.generation, self.log_seq, self.max_rowid = generation, log_seq, 0
        self.size, self.dim, self.trained_size, self.mean = 0, dim, 0, None
        self.blocks = []
        self.exact = {}

    def load(self, chunks: Iterable[tuple[np.ndarray, np.ndarray]], count: int, sample: np.ndarray) -> None:
        """Add a space's vectors chunk by chunk; past `exact_rows`, projected on components of `sample`."""
        if count > self.exact_rows and len(sample) > self.low_dims:
            self._train(sample, count)
        for rowids, vectors in chunks:
            self.add(rowids, vectors)

    def add(self, rowids: np.ndarray, vectors: np.ndarray) -> None:
        """Append rows (new rowids, or rows removed just before because their vector changed)."""
        if not len(rowids):
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        self.dim = vectors.shape[1]
        codes = self._code(vectors)
        lead = self.scan_dims if self.projected else self.dim
        scanned = self._quantized(codes[:, :lead]) if self.projected else codes
        done = 0
        while done < len(rowids):
            block = self._room(len(rowids) - done, scanned, codes.shape[1] - lead)
            n = min(len(block.rowids) - block.count, len(rowids) - done)
            block.codes[block.count : block.count + n] = scanned[done : done + n]
            block.tail[block.count : block.count + n] = codes[done : done + n, lead:]
            block.rowids[block.count : block.count + n] = rowids[done : done + n]
            block.count += n
            done += n
        self.size += len(rowids)
        self.max_rowid = max(self.max_rowid, int(rowids.max()))
        if not self.projected and self.size > self.exact_rows:
            self._project_in_place()
        elif self.projected and self.size > RETRAIN_GROWTH * self.trained_size:
            self.generation = -1  # the components no longer describe the space: the caller reloads it

    def _room(self, rows: int, like: np.ndarray, tail: int) -> _Block:
        """The block the next rows go to (codes shaped and typed `like` these): the last one, grown (to
        BLOCK_ROWS at most) if it is full."""
        width, kind = like.shape[1], like.dtype
        last = self.blocks[-1] if self.blocks else None
        if last is not None and last.count < len(last.rowids):
            return last
        if last is None or len(last.rowids) == BLOCK_ROWS:
            last = _Block(np.zeros((0, width), kind), np.zeros((0, tail), np.float32), np.zeros(0, np.int64))
            self.blocks.append(last)
        capacity = min(BLOCK_ROWS, max(2 * len(last.rowids), last.count + rows, 1_024))
        codes, tails = np.zeros((capacity, width), kind), np.zeros((capacity, tail), np.float32)
        codes[: last.count], tails[: last.count] = last.codes[: last.count], last.tail[: last.count]
        rowids = np.zeros(capacity, np.int64)
        rowids[: last.count] = last.rowids[: last.count]
        last.codes, last.tail, last.rowids = codes, tails, rowids
        return last

    def remove(self, rowids: np.ndarray) -> int:
        """Drop these rows wherever they are; how many were held."""
        for rowid in rowids.tolist():
            self.exact.pop(rowid, None)
        if not len(rowids) or not self.size:
            return 0
        gone = sum(block.remove(rowids) for block in self.blocks)
        self.size -= gone
        return gone

    def newest_held(self) -> int:
        """The largest rowid held, 0 when none."""
        return max((int(block.rowids[: block.count].max()) for block in self.blocks if block.count), default=0)

    def top(self, vector: np.ndarray, k: int, fetch: Fetch, allowed: Allowed | None = None) -> list[tuple[int, float]]:
        """The k most similar rows the filters keep, as (rowid, exact cosine), best first.

        `fetch` reads the vectors of the candidates to rescore. A filter that may keep only a few
        rows is asked for every row it keeps, and only those are scanned; any other is asked about
        the index's best candidates (see _filtered).
        """
        if self.size == 0 or k <= 0:
            return []
        with one_thread():  # see remem.store.blas_threads; and a score is the same on every machine
            return self._top(vector, k, fetch, allowed)

    def _top(self, vector: np.ndarray, k: int, fetch: Fetch, allowed: Allowed | None) -> list[tuple[int, float]]:
        vector = np.asarray(vector, dtype=np.float32)
        # One row as a vector, not a 1-row matrix: the same numbers, without waking BLAS threads for a
        # product this small (1.6 ms a lookup in a busy write path, against 0.01 ms).
        code = self._code(vector)
        want = max(self.rescore, 2 * k) if self.projected else k
        bound = allowed.at_most() if allowed is not None else None
        if allowed is None:
            candidates = self._best(code, min(2 * max(want, 32), self.size))
        elif bound is not None and bound * SELECTIVE < self.size:
            # So few rows can pass that the best candidates would hold too few of them (fewer than
            # want / 8 in the first 2 * want, on average): scan only the rows that pass, at once,
            # instead of scanning every row and asking the filters first (most of a fact lookup's
            # time in a space of turns).
            candidates = self._best(code, want, allowed.every())
        else:
            candidates = self._filtered(code, want, allowed)
        if not self.projected:
            return candidates[:k]
        found, vectors = self._whole(np.array([rowid for rowid, _ in candidates[:want]], dtype=np.int64), fetch)
        return _ranked(found, vectors @ vector, k)

    def _whole(self, rowids: np.ndarray, fetch: Fetch) -> tuple[np.ndarray, np.ndarray]:
        """The whole vectors of these rows (those still there, in the order asked): from `exact`, the rest fetched."""
        wanted = rowids.tolist()
        held = {rowid: self.exact[rowid] for rowid in wanted if rowid in self.exact}
        missing = [rowid for rowid in wanted if rowid not in held]
        if missing:
            found, vectors = fetch(np.array(missing, dtype=np.int64))
            fresh = dict(zip(found.tolist(), np.array(vectors, dtype=np.float32), strict=True))
            held.update(fresh)
            if len(self.exact) + len(fresh) > EXACT_CACHE_ROWS:
                self.exact = dict(held)  # cheaper than keeping an order; the next lookups fill it again
            else:
                self.exact.update(fresh)
        kept = [rowid for rowid in wanted if rowid in held]
        if not kept:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        return np.array(kept, dtype=np.int64), np.stack([held[rowid] for rowid in kept])

    def _filtered(self, code: np.ndarray, want: int, allowed: Allowed) -> list[tuple[int, float]]:
        """The best `want` rows the filters keep: the filters are asked about the index's best
        candidates, twice with more of them; when too few of those pass, for every row they keep."""
        for count in (2 * max(want, 32), 16 * max(want, 32)):
            ranked = self._best(code, min(count, self.size))
            # The filters are asked about the best `want` first, then about the next ones only as far as
            # it takes to replace those that failed (twice as many as failed, at least 32, each time).
            asked, passed = 0, set[int]()
            while asked < len(ranked) and len(passed) < want:
                more = max(2 * (want - len(passed)), 32) if asked else want
                passed |= allowed.among([rowid for rowid, _ in ranked[asked : asked + more]])
                asked += more
            candidates = [hit for hit in ranked[:asked] if hit[0] in passed]
            if len(candidates) >= want or count >= self.size:
                return candidates
            if len(candidates) * 8 < want:  # so few pass that eight times more would not be enough
                break
        return self._best(code, want, allowed.every())

    def _best(self, code: np.ndarray, k: int, only: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best rows by the index's own score (only these rowids, if given).

        Every row's score on the scanned part of the code; the REFINE best of those completed with
        the tail, so the projection's every component counts for the rows that may make the top.
        """
        held = [b for b in self.blocks if b.count]
        if not held:
            return []
        width = held[0].codes.shape[1]
        lead, offset, unit = self._query_code(code[:width])
        wanted = None
        if only is not None:
            wanted = np.zeros(self.max_rowid + 1, dtype=bool)
            wanted[only[(only >= 0) & (only <= self.max_rowid)]] = True
        rows = [np.flatnonzero(wanted[b.rowids[: b.count]]) if wanted is not None else None for b in held]
        scanned = [b.codes[: b.count] if r is None else b.codes[r] for b, r in zip(held, rows, strict=True)]
        if not self.projected:
            scores = np.concatenate(_shared([_scan(codes, lead) for codes in scanned]))
            rowids = np.concatenate(
                [b.rowids[: b.count] if r is None else b.rowids[r] for b, r in zip(held, rows, strict=True)]
            )
            return _ranked(rowids, scores, k)
        # Each block's `keep` best by the scanned part, picked by the thread that scanned it (so both
        # cores share the picking too); the `keep` best of those are every row's `keep` best.
        keep = max(self.refine, k)
        picks = _shared([_scan_best(codes, lead, keep) for codes in scanned])
        block = np.concatenate([np.full(len(at), j) for j, (at, _) in enumerate(picks)])
        at = np.concatenate([at for at, _ in picks])
        scores = np.concatenate([found for _, found in picks])
        if len(scores) > keep:
            best = np.argpartition(-scores, keep - 1)[:keep]
            block, at, scores = block[best], at[best], scores[best]
        # Integer products back to the components' scale, completed with the tail's components.
        refined = scores.astype(np.float32) * np.float32(unit) + np.float32(offset)
        rowids = np.zeros(len(at), dtype=np.int64)
        rest = code[width:]
        for j in np.unique(block):
            mine = block == j
            local = at[mine] if rows[j] is None else rows[j][at[mine]]
            refined[mine] += held[j].tail[local] @ rest
            rowids[mine] = held[j].rowids[local]
        return _ranked(rowids, refined, k)

    def _quantized(self, lead: np.ndarray) -> np.ndarray:
        """Scanned components as bytes: round((c - low) / step), clipped to 0..255."""
        codes: np.ndarray = np.clip(np.rint((lead - self.low) / self.step), 0, 255).astype(np.uint8)
        return codes

    def _query_code(self, lead: np.ndarray) -> tuple[np.ndarray, float, float]:
        """What a scan multiplies the codes by, and how its products map back to scores.

        Exact search: the query itself (offset 0, unit 0: the products are the scores). Byte codes:
        the query's weights on the bytes (q[d] * step[d]) as integers of -63..63 at a scale `unit`; a
        row's score on these components is then about offset + unit * (bytes . weights), offset being
        q . low. Seven bits, not eight: x86 without VNNI multiplies bytes in pairs summed into 16 bits,
        which saturate past 32,767 (2 x 255 x 127 would; 2 x 255 x 63 does not), so the products are
        exact, and the same on every machine.
        """
        if not self.projected:
            return lead, 0.0, 0.0
        weights = lead * self.step
        unit = float(np.abs(weights).max()) / WEIGHT_MAX or 1.0
        return np.rint(weights / unit).astype(np.int8), float(lead @ self.low), unit

    def _code(self, vectors: np.ndarray) -> np.ndarray:
        """The index's codes of these rows (or of one vector)."""
        if self.mean is None:
            return vectors
        codes: np.ndarray = (vectors - self.mean) @ self.components
        return codes.astype(np.float32, copy=False)

    def _train(self, sample: np.ndarray, size: int) -> None:
        sample = np.asarray(sample, dtype=np.float32)
        if len(sample) > TRAIN_ROWS:
            sample = sample[np.random.default_rng(0).choice(len(sample), TRAIN_ROWS, replace=False)]
        mean = sample.mean(axis=0, dtype=np.float64)
        centred = sample - mean.astype(np.float32)
        # The principal components: eigenvectors of the sample's covariance, largest eigenvalues first.
        _, vectors = np.linalg.eigh(centred.T.astype(np.float64) @ centred)
        self.mean = mean.astype(np.float32)
        self.components = np.ascontiguousarray(vectors[:, ::-1][:, : self.low_dims], dtype=np.float32)
        # Each scanned component's bytes span the sample's range, its rarest 0.01% at either end clipped.
        lead = self._code(sample)[:, : self.scan_dims]
        self.low, high = np.percentile(lead, [0.01, 99.99], axis=0).astype(np.float32)
        self.step = np.maximum((high - self.low) / 255, np.float32(1e-6)).astype(np.float32)
        self.trained_size = size

    def _project_in_place(self) -> None:
        """The space outgrew exact search: project the whole vectors it holds, a block at a time."""
        whole = [b for b in self.blocks if b.count]
        sample = np.concatenate([b.codes[: b.count] for b in whole])
        self._train(sample, self.size)
        del sample
        for block in self.blocks:
            codes = np.zeros((len(block.rowids), self.low_dims), np.float32)
            codes[: block.count] = self._code(block.codes[: block.count])
            block.codes = np.zeros((len(block.rowids), self.scan_dims), np.uint8)
            block.codes[: block.count] = self._quantized(codes[: block.count, : self.scan_dims])
            block.tail = np.ascontiguousarray(codes[:, self.scan_dims :])
            del codes


def _scan(codes: np.ndarray, lead: np.ndarray) -> Callable[[], np.ndarray]:
    return lambda: codes @ lead


def _scan_best(codes: np.ndarray, weights: np.ndarray, keep: int) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
    """A task: where the `keep` best of these byte codes are by product with the weights, and the products."""

    def task() -> tuple[np.ndarray, np.ndarray]:
        scores = _bytes_product(codes, weights)
        if len(scores) <= keep:
            return np.arange(len(scores)), scores
        at = np.argpartition(-scores, keep - 1)[:keep]
        return at, scores[at]

    return task


_products: object = None  # the ONNX Runtime session of _bytes_product, made at its first use


def _bytes_product(codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """codes (n x d bytes) times weights (d int8), exactly, as int32.

    numpy has no fast integer product (it loops in C, slower than its float32 BLAS); ONNX Runtime's
    MatMulInteger does it in int8 SIMD, on one thread: 15 ms for 1M x 64 bytes on this machine,
    against 25-31 ms for numpy's float32 product of the same rows. Exact while no two adjacent
    products sum past 32,767 (weights within WEIGHT_MAX).
    """
    global _products
    if _products is None:
        import onnxruntime as ort
        from onnx import TensorProto, helper

        node = helper.make_node("MatMulInteger", ["codes", "weights"], ["scores"])
        graph = helper.make_graph(
            [node],
            "scan",
            [
                helper.make_tensor_value_info("codes", TensorProto.UINT8, ["n", "d"]),
                helper.make_tensor_value_info("weights", TensorProto.INT8, ["d", 1]),
            ],
            [helper.make_tensor_value_info("scores", TensorProto.INT32, ["n", 1])],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        _products = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    out = _products.run(None, {"codes": np.ascontiguousarray(codes), "weights": weights.reshape(-1, 1)})  # type: ignore[attr-defined]
    return np.asarray(out[0]).reshape(-1)


#: The thread that takes a share of a scan's blocks. Each product runs on one BLAS thread (see top),
#: so a block's scores are the same whichever thread computes them.
_HELPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="remem-scan")


def _shared(tasks: list[Callable[[], T]]) -> list[T]:
    """Each task's result, in order, computed by this thread and a helper, each taking the next task
    not yet taken (numpy lets go of the GIL in a product): a scan of many blocks takes both cores,
    and where the helper is late (the machine busy) this thread does them all, as without it."""
    results: list[T | None] = [None] * len(tasks)
    undone = iter(range(len(tasks)))
    taking = threading.Lock()

    def work() -> None:
        while True:
            with taking:
                i = next(undone, None)
            if i is None:
                return
            results[i] = tasks[i]()

    helper = _HELPER.submit(work) if len(tasks) > 1 else None
    work()
    if helper is not None and not helper.cancel():
        helper.result()
    return [r for r in results if r is not None]


def exact_top(chunks: Iterable[tuple[np.ndarray, np.ndarray]], vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k most similar of all these (rowids, vectors) chunks by exact cosine: the index's reference."""
    best: list[tuple[int, float]] = []
    for rowids, vectors in chunks:
        best = sorted(best + _ranked(rowids, vectors @ vector, k), key=lambda hit: (-hit[1], hit[0]))[:k]
    return best


def _ranked(rowids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (rowid, score), best first; ties in rowid order, so both engines agree."""
    if not len(rowids):
        return []
    if k < len(scores):
        idx = np.argpartition(-scores, k - 1)[:k]
        idx = idx[np.lexsort((rowids[idx], -scores[idx]))]
    else:
        idx = np.lexsort((rowids, -scores))
    return list(zip(rowids[idx].tolist(), scores[idx].tolist(), strict=True))  # Python ints and floats


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blobs(blobs: list[bytes], dim: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)
