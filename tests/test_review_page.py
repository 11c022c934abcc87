"""The review page: built through the CLI for the sample seed, rendered in headless Chromium,
counted in the rendered DOM, measured at phone and desktop widths, screenshotted."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from browser import LAYOUT, Browser

from toolkit.cli import main
from toolkit.engine import clean_text, lint_text
from toolkit.findings import Finding
from toolkit.report.html import highlight, render_review
from toolkit.translate.document import translate_text

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_0fbac94c356f0e3a.txt"
COUNT_BY_RULE = """JSON.stringify(Object.fromEntries([...new Set([...document.querySelectorAll('%s [data-rule]')]
  .map(e => e.dataset.rule))].map(r => [r, document.querySelectorAll('%s [data-rule="' + r + '"]').length])))"""

GLYPHS_DIFFER = """(() => { const canvas = document.createElement('canvas'), g = canvas.getContext('2d');
  g.font = '32px ' + getComputedStyle(document.body).fontFamily;
  const draw = t => { g.clearRect(0, 0, 64, 64); g.fillText(t, 0, 40); return g.getImageData(0, 0, 64, 64).data.join(); };
  return draw('支') !== draw('付'); })()"""


class Words:
    """An engine that writes one English sentence per Chinese one (its length, and 2004 for 24年)."""

    name, model_id = "words", "w1"

    def translate_batch(self, sentences):
        return [
            ("Founded in 2024. " if "24年" in s else "") + f"A sentence of {len(s)} characters."
            for s in sentences
        ]


@pytest.fixture(scope="module")
def browser():
    opened = Browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def seed_page(tmp_path_factory, config) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("review")
    payload = {"path": str(SEED), **translate_text(SEED.read_text("utf-8"), Words(), config=config).to_dict()}
    translation = folder / "seed.en.json"
    translation.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    page = folder / "seed.html"
    from click.testing import CliRunner

    result = CliRunner().invoke(
        main, ["review", "--isolated", str(SEED), "--translation", str(translation), "-o", str(page)]
    )
    assert result.exit_code == 0, result.output
    return page, payload


def test_highlight_nests_and_clips_overlapping_findings():
    import re

    findings = [
        Finding("ZH101", 0, 4, "outer"),
        Finding("ZH201", 1, 2, "inner"),
        Finding("ZH104", 3, 6, "late"),
    ]
    html = highlight("abcdefg", findings)
    assert 'data-rule="ZH104" data-start="3" data-end="6" data-clipped' in html
    shape = re.sub(r'<mark class="f" data-rule="(\w+)"[^>]*>', r"[\1 ", html).replace("</mark>", "]")
    assert shape == "[ZH101 a[ZH201 b]c[ZH104 d]]efg"  # the late one is cut where the outer one ends


def test_page_keeps_every_character_of_the_input(seed_text, config):
    import re

    page = render_review("seed", seed_text, lint_text(seed_text, config), [], seed_text)
    original = page.split('<section class="panel" id="original">', 1)[1].split("</pre>", 1)[0]
    import html

    text = html.unescape(re.sub(r"<[^>]+>", "", original.split('<pre class="text" lang="zh">', 1)[1]))
    assert text == seed_text


def test_review_rejects_a_bad_translation_file(runner, tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text('{"no": "sections"}', encoding="utf-8")
    result = runner.invoke(
        main, ["review", str(SEED), "--translation", str(bad), "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2 and "toolkit translate --format json" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_seed_page_in_chromium_has_every_finding_and_edit(browser, seed_page, seed_text, config):
    page, payload = seed_page
    browser.open(page, 1400, 1000)
    found = json.loads(browser.evaluate(COUNT_BY_RULE % ("#original", "#original")))
    expected = Counter(f.rule for f in lint_text(seed_text, config))
    assert found == expected
    assert found["ZH101"] == 261 and found["ZH102"] == 2 and found["ZH301"] == 8 and found["ZH302"] == 2
    spans = browser.evaluate(
        "[...document.querySelectorAll('#original [data-rule]')].map(e => [e.dataset.start, e.dataset.end, e.textContent])"
    )
    assert all(seed_text[int(start) : int(end)] == shown for start, end, shown in spans)
    years = [shown for start, end, shown in spans if seed_text[int(start) : int(end)] in ("24年", "20年")]
    assert years == ["24年", "20年"]
    edits = json.loads(browser.evaluate(COUNT_BY_RULE % ("#repaired", "#repaired")))
    assert edits == {"ZH101": 262, "ZH102": 2, "ZH201": 64}
    without_removed = """(() => { const text = document.querySelector('#repaired pre').cloneNode(true);
      text.querySelectorAll('del').forEach(d => d.remove()); return text.textContent; })()"""
    assert browser.evaluate(without_removed) == clean_text(seed_text, config).text
    # the translation beside its source, one pair per heading or paragraph, QA findings listed
    segments = sum(
        1 + len(s["paragraphs"]) if s["heading"] else len(s["paragraphs"]) for s in payload["sections"]
    )
    assert browser.evaluate("document.querySelectorAll('.pair').length") == segments
    assert browser.evaluate("document.querySelectorAll('.qa-list li[data-qa=\"TQ6\"]').length") >= 1
    assert browser.evaluate("document.querySelectorAll('.qa-list li[data-qa=\"TQ7\"]').length") == len(
        [f for f in payload["findings"] if f["code"] == "TQ7"]
    )


def test_rule_toggle_hides_that_rules_highlights(browser, seed_page):
    page, _ = seed_page
    browser.open(page, 1400, 1000)
    colour = "getComputedStyle(document.querySelector('#original [data-rule=\"ZH101\"]')).backgroundColor"
    before = browser.evaluate(colour)
    browser.evaluate("document.querySelector('input[data-toggle=\"ZH101\"]').click()")
    assert browser.evaluate(colour) != before and browser.evaluate(colour) == "rgba(0, 0, 0, 0)"
    other = "getComputedStyle(document.querySelector('#original [data-rule=\"ZH201\"]')).backgroundColor"
    assert browser.evaluate(other) != "rgba(0, 0, 0, 0)"


@pytest.mark.parametrize(("width", "side_by_side"), [(390, False), (1400, True)])
def test_layout_wraps_without_overlap_at_phone_and_desktop_width(
    browser, seed_page, tmp_path, width, side_by_side
):
    from PIL import Image

    page, _ = seed_page
    browser.open(page, width, 900)
    report = browser.evaluate(LAYOUT)
    assert report["scrollWidth"] <= report["width"] == width  # long lines wrap: nothing sticks out
    assert report["overlaps"] == [] and report["outside"] == 0
    assert report["panels_side_by_side"] is side_by_side
    key = "side_by_side" if side_by_side else "stacked"
    assert report[key] == report["pairs"] > 0
    # Chinese is drawn with real glyphs: two different characters do not give the same pixels
    # (without a CJK font both are the same empty box)
    assert browser.evaluate(GLYPHS_DIFFER)
    shot = browser.screenshot(tmp_path / f"review-{width}.png")
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, 900)
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50  # text and highlights, not a blank page
