"""Acceptance on the sample seed: every known problem found, nothing else; the cleaned twin is right."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from toolkit.engine import clean_text, lint_text

CLEANED = Path(__file__).resolve().parent.parent / "seeds" / "clean" / "000_0fbac94c356f0e3a.txt"


def test_lint_finds_exactly_the_known_damage(seed_text: str, config) -> None:
    findings = lint_text(seed_text, config)
    counts = Counter(f.rule for f in findings)
    assert counts == {
        "ZH101": 261,  # every annotation after a Han character
        "ZH201": seed_text.count(","),  # every half-width comma (64)
        "ZH102": 2,  # the two GBK straddle spans
        "ZH301": 8,  # seven dropped 題 and the dropped 同時
        "ZH302": 2,  # 成立于24年, 成立于20年
        "ZH401": 10,  # 于/后/并/采 left by the naive converter (info)
    }
    spans = [seed_text[f.start : f.end] for f in findings if f.rule == "ZH102"]
    assert spans == ["?shù)膽B", "?;ヂ?lián)"]
    dropped = [seed_text[f.start : f.end + 1] for f in findings if f.rule == "ZH301"]
    assert sum(1 for d in dropped if d.startswith("問")) == 7
    assert any(d.startswith("的忽視") for d in dropped)


def test_safe_clean_repairs_pinyin_mojibake_and_punctuation(seed_text: str, config) -> None:
    cleaned = clean_text(seed_text, config).text
    assert "嚴謹的態度" in cleaned and "發生。互聯網" in cleaned
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", cleaned)
    assert "," not in cleaned and "?" not in cleaned
    assert "問也" in cleaned  # a guess: only --unsafe restores it


def test_unsafe_clean_matches_the_reviewed_twin(seed_text: str, config) -> None:
    result = clean_text(seed_text, config, unsafe=True)
    assert result.text == CLEANED.read_text(encoding="utf-8")
    assert clean_text(result.text, config, unsafe=True).text == result.text
    assert "逾期問題也逐漸" in result.text and "的同時，忽視了" in result.text
    assert "成立於2004年" in result.text and "成立於2006年" in result.text
    assert lint_text(result.text, config) == []
