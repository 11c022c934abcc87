"""The lexicon decodes its word groups on demand: every way of asking sees every word."""

from __future__ import annotations

import marshal

from toolkit.lexicon import Lexicon, get_lexicon

TEXTS = ["逾期問也逐漸顯現", "关于这个问题，我们成立于2004年。", "發生。互联网", "abc 123 ヂ"]


def _fresh() -> Lexicon:
    return Lexicon(get_lexicon()._blobs)


def _everything() -> Lexicon:
    lexicon = _fresh()
    for ch in marshal.loads(lexicon._blobs["groups"]):
        lexicon._add_words_ending(ch)
    return lexicon


def test_a_word_is_known_before_anything_else_was_asked():
    assert "问题" in _fresh() and "问" in _fresh()
    assert _fresh().word_logp("问题") == _everything().word_logp("问题")
    assert "问也" not in _fresh() and "" not in _fresh()


def test_single_characters_have_the_logarithm_their_group_stores():
    complete = _everything()
    for ch in "问的了中ヂ":
        expected = complete._word_logs.get(ch)
        assert _fresh().word_logp(ch) == (None if expected is None else expected - complete._log_total)


def test_scores_do_not_depend_on_what_was_decoded_before():
    complete = _everything()
    for text in TEXTS:
        simple = complete.to_simplified(text)
        assert _fresh().segment(simple) == complete.segment(simple)
        lexicon, values = _fresh(), [0.0]
        for end in range(1, len(simple) + 1):
            values.append(lexicon.extend(simple[max(0, end - 4) : end], tuple(values[-4:])))
        assert values[-1] == complete.score(simple)


def test_all_words_are_in_the_groups():
    complete = _everything()
    assert len(complete._word_logs) > 100_000
    assert all(len(ending) == 2 for ending in complete._word_endings)
