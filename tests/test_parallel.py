"""``--jobs`` for ``toolkit lint DIR`` and ``clean DIR``: same output as one job, in input order."""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir(parents=True)
    for source in sorted((ROOT / "bench" / "corpus").glob("*.txt"))[:3]:
        shutil.copy(source, folder / source.name)
    shutil.copy(ROOT / "seeds" / "000_0fbac94c356f0e3a.txt", folder / "seed.txt")
    (folder / "damaged.txt").write_text("數(shù)據(jù),好\n", encoding="utf-8")
    return folder


def test_lint_jobs_gives_the_same_report(tmp_path, runner) -> None:
    folder = _folder(tmp_path)
    one = runner.invoke(main, ["lint", "--isolated", "--format", "json", "--jobs", "1", str(folder)])
    two = runner.invoke(main, ["lint", "--isolated", "--format", "json", "--jobs", "2", str(folder)])
    assert (one.exit_code, two.exit_code) == (1, 1)
    assert one.stdout == two.stdout and '"path": "' + str(folder / "damaged.txt") in two.stdout


def test_clean_write_jobs_gives_the_same_files(tmp_path, runner) -> None:
    first, second = _folder(tmp_path / "a"), _folder(tmp_path / "b")
    for folder, jobs in ((first, "1"), (second, "2")):
        result = runner.invoke(main, ["clean", "--isolated", "--write", "--jobs", jobs, str(folder)])
        assert result.exit_code == 0 and "5 file(s) changed" in result.stderr
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes()
    assert (second / "damaged.txt").read_text(encoding="utf-8") == "數據，好\n"


def test_jobs_must_be_positive(tmp_path, runner) -> None:
    result = runner.invoke(main, ["lint", "--jobs", "0", str(_folder(tmp_path))])
    assert result.exit_code == 2 and "--jobs" in result.output
