"""The ledger's Excel export: a fixed number of statements whatever the number of incentives, and only the rows the
user may see."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from pipeline.auth.models import Role
from pipeline.policies.ledger import propose_incentive
from tests.policies.conftest import NOW


def exported(client) -> list[tuple]:
    data = client.get("/policies/incentives.xlsx?year=2026").data
    return [tuple(row) for row in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]


def test_the_export_reads_firms_and_policies_with_the_incentives_not_one_by_one(
        client, db, login_as, make_firm, make_policy, make_user, make_town, count_queries):
    policy, officer = make_policy(title="研发费用补助"), make_user(Role.OFFICER)

    def propose(count: int) -> None:
        for _ in range(count):
            propose_incentive(policy, make_firm(town=make_town()).id, 2026, Decimal("1.5"), actor=officer, now=NOW)
        db.session.commit()

    login_as(Role.LEADER)
    propose(2)
    with count_queries() as few:
        assert len(exported(client)) == 3
    propose(6)
    with count_queries() as many:
        rows = exported(client)
    assert len(rows) == 9 and many.count == few.count
    assert {row[4] for row in rows[1:]} == {"研发费用补助"} and all(row[3] and row[7] == 1.5 for row in rows[1:])


def test_a_town_officer_exports_only_the_incentives_of_their_towns(client, db, login_as, make_firm, make_policy,
                                                                    make_user, make_town):
    policy, officer, town = make_policy(), make_user(Role.OFFICER), make_town("回山镇")
    propose_incentive(policy, make_firm(name="镇外企业有限公司").id, 2026, Decimal("1"), actor=officer, now=NOW)
    propose_incentive(policy, make_firm(name="镇内企业有限公司", town=town).id, 2026, Decimal("2"), actor=officer,
                      now=NOW)
    db.session.commit()
    login_as(Role.OFFICER, towns=[town])
    assert [row[1] for row in exported(client)[1:]] == ["镇内企业有限公司"]
