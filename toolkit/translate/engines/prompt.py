"""What every LLM engine asks and how it reads the answer: messages, glossary note, tidying, checks.

Both the in-process GGUF engine (:mod:`toolkit.translate.engines.llm`, which renders the messages
with the model's own chat template) and the server engine (:mod:`toolkit.translate.engines.openai`,
whose server applies its template) send the same chat messages for a sentence, so the same model
gets the same prompt either way. Pure Python: nothing here loads a model.

>>> [m["role"] for m in translation_messages("你好。", "Use these translations ...")]
['system', 'system', 'user']
>>> translation_messages("你好。")[-1]["content"].splitlines()[-1]
'你好。'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence

from toolkit.repairs.punctuation import FULL_WIDTH
from toolkit.translate.qa import looks_looped
from toolkit.translate.split import has_cjk

PROMPT_VERSION = "p5"
# Qwen's own default system prompt and the task in the user's turn: better on a WMT22 dev subset
# (lines i % 9 == 4, disjoint from the benchmark's) than a translator persona or example pairs.
SYSTEM_PROMPT = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
INSTRUCTION = "Translate the following Chinese text into English. Output only the translation."
_ASCII_BRACKETS = str.maketrans(
    {"【": " [", "】": "] ", "〔": " [", "〕": "] ", "［": " [", "］": "] ", "（": " (", "）": ") "}
)
# The repair rules' ASCII -> full-width table, inverted (brackets are above); 、 is a list comma.
_ASCII_PUNCTUATION = {full: ascii for ascii, full in FULL_WIDTH.items() if ascii not in "()"} | {"、": ","}
_SPACED_PUNCTUATION = re.compile(r"\s*([" + "".join(_ASCII_PUNCTUATION) + r"])\s*")
_PREFIX = re.compile(r"^(?:english|translation|译文|翻译)\s*[:：]\s*", re.IGNORECASE)
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


def translation_messages(sentence: str, note: str = "") -> list[dict[str, str]]:
    """The chat messages that ask for one sentence's translation.

    ``note`` (the glossary's matching terms) is a second system message just before the question,
    so the prompt prefix shared by all sentences stays the same (llama.cpp keeps it between calls).
    """
    messages = [{"role": "system", "content": SYSTEM_PROMPT}]
    if note:
        messages.append({"role": "system", "content": note})
    messages.append({"role": "user", "content": f"{INSTRUCTION}\n\n{sentence}"})
    return messages


def glossary_note(glossary: Mapping[str, str], texts: Sequence[str]) -> str:
    """The glossary entries that occur in ``texts``, as an instruction ("" when none).

    >>> glossary_note({"支付寶": "Alipay", "花唄": "Huabei"}, ["支付寶很方便。"])
    'Use these translations of names and terms: 支付寶 = Alipay.'
    """
    found = [f"{zh} = {en}" for zh, en in glossary.items() if any(zh in text for text in texts)]
    return "Use these translations of names and terms: " + "; ".join(found) + "." if found else ""


def sentence_messages(sentence: str, glossary: Mapping[str, str], extra: str = "") -> list[dict[str, str]]:
    """The chat messages for ``sentence``, noting the glossary terms it holds and ``extra``, if any.

    >>> sentence_messages("支付寶很方便。", {"支付寶": "Alipay"}, "English only.")[1]["content"]
    'Use these translations of names and terms: 支付寶 = Alipay. English only.'
    >>> len(sentence_messages("你好。", {"支付寶": "Alipay"}))
    2
    """
    return translation_messages(
        sentence, " ".join(filter(None, [glossary_note(glossary, [sentence]), extra]))
    )


def settings_id(glossary: Mapping[str, str], candidates: int = 1) -> str:
    """The part of a translation-memory key that names the prompt and decoding settings.

    >>> settings_id({}), settings_id({}, 8), settings_id({"玖富": "Jiufu"})[:4]
    ('p5', 'p5:mbr8', 'p5:g')
    """
    key = PROMPT_VERSION
    if candidates > 1:
        key += f":mbr{candidates}"
    if glossary:
        terms = json.dumps(sorted(glossary.items()), ensure_ascii=False)
        key += ":g" + hashlib.sha256(terms.encode()).hexdigest()[:8]
    return key


def tidy(answer: str) -> str:
    """Strip a model's wrapping: surrounding quotes, a ``Translation:`` prefix, notes after a blank line.

    A reasoning model's ``<think>…</think>`` block is dropped. Chinese punctuation the model copied
    into the English becomes its ASCII form.

    >>> tidy('Translation: "It rains."\\n\\nNote: literal.')
    'It rains.'
    >>> tidy("【Lawyer's note】 Pay attention，please（really）。")
    "[Lawyer's note] Pay attention, please (really)."
    >>> tidy("<think>\\nThe user wants English.\\n</think>\\n\\nIt rains.")
    'It rains.'
    """
    text = _THINKING.sub("", answer).strip().split("\n\n", 1)[0].strip()
    text = _PREFIX.sub("", text)
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    text = _SPACED_PUNCTUATION.sub(lambda m: _ASCII_PUNCTUATION[m[1]] + " ", text.translate(_ASCII_BRACKETS))
    return re.sub(r" +(?=[,.;:!?)\]])", "", " ".join(text.split()))


def usable(source: str, target: str) -> bool:
    """Whether a translation is non-empty, free of Chinese (if the source had any) and not looping.

    >>> usable("你好", "Hello"), usable("你好", "你好 Hello"), usable("你好", "")
    (True, False, False)
    """
    return bool(target) and not (has_cjk(source) and (has_cjk(target) or looks_looped(target)))


def token_budget(sentence: str) -> int:
    """Token budget for one sentence's translation: generous, but stops a loop early.

    >>> token_budget("你好。")
    57
    """
    return min(1024, 3 * len(sentence) + 48)
