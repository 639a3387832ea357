"""统一社会信用代码 check (GB 32100-2015, RULES §4)."""

from pipeline.domain.text import M_

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(CHARSET)}


class CreditCodeError(ValueError):
    """An invalid unified social credit code; its argument is a translatable Msg saying what is wrong."""


def normalize_credit_code(code: str) -> str:
    """Strip surrounding blanks and upper-case the code."""
    return code.strip().upper()


def check_char(body17: str) -> str:
    """Return the check character for the first 17 characters (already valid characters)."""
    total = sum(_VALUE[ch] * weight for ch, weight in zip(body17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return the normalised code, or raise CreditCodeError saying what is wrong."""
    if not isinstance(code, str):
        raise CreditCodeError(M_("统一社会信用代码应为字符串"))
    normal = normalize_credit_code(code)
    if len(normal) != 18:
        raise CreditCodeError(M_("统一社会信用代码应为 18 位，实为 %(n)s 位", n=len(normal)))
    _check_characters(normal)
    expected = check_char(normal[:17])
    if normal[17] != expected:
        raise CreditCodeError(M_("统一社会信用代码校验位错误：第 18 位应为 '%(expected)s'，实为 '%(actual)s'",
                                 expected=expected, actual=normal[17]))
    return normal


def make_credit_code(body17: str) -> str:
    """Append the check character to a 17-character body (for seeding demo data)."""
    body = normalize_credit_code(body17)
    if len(body) != 17:
        raise CreditCodeError(M_("代码主体应为 17 位，实为 %(n)s 位", n=len(body)))
    _check_characters(body)
    return body + check_char(body)


def _check_characters(code: str) -> None:
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            if ch in "IOSVZ":
                raise CreditCodeError(M_("统一社会信用代码第 %(position)s 位字符 '%(ch)s' 不合法（不使用 I、O、S、V、Z）",
                                         position=position, ch=ch))
            raise CreditCodeError(M_("统一社会信用代码第 %(position)s 位字符 '%(ch)s' 不合法", position=position, ch=ch))
