"""The firm list's text search (企业名称或信用代码): a substring match, narrowed first by the gram index.

firm_search_gram (kept by database triggers, migration 0011) holds every two-character piece of each firm's name,
lower case, and every three-character piece of its credit code. A term's pieces must all be in a matching firm's
entry, so the firms listed under the term's rarest pieces are the only candidates; the substring match then runs on
those few instead of on every name. Terms too short for a piece (one character; two for a code) and terms whose
every piece is common (有限公司) are matched by reading the names, which finds a page of such matches early anyway.
"""

from __future__ import annotations

from sqlalchemy import and_, false, func, literal, or_, select, union
from sqlalchemy.orm import aliased

from pipeline.domain.credit_code import CHARSET
from pipeline.extensions import db
from pipeline.firms.models import Firm, FirmSearchGram

NAME_GRAM = 2
CODE_GRAM = 3
# A piece listed under more firms than this is no use as a filter: reading that many candidates costs about what
# reading the names does.
CANDIDATE_LIMIT = 2_000
GRAMS_PER_SIDE = 3  # the candidates must carry the rarest piece and the next two


def pieces(text: str, size: int) -> list[str]:
    """The distinct `size`-character pieces of a text, in order of first appearance."""
    return list(dict.fromkeys(text[i:i + size] for i in range(len(text) - size + 1)))


def could_be_code_part(term: str) -> bool:
    """Whether a term can occur in a credit code (codes use digits and 21 capital letters only)."""
    return bool(term) and all(ch in CHARSET for ch in term.upper())


def text_condition(term: str):
    """SQL condition on Firm: its name or (when the term can be part of one) its credit code contains the term."""
    term = term.strip()
    code_part = could_be_code_part(term)
    matches = Firm.name.contains(term, autoescape=True)
    if code_part:
        matches = or_(matches, Firm.credit_code.contains(term.upper(), autoescape=True))
    candidates = _candidates(term, code_part)
    if candidates is None:
        return matches
    if not candidates:
        return false()
    return and_(Firm.id.in_(candidates[0] if len(candidates) == 1 else union(*candidates)), matches)


def _candidates(term: str, code_part: bool) -> list | None:
    """SELECTs of candidate firm ids (one per side: name, code), [] when some side's piece is in no firm at all, or
    None when the index cannot narrow the term (too short, or every piece of a side is common)."""
    sides = [pieces(term, NAME_GRAM)]  # compared with lower(gram) in SQL: the triggers lower-case with the same lower()
    if code_part:
        sides.append(pieces(term.upper(), CODE_GRAM))
    if any(not side for side in sides):
        return None
    counts = _posting_counts([gram for side in sides for gram in side], lowered=len(sides[0]))
    selects, offset = [], 0
    for number, side in enumerate(sides):
        lowered = number == 0
        ranked = sorted(zip(counts[offset:offset + len(side)], side, strict=True))
        offset += len(side)
        if ranked[0][0] > CANDIDATE_LIMIT:
            return None
        if ranked[0][0] == 0:
            continue  # no firm has this piece: this side matches none
        selects.append(_firms_with_all([gram for _count, gram in ranked[:GRAMS_PER_SIDE]], lowered))
    return selects


def _gram_value(gram: str, lowered: bool):
    return func.lower(literal(gram)) if lowered else literal(gram)


def _posting_counts(grams: list[str], *, lowered: int) -> list[int]:
    """How many firms each piece is listed under, counted up to CANDIDATE_LIMIT + 1 (one statement); the first
    `lowered` pieces are name pieces, compared in lower case."""
    counts = [select(func.count()).select_from(
        select(FirmSearchGram.firm_id).where(FirmSearchGram.gram == _gram_value(gram, i < lowered))
        .limit(CANDIDATE_LIMIT + 1).subquery()).scalar_subquery() for i, gram in enumerate(grams)]
    return list(db.session.execute(select(*counts)).one())


def _firms_with_all(grams: list[str], lowered: bool):
    """SELECT firm_id of the firms listed under every one of these pieces (the rarest first)."""
    first = aliased(FirmSearchGram)
    stmt = select(first.firm_id).where(first.gram == _gram_value(grams[0], lowered))
    for gram in grams[1:]:
        other = aliased(FirmSearchGram)
        stmt = stmt.where(select(other.firm_id).where(other.gram == _gram_value(gram, lowered),
                                                      other.firm_id == first.firm_id).exists())
    return stmt
