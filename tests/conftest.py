"""Shared fixtures: the sample seed, an isolated configuration, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.config import load_config

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def config():
    return load_config(isolated=True)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
