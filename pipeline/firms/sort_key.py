"""The pinyin order of firm names, stored with each firm (firm.name_sort_key) so that both databases sort alike.

Neither SQLite nor a PostgreSQL built without ICU orders Chinese by pinyin, and a stored key of ASCII letters and
digits only compares the same under SQLite's binary order and any PostgreSQL collation. Each Chinese character
gives its syllable, its tone digit (which ends the syllable: 西安 xi1an1 before 先 xian1) and its code point in five
hex digits, so that homophones (新, 鑫) group by character as in a dictionary instead of interleaving."""

from __future__ import annotations

from pypinyin import Style, pinyin

KEY_LENGTH = 255  # the column's width: a longer name is ordered by its first ~25 characters, which decide anyway


def name_sort_key(name: str) -> str:
    """The key that orders firm names by pinyin (then by character); ASCII letters and digits stand for themselves."""
    parts = []
    for char, syllables in zip(name, pinyin(name, style=Style.TONE3, heteronym=False, errors=list), strict=False):
        syllable = syllables[0].lower()
        if syllable != char.lower() and syllable.isascii() and syllable.isalnum():
            tone = syllable if syllable[-1].isdigit() else syllable + "5"  # the neutral tone (轻声) last
            parts.append(f"{tone}{ord(char):05x}")
        elif char.isascii() and char.isalnum():
            parts.append(char.lower())
    return "".join(parts)[:KEY_LENGTH]
