"""The firm list's text search (企业名称或信用代码): a substring match, narrowed first by the gram index.

firm_search_gram (kept by database triggers, migration 0011) holds every two-character piece of each firm's name,
ASCII letters in lower case, and every three-character piece of its credit code. A term's pieces must all be in a
matching firm's entry, so the firms listed under the term's rarest pieces are the only candidates; the substring
match then runs on those few instead of on every name. Terms too short for a piece (one character; two for a code)
and terms whose every piece is common (有限公司) are matched by reading the names, which finds a page of such matches
early anyway."""

from __future__ import annotations

import string

from sqlalchemy import and_, false, func, intersect, or_, select, union
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


MAX_TERMS = 5  # a search box's words; more would only add index lookups


def search_condition(query: str):
    """SQL condition on Firm: every word of the query (split at spaces: 儒岙 轴承) is in its name or credit code."""
    terms = list(dict.fromkeys(query.split()))[:MAX_TERMS]
    if len(terms) < 2:
        return text_condition(query)
    exact = exact_name_matches(query)  # two-character words: their lists intersected, not a walk over the names
    return Firm.id.in_(exact) if exact is not None else and_(*(text_condition(term) for term in terms))


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


def exact_name_matches(query: str):
    """SELECT firm_id of exactly the firms whose name contains every word of `query`, from the index alone; None
    when it cannot say.

    A word one name piece long is its own piece, so the firms listed under it are the matches — and a common
    two-character word (轴承, 科技) is the usual search; several such words (儒岙 轴承) intersect their lists. Not for
    a word that could be part of a credit code (codes are searched too) or holds ASCII letters (LIKE ignores their
    case on SQLite only)."""
    terms = list(dict.fromkeys(query.split()))[:MAX_TERMS]
    if not terms or any(len(term) != NAME_GRAM or could_be_code_part(term)
                        or any(ch in string.ascii_letters for ch in term) for term in terms):
        return None
    postings = [select(FirmSearchGram.firm_id.label("firm_id")).where(FirmSearchGram.gram == term) for term in terms]
    return postings[0] if len(postings) == 1 else intersect(*postings)


def _candidates(term: str, code_part: bool) -> list | None:
    """SELECTs of candidate firm ids (one per side: name, code), [] when some side's piece is in no firm at all, or
    None when the index cannot narrow the term (too short, or every piece of a side is common)."""
    sides = [pieces(ascii_lower(term), NAME_GRAM)]
    if code_part:
        sides.append(pieces(term.upper(), CODE_GRAM))
    if any(not side for side in sides):
        return None
    counts = _posting_counts([gram for side in sides for gram in side])  # name and code pieces differ in length
    selects = []
    for side in sides:
        ranked = sorted(side, key=counts.__getitem__)
        if counts[ranked[0]] > CANDIDATE_LIMIT:
            return None
        if counts[ranked[0]]:  # else no firm has this piece: this side matches none
            selects.append(_firms_with_all(ranked[:GRAMS_PER_SIDE]))
    return selects


def ascii_lower(text: str) -> str:
    """Lower case for ASCII letters only, as the triggers store names (it keeps every character's place)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _posting_counts(grams: list[str]) -> dict[str, int]:
    """How many firms each piece is listed under, counted up to CANDIDATE_LIMIT + 1, in one statement."""
    counts = [select(func.count()).select_from(select(FirmSearchGram.firm_id).where(FirmSearchGram.gram == gram)
                                               .limit(CANDIDATE_LIMIT + 1).subquery()).scalar_subquery()
              for gram in grams]
    return dict(zip(grams, db.session.execute(select(*counts)).one(), strict=True))


def _firms_with_all(grams: list[str]):
    """SELECT firm_id of the firms listed under every one of these pieces (the rarest first)."""
    first = aliased(FirmSearchGram)
    stmt = select(first.firm_id).where(first.gram == grams[0])
    for gram in grams[1:]:
        other = aliased(FirmSearchGram)
        stmt = stmt.where(select(other.firm_id).where(other.gram == gram, other.firm_id == first.firm_id).exists())
    return stmt
