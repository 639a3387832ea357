"""An import matches the firms it wrote to the live policies once, after the rows are written, in the same
transaction; the result is the one saving each firm's figures by hand gives (issue 23)."""

import io
from collections import Counter
from decimal import Decimal

from sqlalchemy import delete, select

from pipeline.auth.models import Role
from pipeline.db import utcnow
from pipeline.domain.policy import NEAR, NONE, QUALIFIED, PolicyConditions
from pipeline.firms.models import Firm
from pipeline.indicators.services import save_year
from pipeline.policies import matching
from pipeline.policies.models import PolicyMatch
from tests.imports.conftest import firm_row, workbook_bytes
from tests.policies.conftest import GOOD_YEAR

RD = {1: 400, 2: 319.99, 3: 100, 4: 400}  # 5% of sales 8,000: qualifies; 3.9999%: nearly; 1.25%: no
R_AND_D = PolicyConditions(rd_sales_min=Decimal("0.04"))
STAFF = PolicyConditions(employees_min=150)  # 100 employees: nobody (firm 4 has 200)


def statuses(db) -> dict[tuple[str, int], str]:
    db.session.expire_all()
    return {(code, policy_id): status for code, policy_id, status in db.session.execute(
        select(Firm.credit_code, PolicyMatch.policy_id, PolicyMatch.status).join(Firm, Firm.id == PolicyMatch.firm_id))}


def counted(monkeypatch) -> tuple[Counter, list]:
    """Spy on matching: how often each firm's standing is read, and each match_policy call."""
    standings, calls = Counter(), []
    read, match = matching.firm_standings, matching.match_policy

    def spy_standings(firm_ids, today, **kw):
        standings.update(firm_ids)
        return read(firm_ids, today, **kw)

    def spy_match(conditions, standing, year):
        calls.append(conditions)
        return match(conditions, standing, year)

    monkeypatch.setattr(matching, "firm_standings", spy_standings)
    monkeypatch.setattr(matching, "match_policy", spy_match)
    return standings, calls


def test_an_import_matches_each_written_firm_once_as_saving_them_one_by_one_would(
        client, db, login_as, towns, upload, make_policy, monkeypatch):
    policies = [make_policy(R_AND_D, benefit_kind="other", benefit_amount=None, benefit_text="研发补助优先"),
                make_policy(STAFF, benefit_kind="other", benefit_amount=None, benefit_text="扩岗补助")]
    db.session.commit()
    rows = [firm_row(i, **{"研发费用（万元）": rd, "境内研发费用（万元）": rd}) for i, rd in RD.items()]
    rows[3]["职工总数（人）"] = 200
    login_as(Role.OFFICER)
    standings, calls = counted(monkeypatch)
    _, token = upload(workbook_bytes(rows))
    assert not standings  # the preview writes nothing and matches nothing
    client.post(f"/excel/imports/{token}/confirm")
    codes = [row["统一社会信用代码"] for row in rows]
    ids = dict(db.session.execute(select(Firm.credit_code, Firm.id)).all())
    assert standings == Counter({ids[code]: 1 for code in codes})  # each firm read once, all in one go
    assert Counter(calls) == Counter({R_AND_D: 4, STAFF: 4})  # and matched once per live policy
    imported = statuses(db)
    rd, staff = (policy.id for policy in policies)
    assert imported == {(codes[0], rd): QUALIFIED, (codes[1], rd): NEAR, (codes[3], rd): QUALIFIED,
                        (codes[3], staff): QUALIFIED}

    db.session.execute(delete(PolicyMatch))
    monkeypatch.undo()
    for row, code in zip(rows, codes, strict=True):  # the same figures saved by hand, one firm at a time
        figures = {**GOOD_YEAR, "rd": Decimal(str(row["研发费用（万元）"])),
                   "rd_domestic": Decimal(str(row["境内研发费用（万元）"])), "employees": row["职工总数（人）"]}
        save_year(db.session.get(Firm, ids[code]), 2025, figures, actor=None, now=utcnow())
    assert statuses(db) == imported


def test_a_rolled_back_import_leaves_no_match(client, db, login_as, towns, upload, make_policy):
    from pipeline.imports.services import confirm_firm_import, preview_firm_import

    make_policy(R_AND_D, benefit_kind="other", benefit_amount=None, benefit_text="研发补助优先")
    db.session.commit()
    user = login_as(Role.OFFICER)
    batch = preview_firm_import(io.BytesIO(workbook_bytes([firm_row(1)]).getvalue()), "a.xlsx", user=user,
                                token="t" * 20, today=utcnow().date(), now=utcnow(), max_rows=10)
    confirm_firm_import(batch, user=user, now=utcnow())
    assert set(statuses(db).values()) == {QUALIFIED}
    db.session.rollback()
    assert statuses(db) == {} and NONE not in statuses(db).values()
