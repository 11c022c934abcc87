"""Issue 14 end to end with the real 0.5B model on the sample seed: XLIFF out, a reviewer's edit
back into the Markdown and into the next run, the TMX export holding every sentence, the
malformed year as a QA finding on its sentence, and the review page with the translation beside
its source in headless Chromium. One model run (the rest is served by the translation memory)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("llama_cpp")

from toolkit.cli import main

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_0fbac94c356f0e3a.txt"
YEAR_SENTENCE = "支付寶成立于24年，是中國最大的第三方支付平臺之一。"  # safe repairs leave 于 and 24年
REVIEWED = "Alipay, founded in 2004, is one of the largest third-party payment platforms in China."

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Translate the seed once to XLIFF (memory on), in a private TOOLKIT_HOME."""
    from conftest import installed_small_model

    installed_small_model()
    folder = tmp_path_factory.mktemp("issue14")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TOOLKIT_HOME", str(folder / "home"))
        runner = CliRunner()
        xliff = folder / "seed.xlf"
        result = runner.invoke(
            main, ["translate", str(SEED), "--model", "0.5b", "-q", "--format", "xliff", "-o", str(xliff)]
        )
        assert result.exit_code in (0, 1), result.output
        yield runner, folder, xliff, result


def _segment(xliff: str, source: str) -> re.Match:
    pattern = (
        r'(<segment id="s\d+" state=")translated(">\s*<source>'
        + re.escape(source)
        + r"</source>\s*<target>)(.*?)(</target>)"
    )
    match = re.search(pattern, xliff, re.DOTALL)
    assert match, f"no segment for {source}"
    return match


def test_xliff_holds_every_sentence_and_the_year_finding(run):
    _runner, _folder, xliff, result = run
    text = xliff.read_text(encoding="utf-8")
    assert 'srcLang="zh" trgLang="en"' in text
    assert text.count("<segment ") > 40 and text.count("<target></target>") == 0
    match = _segment(text, YEAR_SENTENCE)
    unit = text[: match.start()].rsplit("<unit ", 1)[1]
    assert 'category="TQ7"' in unit and "ZH302 malformed-year `24年`" in unit
    assert "TQ7 doubtful-source" in result.stderr and "ZH302" in result.stderr
    assert result.exit_code == 1


def test_reviewers_edit_reaches_the_markdown_the_next_run_and_the_tmx(run):
    runner, folder, xliff, _ = run
    text = xliff.read_text(encoding="utf-8")
    match = _segment(text, YEAR_SENTENCE)
    reviewed = (
        text[: match.start()] + match.group(1) + "reviewed" + match.group(2) + REVIEWED + match.group(4)
    )
    reviewed += text[match.end() :]
    edited = folder / "seed.reviewed.xlf"
    edited.write_text(reviewed, encoding="utf-8")
    markdown = folder / "seed.reviewed.md"
    back = runner.invoke(main, ["translate", "--from-xliff", str(edited), "-o", str(markdown)])
    assert back.exit_code in (0, 1), back.output
    assert "1 reviewed sentence(s) stored" in back.stderr
    assert REVIEWED in markdown.read_text(encoding="utf-8")

    again = folder / "seed.again.json"
    second = runner.invoke(
        main, ["translate", str(SEED), "--model", "0.5b", "--format", "json", "-o", str(again)]
    )
    assert second.exit_code in (0, 1), second.output
    assert "(1 reviewed)" in second.stderr
    payload = json.loads(again.read_text(encoding="utf-8"))
    assert payload["translated_sentences"] == 0 and payload["reviewed_hits"] == 1
    sentences = [
        s for section in payload["sections"] for seg in [section["heading"], *section["paragraphs"]] if seg
        for s in seg["sentences"]
    ]  # fmt: skip
    assert {"source": YEAR_SENTENCE, "translation": REVIEWED} == {
        k: v for k, v in next(s for s in sentences if s["source"] == YEAR_SENTENCE).items() if k != "start"
    }
    year = [f for f in payload["findings"] if f["source"] == YEAR_SENTENCE]
    assert [f["code"] for f in year] == ["TQ7"] and year[0]["rule"] == "ZH302"  # the reviewed 2004 passes TQ6

    tmx = folder / "memory.tmx"
    exported = runner.invoke(main, ["memory", "export", "--format", "tmx", "-o", str(tmx)])
    assert exported.exit_code == 0, exported.output
    from toolkit.translate.tmx import read_tmx

    entries = read_tmx(tmx.read_bytes())
    held = {e.source for e in entries}
    assert {s["source"] for s in sentences} <= held
    assert any(e.reviewed and e.source == YEAR_SENTENCE and e.target == REVIEWED for e in entries)

    page = folder / "seed.review.html"
    review = runner.invoke(main, ["review", str(SEED), "--translation", str(again), "-o", str(page)])
    assert review.exit_code == 0, review.output
    from browser import LAYOUT, Browser

    browser = Browser()
    try:
        browser.open(page, 1400, 1000)
        assert browser.evaluate("document.querySelectorAll('#original [data-rule]').length") == 347
        report = browser.evaluate(LAYOUT)
        blocks = sum(1 for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())
        assert report["pairs"] == report["side_by_side"] == blocks and report["overlaps"] == []
        english = browser.evaluate(
            "[...document.querySelectorAll('.pair .en')].map(e => e.textContent).join(' ')"
        )
        assert REVIEWED in english
    finally:
        browser.close()
