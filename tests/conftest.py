"""Shared fixtures: the sample seed, an isolated configuration, a CLI runner."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.config import load_config

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"


@pytest.fixture(scope="session", autouse=True)
def _models_stay_where_they_are():
    """Pin the models folder for the whole session: tests that move ``TOOLKIT_HOME`` (for a
    fresh translation memory) must still find the models installed by ``toolkit models fetch``."""

    from toolkit.models import models_dir

    patch = pytest.MonkeyPatch()
    patch.setenv("TOOLKIT_MODELS", str(models_dir()))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def config():
    return load_config(isolated=True)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def assert_translated_seed(markdown: str) -> None:
    """The sample seed's translation has its title, all six chapters and 14 subsections, in English."""
    lines = markdown.splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 3
    chapters = [line for line in lines if line.startswith("## ")]
    subsections = [line for line in lines if line.startswith("### ")]
    assert [line.split()[1] for line in chapters] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert len(subsections) == 14 and subsections[-1].startswith("### 5.3 ")
    letters = re.findall(r"[A-Za-z]", markdown)
    han = re.findall(r"[\u4e00-\u9fff]", markdown)
    assert len(letters) > 3000 and len(han) < 0.02 * len(letters)


def installed_small_model() -> Path:
    """The installed 0.5B model (``toolkit models fetch --size 0.5b``); the test is skipped without
    it, unless TOOLKIT_REQUIRE_MODEL=1 (CI), where a missing model is a failure."""
    from toolkit.errors import ModelMissingError
    from toolkit.models import find_llm

    try:
        return find_llm("0.5b")
    except ModelMissingError:
        if os.environ.get("TOOLKIT_REQUIRE_MODEL") == "1":
            raise
        pytest.skip("the 0.5B model is not installed (toolkit models fetch --size 0.5b)")


def write_jsonl_shards(folder: Path, documents: list[str], shards: int = 2, tail: str = "") -> None:
    """``part-N.jsonl`` files of ``documents`` (ids ``N-i``) in ``folder``, each ending in ``tail``."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(shards):
        lines = [
            json.dumps({"id": f"{number}-{i}", "text": t}, ensure_ascii=False)
            for i, t in enumerate(documents)
        ]
        (folder / f"part-{number}.jsonl").write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")
