"""The C word table (``toolkit._native``) is built, used, and gives exactly what the pure-Python
lexicon gives: the same segmentation scores and boundaries, the same lint findings and cleaned text."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from toolkit.lexicon import Lexicon, get_lexicon

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"
WMT = Path("/work/shared/data/wmt22-zh-en/src.zh")
sys.path.insert(0, str(ROOT / "bench"))

from simulate import simulate  # noqa: E402


def _pages() -> dict[str, str]:
    """The seed, the precision texts, simulated damaged pages of the bench articles (dev only)."""
    pages = {"seed.txt": SEED.read_text(encoding="utf-8")}
    for path in sorted((ROOT / "bench" / "precision" / "tune").glob("*.txt")):
        pages["precision-" + path.name] = path.read_text(encoding="utf-8")
    sources = sorted((ROOT / "bench" / "corpus").glob("*.txt")) + sorted(
        (ROOT / "bench" / "articles" / "dev").glob("*.md")
    )
    for index, path in enumerate(sources):
        page = simulate(path.read_text(encoding="utf-8"), index, extra_annotated=150)
        pages[f"simulated-{path.stem}.txt"] = page.text
    return pages


def _lines() -> list[str]:
    """Many short texts: lines of the pages, WMT22 sentences, random mixtures, edge cases."""
    lines = [line for text in _pages().values() for line in text.splitlines()]
    lines += WMT.read_text(encoding="utf-8").splitlines()[:1500]
    rng = random.Random(13)
    alphabet = [*"的问题一是了不在，。、；ab1 ?()", *map(chr, range(0x4E00, 0x4E40)), "𠀀", "\ufffd"]
    lines += ["".join(rng.choices(alphabet, k=rng.randrange(1, 40))) for _ in range(500)]
    return [*lines, "", "问", "问题", "逾期問也", "\ud800问题"]


def _run(*args: str, pure: bool, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PURE_PYTHON"}
    if pure:
        env["TOOLKIT_PURE_PYTHON"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_the_extension_is_built_and_used_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PURE_PYTHON"}
    code = (
        "import toolkit._native as n, toolkit.lexicon as l;"
        "print(l.NATIVE, type(l.get_lexicon()._table).__name__, n.__file__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    native, table, path = done.stdout.split()
    assert (native, table) == ("True", "WordTable")
    assert path.endswith("_native" + sysconfig.get_config_var("EXT_SUFFIX"))


def test_pure_python_is_forced_by_the_environment() -> None:
    code = (
        "import toolkit.lexicon as l; print(l.NATIVE, l.get_lexicon()._table)\n"
        "try:\n    l.Lexicon(l.get_lexicon()._blobs, native=True)\nexcept ImportError as e:\n    print(e)"
    )
    env = {**os.environ, "TOOLKIT_PURE_PYTHON": "1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.splitlines() == [
        "False None",
        "toolkit._native is not built (or TOOLKIT_PURE_PYTHON is set)",
    ]


def test_segment_and_extend_are_identical_in_c_and_python() -> None:
    blobs = get_lexicon()._blobs
    native, pure = Lexicon(blobs, native=True), Lexicon(blobs, native=False)
    assert native._table is not None and pure._table is None
    lines = _lines()
    assert len(lines) > 2500
    for line in lines:
        simple = pure.to_simplified(line)
        assert native.segment(simple) == pure.segment(simple), line
        ours, theirs = [0.0], [0.0]
        for end in range(1, len(simple) + 1):
            tail = simple[max(0, end - 4) : end]
            ours.append(native.extend(tail, tuple(ours[-4:])))
            theirs.append(pure.extend(tail, tuple(theirs[-4:])))
        assert ours == theirs, line
    assert len(native._word_logs) == len(pure._word_logs) > 50_000
    for word, log in pure._word_logs.items():
        assert native._word_logs.get(word) == log and word in native._word_logs
    assert native._word_logs.get("问也") is None and "问也" not in native._word_logs
    assert native.word_logp("问题") == pure.word_logp("问题")


def test_extend_takes_a_long_tail_and_a_list() -> None:
    blobs = get_lexicon()._blobs
    native, pure = Lexicon(blobs, native=True), Lexicon(blobs, native=False)
    for lexicon in (native, pure):
        lexicon.segment("关于这个问题")
    values = (0.0, -10.0, -20.0, -30.0, -40.0, -50.0)
    assert native.extend("关于这个问题", values) == pure.extend("关于这个问题", values)
    assert native.extend("问题", [0.0, -9.0]) == pure.extend("问题", [0.0, -9.0])


def test_a_bad_word_group_is_refused() -> None:
    from toolkit import _native

    table = _native.WordTable(10.0)
    table.add_group("问题\n题\t问题".encode(), bytes(16))
    assert len(table) == 2 and table.get("问题") == 0.0
    for words, logs in [("问题\n题", bytes(8)), ("问题", bytes(16)), ("一二三四五", bytes(8))]:
        with pytest.raises(ValueError):
            table.add_group(words.encode(), logs)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages")
    for name, text in _pages().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_lint_json_is_identical_without_the_extension(pages: Path) -> None:
    native = _run("lint", "--isolated", "--format", "json", ".", pure=False, cwd=pages)
    pure = _run("lint", "--isolated", "--format", "json", ".", pure=True, cwd=pages)
    assert native.returncode == pure.returncode == 1, native.stderr
    assert native.stdout == pure.stdout
    assert (
        len(json.loads(native.stdout)["findings"]) > 1000
    )  # findings of every page, so the comparison says something


@pytest.mark.parametrize("unsafe", [False, True], ids=["clean", "clean-unsafe"])
def test_clean_is_identical_without_the_extension(pages: Path, tmp_path: Path, unsafe: bool) -> None:
    cleaned = {}
    for pure in (False, True):
        folder = tmp_path / ("pure" if pure else "native")
        shutil.copytree(pages, folder)
        args = ["clean", "--isolated", "-w", *(["--unsafe"] if unsafe else []), "."]
        done = _run(*args, pure=pure, cwd=folder)
        assert done.returncode == 0, done.stderr
        cleaned[pure] = {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()}
    assert cleaned[False] == cleaned[True]
    changed = [name for name, text in cleaned[False].items() if text != (pages / name).read_text("utf-8")]
    assert len(changed) > 10


def test_the_gbk_search_is_identical_without_the_extension(pages: Path) -> None:
    code = (
        "import json, pathlib, sys\n"
        "from toolkit.repairs.gbk import find_straddles\n"
        "found = {p.name: [(r.start, r.end, r.replacement, r.candidates, r.decided, r.reason)\n"
        "          for r in find_straddles(p.read_text(encoding='utf-8'))]\n"
        "         for p in sorted(pathlib.Path(sys.argv[1]).iterdir())}\n"
        "print(json.dumps(found, ensure_ascii=False))\n"
    )
    outputs = []
    for pure in (False, True):
        env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PURE_PYTHON"}
        env.update({"TOOLKIT_PURE_PYTHON": "1"} if pure else {})
        done = subprocess.run(
            [sys.executable, "-c", code, str(pages)], capture_output=True, text=True, env=env, check=True
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert sum(len(runs) for runs in outputs[0].values()) > 100  # damaged runs read both ways


def test_the_gbk_kernels_leave_what_they_do_not_handle_to_python() -> None:
    from toolkit.repairs import gbk

    reader = gbk._Reader("嚴謹(jǐn)?shù)膽B(tài)度", 7, get_lexicon())
    grow, context, walk, walk_context = reader.kernel
    state = reader.root
    # a tail longer than a word's prefix: only the Python step handles it
    long_tail = state._replace(tail="一二三四", values=(0.0, -1.0, -2.0, -3.0, -4.0))
    assert walk(long_tail, "的", 0xB5, False, walk_context) is None
    stepped = reader._state(long_tail, "的", 0xB5)
    assert stepped.tail == "一二三四的" and stepped.decoded == "的"  # grown, never cut: it was not 4
    # a score that is not a number: the Python loop orders it
    broken = state._replace(prior=float("nan"))
    assert grow([broken], [("的",)], 0xB5, False, 12, context) is None
    (grown,) = reader._grow([broken], [("的",)], 0xB5, False)
    assert grown.decoded == "的" and grown.score != grown.score
    # what the kernels do handle, they compute as the Python code does
    assert walk(state, "的態", 0, True, walk_context) == _python_state(reader, state, "的態", 0, True)


def _python_state(reader, state, added: str, pending: int, dropped: bool):
    kernel, reader.kernel = reader.kernel, None
    try:
        return reader._state(state, added, pending, dropped)
    finally:
        reader.kernel = kernel
