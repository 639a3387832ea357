"""统一社会信用代码 (GB 32100-2015): characters, weights and the check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class CreditCodeError(ValueError):
    """The code is not a valid 统一社会信用代码; the message says why, in Chinese."""


def normalize_credit_code(code: str) -> str:
    return (code or "").strip().upper()


def check_character(body17: str) -> str:
    """Return the check character for the first 17 characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(body17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_credit_code(body17: str) -> str:
    body17 = normalize_credit_code(body17)
    _check_characters(body17, 17)
    return body17 + check_character(body17)


def _check_characters(code: str, length: int) -> None:
    if len(code) != length:
        raise CreditCodeError(f"统一社会信用代码应为 18 位（不含校验位时 17 位），实际为 {len(code)} 位。" if length == 17
                              else f"统一社会信用代码应为 18 位，实际为 {len(code)} 位。")
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            raise CreditCodeError(f"统一社会信用代码第 {position} 位“{ch}”不是合法字符（不使用 I、O、S、V、Z）。")


def validate_credit_code(code: str) -> str:
    """Return the upper-cased code, or raise CreditCodeError saying what is wrong."""
    code = normalize_credit_code(code)
    _check_characters(code, 18)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：第 18 位应为“{expected}”，实际为“{code[17]}”。")
    return code
