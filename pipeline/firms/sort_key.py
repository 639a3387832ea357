"""The pinyin order of firm names, stored with each firm (firm.name_sort_key) so that both databases sort alike.

Neither SQLite nor a PostgreSQL built without ICU orders Chinese by pinyin, and a stored key of ASCII letters and
digits only compares the same under SQLite's binary order and any PostgreSQL collation. Each Chinese character
gives its syllable, its tone digit (which ends the syllable: 西安 xi1an1 before 先 xian1) and its code point in five
hex digits, so that homophones (新, 鑫) group by character as in a dictionary instead of interleaving."""

from __future__ import annotations

from functools import cache, lru_cache

KEY_LENGTH = 255  # the column's width: a longer name is ordered by its first ~25 characters, which decide anyway


def name_sort_key(name: str) -> str:
    """The key that orders firm names by pinyin (then by character); ASCII letters and digits stand for themselves."""
    parts = []
    for char, syllable in zip(name, _syllables(name), strict=False):
        syllable = syllable.lower()
        if syllable != char.lower() and syllable.isascii() and syllable.isalnum():
            tone = syllable if syllable[-1].isdigit() else syllable + "5"  # the neutral tone (轻声) last
            parts.append(f"{tone}{ord(char):05x}")
        elif char.isascii() and char.isalnum():
            parts.append(char.lower())
    return "".join(parts)[:KEY_LENGTH]


def _syllables(name: str) -> list[str]:
    """pinyin(name) word by word, each word's syllables looked up once: an import of 50,000 names that share their
    words (有限公司, 科技, the towns) spent 3.5 s of CPU reading the same words again; the result is the same, since
    pinyin() converts the same words one by one."""
    segmenter, hans, _ = _pypinyin()
    syllables = []
    for word in segmenter.seg(name):  # pypinyin's own split of a name into words, the split pinyin() makes first
        syllables.extend(_word_syllables(word) if hans.match(word) else word)  # no pinyin: each character itself
    return syllables


@lru_cache(maxsize=20_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    return tuple(syllables[0] for syllables in _pypinyin()[2]([word]))


@cache
def _pypinyin():
    """pypinyin, imported by the first key a process makes: its dictionaries take 58 MB in each web worker, and most
    workers never create or rename a firm. (segmenter, the Chinese-characters pattern, pinyin in the key's style.)"""
    from functools import partial

    from pypinyin import Style, pinyin
    from pypinyin.constants import RE_HANS
    from pypinyin.core import Pinyin

    return Pinyin(), RE_HANS, partial(pinyin, style=Style.TONE3, heteronym=False, errors=list)
