"""The command line end to end: formats, exit codes, writing, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cli import main

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_0fbac94c356f0e3a.txt"
SAMPLE = "標題\n支付寶(bǎo)成立于24年,是最大的平臺(tái)之一。\n"


def test_lint_text_output_and_exit_code(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["lint", "--isolated", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:2:4: ZH101 [pinyin-annotation] flattened pinyin annotation (bǎo) after 寶 [*]"
    assert lines[1] == "    支付寶(bǎo)成立于24年,是最大的平臺(tái)之一。"
    assert lines[2] == "          ^^^^^"  # caret under "(bǎo)", by display width
    assert "Found 5 problem(s)" in result.stderr


def test_lint_clean_file_exits_zero(runner, tmp_path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("標題\n這是一段正常的文字，沒有任何問題。\n", encoding="utf-8")
    result = runner.invoke(main, ["lint", "--isolated", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_lint_json_schema(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["lint", "--isolated", "--format", "json", str(path)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1
    first = report["findings"][0]
    assert {
        k: first[k] for k in ("rule", "name", "severity", "line", "column", "end_line", "end_column")
    } == {
        "rule": "ZH101",
        "name": "pinyin-annotation",
        "severity": "error",
        "line": 2,
        "column": 4,
        "end_line": 2,
        "end_column": 9,
    }
    assert first["fix"] == {"applicability": "safe", "offset": 6, "length": 5, "replacement": ""}
    year = next(f for f in report["findings"] if f["rule"] == "ZH302")
    assert year["fix"]["applicability"] == "unsafe" and year["fix"]["replacement"] == "2004"
    assert report["summary"]["by_rule"] == {"ZH101": 2, "ZH201": 1, "ZH302": 1, "ZH401": 1}


def test_lint_sarif(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["lint", "--isolated", "-f", "sarif", str(path)])
    log = json.loads(result.stdout)
    run = log["runs"][0]
    assert log["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    first = run["results"][0]
    assert rule_ids[first["ruleIndex"]] == first["ruleId"] == "ZH101"
    assert first["locations"][0]["physicalLocation"]["region"]["startColumn"] == 4
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == ""


def test_lint_github_and_statistics(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["lint", "--isolated", "-f", "github", str(path)])
    assert result.stdout.splitlines()[0].startswith(
        f"::error file={path},line=2,col=4,endLine=2,endColumn=9,"
    )
    stats = runner.invoke(main, ["lint", "--isolated", "--statistics", str(path)])
    assert "     2  ZH101  pinyin-annotation" in stats.stdout


def test_lint_folder_glob_stdin_and_select(runner, tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b.md").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "c.bin").write_bytes(b"\x00\x01")
    result = runner.invoke(main, ["lint", "--isolated", "--select", "ZH101", "-f", "json", str(tmp_path)])
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {
        str(tmp_path / "b.md"),
        str(tmp_path / "sub" / "a.txt"),
    }
    result = runner.invoke(main, ["lint", "--isolated", "-f", "json", str(tmp_path / "**" / "*.txt")])
    assert len(json.loads(result.stdout)["findings"]) == 5
    result = runner.invoke(main, ["lint", "--isolated", "--select", "ZH201", "-"], input=SAMPLE)
    assert result.stdout.startswith("<stdin>:2:")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lint", "missing.txt"], "missing.txt: no such file or folder"),
        (["lint", "--select", "ZH999", "x.txt"], "unknown rule 'ZH999'"),
        (["lint", "--config", "nope.toml", "x.txt"], "nope.toml: configuration file not found"),
        (["lint", "image.png"], "image.png: not a text file (NUL bytes"),
        (["rules", "ZH999"], "unknown rule 'ZH999'"),
    ],
)
def test_errors_exit_2_with_message(runner, tmp_path, monkeypatch, args, message) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("好", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_clean_stdout_write_output_diff_check(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    expected = "標題\n支付寶成立于24年，是最大的平臺之一。\n"
    assert runner.invoke(main, ["clean", "--isolated", str(path)]).stdout == expected
    check = runner.invoke(main, ["clean", "--isolated", "--check", str(path)])
    assert check.exit_code == 1 and path.read_text(encoding="utf-8") == SAMPLE
    diff = runner.invoke(main, ["clean", "--isolated", "--diff", str(path)]).stdout
    assert "-支付寶(bǎo)成立于24年" in diff and "+支付寶成立于24年，" in diff
    out = tmp_path / "out.txt"
    assert runner.invoke(main, ["clean", "--isolated", "--unsafe", str(path), "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == expected.replace("于24年", "於2004年")
    assert runner.invoke(main, ["clean", "--isolated", "--write", str(path)]).exit_code == 0
    assert path.read_text(encoding="utf-8") == expected
    assert runner.invoke(main, ["clean", "--isolated", "--check", str(path)]).exit_code == 0


def test_clean_explain_lists_every_edit(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["clean", "--isolated", "--explain", str(path)])
    explained = result.stderr.splitlines()
    assert explained == [
        f"{path}:2:4: ZH101 '(bǎo)' -> ''  (flattened pinyin annotation (bǎo) after 寶)",
        f"{path}:2:15: ZH201 ',' -> '，'  (half-width ',' in Chinese text)",
        f"{path}:2:22: ZH101 '(tái)' -> ''  (flattened pinyin annotation (tái) after 臺)",
    ]


def test_clean_keeps_encoding_and_line_endings(runner, tmp_path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(SAMPLE.replace("\n", "\r\n").encode("gbk"))
    result = runner.invoke(main, ["clean", "--isolated", "--write", str(path)])
    assert result.exit_code == 0
    assert f"toolkit: note: {path}: read as gb18030, \\r\\n line endings" in result.stderr
    assert path.read_bytes() == "標題\r\n支付寶成立于24年，是最大的平臺之一。\r\n".encode("gb18030")


def test_written_files_get_normal_permissions(runner, tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    path.chmod(0o640)
    out = tmp_path / "new.txt"
    old_umask = os.umask(0o022)
    try:
        assert runner.invoke(main, ["clean", "--isolated", str(path), "-o", str(out)]).exit_code == 0
        assert runner.invoke(main, ["clean", "--isolated", "--write", str(path)]).exit_code == 0
    finally:
        os.umask(old_umask)
    assert out.stat().st_mode & 0o777 == 0o644  # a new file: 0o666 less the umask
    assert path.stat().st_mode & 0o777 == 0o640  # rewritten in place: its own permissions kept


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   "])
def test_empty_and_blank_files(runner, tmp_path, content) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    for args in (["lint"], ["lint", "--format", "json"], ["clean", "--unsafe", "--diff"], ["clean"]):
        result = runner.invoke(main, [*args, "--isolated", str(path)])
        assert result.exit_code == 0, result.output
        assert "internal error" not in result.output
    assert runner.invoke(main, ["clean", "--isolated", str(path)]).stdout == content.decode()


def test_clean_convert_script(runner) -> None:
    result = runner.invoke(main, ["clean", "--isolated", "--convert", "t2s", "-"], input="關於數據(jù)\n")
    assert result.stdout == "关于数据\n"


def test_clean_refuses_ambiguous_output(runner, tmp_path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(SAMPLE, encoding="utf-8")
    result = runner.invoke(main, ["clean", str(tmp_path)])
    assert result.exit_code == 2 and "several inputs" in result.stderr


def test_rules_list_and_explain(runner) -> None:
    listing = runner.invoke(main, ["rules"]).stdout
    assert "ZH101   pinyin-annotation" in listing
    explained = runner.invoke(main, ["rules", "halfwidth-punctuation"]).stdout
    assert explained.startswith("ZH201 halfwidth-punctuation") and "fix: safe" in explained
    data = json.loads(runner.invoke(main, ["rules", "--format", "json"]).stdout)
    assert {"id", "name", "severity", "fix", "rationale", "example"} <= set(data[0])


def test_installed_command_and_light_imports(tmp_path) -> None:
    toolkit = shutil.which("toolkit", path=str(Path(sys.executable).parent)) or pytest.fail(
        "toolkit is not installed"
    )
    completed = subprocess.run([toolkit, "lint", "--isolated", str(SEED)], capture_output=True, text=True)
    assert completed.returncode == 1 and "ZH101" in completed.stdout
    probe = (
        "import sys; from toolkit.cli import main\n"  # main, not the program: that ends with os._exit
        f"try:\n    main(['lint', '--isolated', '--exit-zero', {str(SEED)!r}])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'argostranslate', 'llama_cpp', 'ctranslate2', 'jieba') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "HEAVY []" in completed.stdout


@pytest.mark.parametrize(
    "module",
    ["toolkit.repairs.dropped", "toolkit.repairs.gbk", "toolkit.repairs.years", "toolkit.rules.dropped"],
)
def test_library_modules_import_on_their_own(module: str) -> None:
    """A Python user can import a repair first, without going through the CLI or the config."""
    completed = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_program_ends_quickly_with_the_whole_output_and_exit_code(runner, tmp_path) -> None:
    """`python -m toolkit lint` leaves with os._exit after flushing: nothing is lost on the way."""
    expected = runner.invoke(main, ["lint", "--isolated", "--format", "json", str(SEED)])
    completed = subprocess.run(
        [sys.executable, "-m", "toolkit", "lint", "--isolated", "--format", "json", str(SEED)],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == expected.exit_code == 1 and completed.stdout == expected.stdout
    assert json.loads(completed.stdout)["findings"]
    cleaned = tmp_path / "page.txt"
    cleaned.write_text("數(shù)據(jù),好", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "toolkit", "clean", "--isolated", "--write", str(cleaned)]
    )
    assert completed.returncode == 0 and cleaned.read_text(encoding="utf-8") == "數據，好"


def test_a_reader_that_leaves_early_gets_no_error() -> None:
    """`toolkit rules | head -1`: the pipe closes before toolkit writes; no traceback, no error line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "toolkit", "rules", "ZH102"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    process.stdout.close()  # the reader is gone before the first write
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 141 and stderr == b""
