"""The firm list's text search: the gram index follows every way a firm is written, and a search through it finds
exactly the firms whose name or credit code contains the term."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, text, update

from pipeline.auth.models import Role
from pipeline.demo import demo_credit_code
from pipeline.firms import text_search
from pipeline.firms.models import Firm, FirmSearchGram
from pipeline.firms.services import create_firm, create_firms, update_firm
from tests.firms.test_firm_list import names

NOW = datetime(2026, 11, 28, 4, tzinfo=UTC)


def indexed(db, firm_id: int) -> set[str]:
    return set(db.session.scalars(select(FirmSearchGram.gram).where(FirmSearchGram.firm_id == firm_id)))


def expected(name: str, code: str) -> set[str]:
    return set(text_search.pieces(text_search.ascii_lower(name), 2)) | set(text_search.pieces(code, 3))


def test_every_way_of_writing_a_firm_keeps_its_grams(db, make_town):
    town = make_town("回山镇")
    one = create_firm({"credit_code": demo_credit_code(1), "name": "新昌ABB轴承İΣ有限公司", "town_id": town.id},
                      actor=None, now=NOW)
    # ASCII letters lower-cased, others kept as they are (PostgreSQL's lower() would change İ's length under ICU)
    assert indexed(db, one.id) == expected("新昌ABB轴承İΣ有限公司", one.credit_code)
    assert {"ab", "bb", "İΣ"} <= indexed(db, one.id)
    update_firm(one, {"name": "新昌精工机械有限公司"}, actor=None, now=NOW)
    db.session.flush()
    assert indexed(db, one.id) == expected("新昌精工机械有限公司", one.credit_code)
    update_firm(one, {"notes": "只改备注"}, actor=None, now=NOW)
    db.session.flush()
    assert indexed(db, one.id) == expected("新昌精工机械有限公司", one.credit_code)
    ids = create_firms([{"credit_code": demo_credit_code(n), "name": f"导入企业{n}号", "town_id": town.id}
                        for n in (2, 3)], actor=None, now=NOW)
    for n in (2, 3):
        assert indexed(db, ids[demo_credit_code(n)]) == expected(f"导入企业{n}号", demo_credit_code(n))
    # Core statements and deletes too: the triggers do the work, not the services.
    db.session.execute(update(Firm).where(Firm.id == ids[demo_credit_code(2)]).values(name="改名企业"))
    assert indexed(db, ids[demo_credit_code(2)]) == expected("改名企业", demo_credit_code(2))
    db.session.execute(delete(Firm).where(Firm.id == ids[demo_credit_code(3)]))
    assert indexed(db, ids[demo_credit_code(3)]) == set()


NAMES = ["新昌轴承有限公司", "浙江三花轴承股份有限公司", "İstanbul Trade 公司", "ΑΣΒ Corp", "万丰奥特控股集团", "ABB（中国）电机有限公司", "abb 精密件厂",
         "新和成生物化工股份有限公司", "京新药业", "茶", "沃洲镇茶叶专业合作社", "50%模具厂", "轴"]
TERMS = ["ΑΣ", "公司", "İs", "轴承", "轴", "有限公司", "abb", "ABB", "新", "茶叶专业", "不存在的名字", "50%", "%", "_", "三花轴承股份",
         "0000", "913306", "A", "AB"]


@pytest.fixture
def searchable(db, make_firm):
    firms = [make_firm(name=name, credit_code=demo_credit_code(700 + i)) for i, name in enumerate(NAMES)]
    return {firm.name: firm.credit_code for firm in firms}


def like(term: str, firms: dict[str, str], *, ascii_case_insensitive: bool) -> set[str]:
    """What the substring match finds (SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not)."""
    fold = text_search.ascii_lower if ascii_case_insensitive else str
    term = term.strip()
    code_part = text_search.could_be_code_part(term)
    return {name for name, code in firms.items()
            if fold(term) in fold(name) or (code_part and term.upper() in code)}


@pytest.mark.parametrize("candidate_limit", [text_search.CANDIDATE_LIMIT, 1])
def test_search_finds_exactly_the_firms_containing_the_term(app, client, login_as, searchable, monkeypatch,
                                                            candidate_limit):
    """With the default limit rare terms go through the index; with a limit of 1 almost every term is 'common' and
    the names are read: both ways give what the plain substring match gives."""
    monkeypatch.setattr(text_search, "CANDIDATE_LIMIT", candidate_limit)
    login_as(Role.OFFICER)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    code = next(iter(searchable.values()))
    for term in [*TERMS, code[-7:], code[-7:].lower(), code]:
        found = names(client, "?q=" + term.replace("%", "%25"))
        assert found == like(term, searchable, ascii_case_insensitive=sqlite), term


def test_rare_terms_are_narrowed_by_the_index_and_short_or_common_ones_are_not(db, searchable, monkeypatch):
    assert text_search._candidates("三花", code_part=False)  # the index names the candidates
    assert text_search._candidates("轴", code_part=False) is None  # one character: no piece to look up
    assert text_search._candidates("AB", code_part=True) is None  # two: no code piece
    assert text_search._candidates("不存在", code_part=False) == []  # a piece no firm has: nothing to read
    monkeypatch.setattr(text_search, "CANDIDATE_LIMIT", 3)
    assert text_search._candidates("有限", code_part=False) is None  # in more than 3 names: read the names


def test_pieces():
    assert text_search.pieces("轴承轴承", 2) == ["轴承", "承轴"]
    assert text_search.pieces("轴", 2) == []
    assert text_search.could_be_code_part("9133ab") and not text_search.could_be_code_part("91330I")
    assert not text_search.could_be_code_part("轴承")


def test_emptying_the_firm_table_empties_the_index(app, db, make_firm):
    """DELETE fires the delete trigger; TRUNCATE (PostgreSQL) fires none of the row or statement delete triggers,
    so it has its own: a firm inserted again under the same id must be indexable."""
    firm = make_firm(name="清空测试企业")
    firm_id, code = firm.id, firm.credit_code
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    db.session.execute(text("DELETE FROM firm" if sqlite else "TRUNCATE firm CASCADE"))
    assert db.session.scalar(select(func.count()).select_from(FirmSearchGram)) == 0
    db.session.execute(text("INSERT INTO firm (id, credit_code, name, town_id, address, legal_rep, contact_name, "
                            "contact_phone, contact_email, notes, created_at, updated_at) SELECT :id, :code, '再次登记企业', "
                            "id, '', '', '', '', '', '', :now, :now FROM town LIMIT 1"),
                       {"id": firm_id, "code": code, "now": NOW.replace(tzinfo=None)})
    assert indexed(db, firm_id) == expected("再次登记企业", code)


def test_a_common_two_character_term_is_counted_from_the_index(client, db, login_as, make_firm, make_town):
    """A full first page needs a count: a two-character term (no ASCII letter, not a code part) is its own gram, so
    its index list is the count, with the firm filters and the officer's towns applied through the firm."""
    hill, south = make_town("回山镇"), make_town("南明街道")
    firms = [make_firm(name=f"新昌轴承{i:02d}厂", town=hill if i % 2 else south) for i in range(60)]
    for i in range(5):
        make_firm(name=f"新昌轴{i}承厂", town=hill)  # 轴 and 承 apart: no match
    db.session.commit()

    def total(query: str) -> str:
        return re.search(r"共 (\d+) 家", client.get("/firms/?per_page=20&q=轴承" + query).get_data(as_text=True))[1]

    login_as(Role.OFFICER)
    assert (total(""), total(f"&town={hill.id}")) == ("60", "30")
    # The count reads the index: a firm missing from it is not counted (the page's rows still match by name).
    db.session.execute(delete(FirmSearchGram).where(FirmSearchGram.firm_id == firms[1].id))
    db.session.commit()
    assert (total(""), total(f"&town={hill.id}")) == ("59", "29")
    login_as(Role.OFFICER, towns=[hill])
    assert total("") == "29"
    assert text_search.exact_name_matches("AB") is None and text_search.exact_name_matches("12") is None
    assert text_search.exact_name_matches("轴") is None and text_search.exact_name_matches("轴承厂") is None
