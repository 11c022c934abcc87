"""The lexicon decodes its word groups on demand: every way of asking sees every word
(in the C word table and in the pure-Python one)."""

from __future__ import annotations

import marshal

import pytest

from toolkit.lexicon import Lexicon, get_lexicon

TEXTS = ["逾期問也逐漸顯現", "关于这个问题，我们成立于2004年。", "發生。互联网", "abc 123 ヂ"]


@pytest.fixture(params=[True, False], ids=["native", "python"])
def native(request: pytest.FixtureRequest) -> bool:
    return request.param


def _fresh(native: bool) -> Lexicon:
    return Lexicon(get_lexicon()._blobs, native=native)


def _everything(native: bool) -> Lexicon:
    lexicon = _fresh(native)
    for ch in marshal.loads(lexicon._blobs["groups"]):
        lexicon._add_words_ending(ch)
    return lexicon


def test_a_word_is_known_before_anything_else_was_asked(native: bool):
    assert "问题" in _fresh(native) and "问" in _fresh(native)
    assert _fresh(native).word_logp("问题") == _everything(native).word_logp("问题")
    assert "问也" not in _fresh(native) and "" not in _fresh(native)


def test_single_characters_have_the_logarithm_their_group_stores(native: bool):
    complete = _everything(native)
    for ch in "问的了中ヂ":
        expected = complete._word_logs.get(ch)
        assert _fresh(native).word_logp(ch) == (None if expected is None else expected - complete._log_total)


def test_scores_do_not_depend_on_what_was_decoded_before(native: bool):
    complete = _everything(native)
    for text in TEXTS:
        simple = complete.to_simplified(text)
        assert _fresh(native).segment(simple) == complete.segment(simple)
        lexicon, values = _fresh(native), [0.0]
        for end in range(1, len(simple) + 1):
            values.append(lexicon.extend(simple[max(0, end - 4) : end], tuple(values[-4:])))
        assert values[-1] == complete.score(simple)


def test_all_words_are_in_the_groups(native: bool):
    complete = _everything(native)
    assert len(complete._word_logs) > 100_000
    if not native:  # the C table keeps the endings with the words
        assert len(complete._word_endings) > 50_000
        assert all(len(ending) == 2 for ending in complete._word_endings)
