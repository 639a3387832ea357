"""Exact-arithmetic helpers shared by the eligibility rules: no floats anywhere."""

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

RATIO_PLACES = 4


def exact(value: Decimal | int) -> Fraction:
    """Return a Decimal or int as a Fraction (the fast way: Fraction(Decimal) goes through slow checks)."""
    return Fraction(*value.as_integer_ratio())


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Fraction | None:
    """Return numerator ÷ denominator exactly, or None when the denominator is zero."""
    if not denominator:
        return None
    # One Fraction built from integer ratios: exact, and several times faster than dividing two Fractions.
    n1, d1 = numerator.as_integer_ratio()
    n2, d2 = denominator.as_integer_ratio()
    return Fraction(n1 * d2, d1 * n2)


def at_least(value: Fraction | None, minimum: Decimal) -> bool:
    """Return whether value ≥ minimum exactly (False when there is no value)."""
    if value is None:
        return False
    num, den = minimum.as_integer_ratio()
    return value.numerator * den >= num * value.denominator


def band(value: Fraction | None, table: Sequence[tuple[Fraction, object]], default: object) -> object:
    """Return the entry of the first inclusive threshold that value reaches, else default."""
    if value is None:
        return default
    num, den = value.numerator, value.denominator
    for threshold, result in table:
        # Cross-multiplying integers is exact and much cheaper than comparing Fractions.
        if num * threshold.denominator >= threshold.numerator * den:
            return result
    return default


def ratio_str(value: Fraction | None) -> str | None:
    """Format a ratio with four decimals, truncated so a miss never looks like a hit."""
    if value is None:
        return None
    return str(Decimal(value.numerator * 10**RATIO_PLACES // value.denominator).scaleb(-RATIO_PLACES))


def percent_text(value: Fraction | None) -> str:
    """Format a ratio as a percentage with at most one decimal, truncated (3.2%, 10%)."""
    if value is None:
        return "—"
    tenths = Decimal(value.numerator * 1000 // value.denominator).scaleb(-1)
    return f"{plain(tenths)}%"


def plain(value: Decimal | Fraction | int) -> str:
    """Format a number without exponent or trailing zeros (0.05 → '0.05', 4.0 → '4')."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def ceil_cents(value: Fraction) -> Decimal:
    """Round an amount up to the next 0.01 (万元), the smallest payment that suffices."""
    return Decimal(math.ceil(value * 100)).scaleb(-2)


def ceil_int(value: Fraction) -> int:
    """Round a count up to the next whole number."""
    return math.ceil(value)


def needed_addition(part: Fraction, whole: Fraction, share: Fraction) -> Fraction:
    """Return x ≥ 0 so that (part + x) ÷ (whole + x) reaches share (part is inside whole)."""
    return max(Fraction(0), (share * whole - part) / (1 - share))
