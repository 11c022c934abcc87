"""The real pre-commit, in a temporary git repository, with this repository's hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"
CLEANED_SEED = ROOT / "seeds" / "clean" / SEED.name


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_COLOR": "never", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def pre_commit() -> str:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    if not found:
        pytest.fail("pre-commit is not installed (pip install -e '.[dev]')")
    return found


def test_lint_hook_fails_on_raw_and_passes_on_cleaned(pre_commit: str, tmp_path: Path) -> None:
    repo = tmp_path / "articles"
    (repo / "seeds").mkdir(parents=True)
    shutil.copy(SEED, repo / "seeds" / "raw.txt")
    shutil.copy(CLEANED_SEED, repo / "seeds" / "cleaned.txt")
    assert _run(["git", "init", "-q"], repo).returncode == 0
    assert _run(["git", "add", "."], repo).returncode == 0
    # try-repo installs the hook exactly as another repository would get it.
    raw = _run([pre_commit, "try-repo", str(ROOT), "toolkit-lint", "--files", "seeds/raw.txt"], repo)
    assert raw.returncode == 1, raw.stdout + raw.stderr
    assert "ZH101 [pinyin-annotation]" in raw.stdout and "ZH201" in raw.stdout
    cleaned = _run([pre_commit, "try-repo", str(ROOT), "toolkit-lint", "--files", "seeds/cleaned.txt"], repo)
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert "Passed" in cleaned.stdout


def test_clean_hook_fixes_files(pre_commit: str, tmp_path: Path) -> None:
    repo = tmp_path / "articles"
    repo.mkdir()
    (repo / "a.txt").write_text("導(dǎo)語\n今天,我們出發。\n", encoding="utf-8")
    _run(["git", "init", "-q"], repo)
    _run(["git", "add", "."], repo)
    first = _run([pre_commit, "try-repo", str(ROOT), "toolkit-clean", "--files", "a.txt"], repo)
    assert first.returncode == 1  # files were modified
    assert (repo / "a.txt").read_text(encoding="utf-8") == "導語\n今天，我們出發。\n"
    second = _run([pre_commit, "try-repo", str(ROOT), "toolkit-clean", "--files", "a.txt"], repo)
    assert second.returncode == 0, second.stdout
