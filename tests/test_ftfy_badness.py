"""ftfy's mojibake heuristic, read from the data cache, answers as ftfy.badness.is_bad does."""

from __future__ import annotations

import sys
from pathlib import Path

import ftfy.badness

from toolkit.repairs import encoding

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [
    "NicolÃ¡s",
    "ä½ å¥½ä¸–ç•Œ",
    "拼音 shù jù，數(shù)據(jù)",
    "cafÃ© â€œquotedâ€\x9d",
    "Ã  la carte",
    "plain ASCII",
    "naïve café résumé",
    "金融的未來ヂ依賴於平臺",
]


def test_the_cached_heuristic_agrees_with_ftfy(seed_text, monkeypatch):
    lines = [*SAMPLES, *seed_text.splitlines()]
    for path in sorted((ROOT / "bench" / "precision").glob("*/*.txt")):
        lines.extend(path.read_text(encoding="utf-8").splitlines())
    monkeypatch.delitem(sys.modules, "ftfy.badness")  # as in a process that never imported ftfy
    is_bad = encoding._ftfy_is_bad.__wrapped__()
    assert is_bad is not ftfy.badness.is_bad
    expected = [ftfy.badness.is_bad(line) for line in lines]
    assert [is_bad(line) for line in lines] == expected
    assert any(expected) and not all(expected)


def test_a_badness_module_that_works_otherwise_is_used_as_it_is(tmp_path):
    source = tmp_path / "badness.py"
    source.write_text(
        "import re\nBADNESS_RE = re.compile('x')\ndef is_bad(text):\n    return len(BADNESS_RE.findall(text)) > 1\n",
        encoding="utf-8",
    )
    assert encoding._badness_regex(source) is None
    assert encoding._badness_regex(Path(ftfy.badness.__file__)) == (
        ftfy.badness.BADNESS_RE.pattern,
        ftfy.badness.BADNESS_RE.flags,
    )
