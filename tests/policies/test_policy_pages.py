"""The pages: officers write and publish a policy and see its firms; the firm sees only its own policies, gaps and
rewards; bad input gets a Chinese message and changes nothing; the ledger's steps and its Excel export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select

from pipeline.auth.models import Role
from pipeline.domain.policy import PolicyConditions
from pipeline.domain.stages import Stage
from pipeline.policies.ledger import approve_incentive, propose_incentive
from pipeline.policies.models import Policy, PolicyMatch, PolicyOptOut
from tests.policies.conftest import NOW

POOL_HNTE = PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool", "cultivating"))


def form(**overrides):
    data = dict(title="新昌县研发费用补助", issuer="新昌县科学技术局", document_number="新科〔2022〕8号",
                effective_from="2022-01-01", effective_to="", summary="按研发费用给予补助", next_step="6 月底前申报",
                benefit_kind="rate", benefit_rate="10", benefit_cap="50", track="hnte", stages=["pool"],
                rd_sales_min="3")
    data.update(overrides)
    return data


def test_an_officer_writes_and_publishes_a_policy_with_its_document(client, db, login_as, make_firm, add_figures,
                                                                    place_firm):
    firm = add_figures(make_firm())  # R&D 400 ÷ sales 8000 = 5%
    place_firm(firm, "hnte", Stage.POOL)
    login_as(Role.OFFICER)
    pdf = (io.BytesIO(b"%PDF-1.7\n% policy\n"), "新科〔2022〕8号.pdf")
    response = client.post("/policies/new", data={**form(), "attachment": pdf}, content_type="multipart/form-data")
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy))
    assert (policy.benefit_rate, policy.benefit_cap, policy.status) == (Decimal("0.1"), Decimal("50"), "draft")
    assert '"rd_sales_min": "0.03"' in policy.conditions
    assert client.get(f"/policies/{policy.id}/attachment").data.startswith(b"%PDF")
    response = client.post(f"/policies/{policy.id}/publish", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已发布，符合条件 1 家，接近符合 0 家。" in page and firm.name in page


def test_bad_input_is_refused_with_a_chinese_message_and_nothing_saved(client, db, login_as):
    login_as(Role.OFFICER)
    response = client.post("/policies/new", data=form(effective_to="2021-12-31"))
    assert response.status_code == 422 and "失效日期不能早于生效日期。" in response.get_data(as_text=True)
    response = client.post("/policies/new", data=form(benefit_rate="", title="x" * 300))
    assert response.status_code == 422
    pdf = (io.BytesIO(b"MZ not a document"), "policy.exe")
    response = client.post("/policies/new", data={**form(), "attachment": pdf}, content_type="multipart/form-data")
    assert response.status_code == 422 and "只能上传 PDF" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Policy.id))) == 0


def test_the_firm_sees_only_its_own_policies_and_rewards_and_opening_is_tracked(
        client, db, login_as, make_firm, make_policy, place_firm, make_user, add_figures):
    mine, other = add_figures(make_firm()), make_firm()
    place_firm(mine, "hnte", Stage.POOL)
    near_policy = make_policy(PolicyConditions(track="hnte", track_name="高新技术企业", stages=("pool",),
                                               sales_min=Decimal("8500")), title="规上企业研发奖励")
    pool_policy = make_policy(POOL_HNTE, title="入库企业辅导")
    other_policy = make_policy(PolicyConditions(track="tech_sme", track_name="科技型中小企业"), title="科小专项")
    draft = make_policy(POOL_HNTE, title="草稿政策", publish=False)
    officer = make_user(Role.OFFICER)
    propose_incentive(pool_policy, mine.id, 2026, Decimal("3"), actor=officer, now=NOW)
    secret = propose_incentive(pool_policy, other.id, 2026, Decimal("7.77"), actor=officer, now=NOW)
    approve_incentive(secret, Decimal("7.77"), actor=officer, now=NOW)
    db.session.commit()
    login_as(Role.FIRM, firm=mine)
    page = client.get("/portal/policies/").get_data(as_text=True)
    assert "入库企业辅导" in page and "规上企业研发奖励" in page
    assert "年销售收入 8000 万元，需 ≥8500 万元，差 500 万元" in page
    assert "科小专项" not in page and "草稿政策" not in page and "7.77" not in page and other.name not in page
    assert client.get(f"/portal/policies/{draft.id}").status_code == 404
    assert client.get(f"/policies/{pool_policy.id}").status_code == 404  # staff pages: not for firms
    assert client.get(f"/portal/policies/{other_policy.id}").status_code == 200  # published: readable, not matched
    assert client.get(f"/portal/policies/{pool_policy.id}").status_code == 200
    match = db.session.scalar(select(PolicyMatch).where(PolicyMatch.policy_id == pool_policy.id))
    assert match.firm_id == mine.id and match.opened_at is not None
    assert "差 500 万元" in client.get(f"/portal/policies/{near_policy.id}").get_data(as_text=True)


def test_a_firm_opts_out_of_policy_notices(client, db, login_as, make_firm):
    firm = make_firm()
    login_as(Role.FIRM, firm=firm)
    assert client.post("/portal/policies/notices", data={"opted_out": "y"}).status_code == 302
    assert db.session.get(PolicyOptOut, firm.id) is not None
    client.post("/portal/policies/notices", data={})
    assert db.session.get(PolicyOptOut, firm.id) is None


def test_officer_limited_to_towns_sees_only_their_firms_and_cannot_change_the_catalogue(
        client, db, login_as, make_firm, make_town, make_policy, make_user):
    town = make_town("羽林街道")
    policy = make_policy()
    officer = make_user(Role.OFFICER)
    elsewhere = propose_incentive(policy, make_firm().id, 2026, Decimal("1"), actor=officer, now=NOW)
    here = propose_incentive(policy, make_firm(town=town).id, 2026, Decimal("2"), actor=officer, now=NOW)
    db.session.commit()
    login_as(Role.OFFICER, towns=[town])
    assert client.get(f"/policies/incentives/{elsewhere.id}").status_code == 404
    assert client.get(f"/policies/incentives/{here.id}").status_code == 200
    assert client.post(f"/policies/{policy.id}/push").status_code == 403
    assert client.get("/policies/new").status_code == 403


def test_recording_a_payment_through_the_pages_and_the_export(client, db, login_as, make_firm, make_policy,
                                                              make_user):
    policy = make_policy(title="新昌县科学技术奖", is_award=True)
    firm = make_firm()
    incentive = propose_incentive(policy, firm.id, 2026, Decimal("10"), actor=make_user(), now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    assert client.post(f"/policies/incentives/{incentive.id}/approve", data={"amount": "10"}).status_code == 302
    pay = dict(amount="10", paid_on="2026-07-01", document_number="新政发〔2026〕3号", team_amount="5", main_amount="2")
    response = client.post(f"/policies/incentives/{incentive.id}/pay", data=pay)
    assert response.status_code == 422 and "应不低于 60%" in response.get_data(as_text=True)
    response = client.post(f"/policies/incentives/{incentive.id}/pay", data={**pay, "team_amount": "6",
                                                                            "main_amount": "1.8"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (incentive.status, incentive.paid_on) == ("paid", date(2026, 7, 1))
    export = client.get("/policies/incentives.xlsx?year=2026")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert rows[1][1] == firm.name and rows[1][8] == 10 and rows[1][10] == "新政发〔2026〕3号"
    assert "新昌县科学技术奖" in client.get(f"/policies/incentives/{incentive.id}").get_data(as_text=True)


def test_the_dashboard_shows_incentives_paid_this_year_by_town_and_track(client, db, login_as, make_firm, make_town,
                                                                         make_policy, make_user):
    from pipeline.db import utcnow
    from pipeline.funnel.services import local_today
    from pipeline.policies.ledger import Payment, pay_incentive

    year = local_today(utcnow()).year
    hnte = make_policy(PolicyConditions(track="hnte", track_name="高新技术企业"))
    general = make_policy(title="研发费用补助")
    officer = make_user(Role.OFFICER)
    paid = [(hnte, make_firm(), "12.5", year), (hnte, make_firm(town=make_town("羽林街道")), "0.1", year),
            (general, make_firm(), "0.2", year), (general, make_firm(), "99", year - 1)]
    for policy, firm, amount, when in paid:
        row = propose_incentive(policy, firm.id, when, Decimal(amount), actor=officer, now=NOW)
        approve_incentive(row, Decimal(amount), actor=officer, now=NOW)
        pay_incentive(row, Payment(Decimal(amount), date(when, 3, 1), "新财企〔2026〕1号"), actor=officer, now=NOW)
    db.session.commit()
    login_as(Role.LEADER)
    page = client.get("/dashboard/").get_data(as_text=True)
    block = page[page.index('id="incentives"'):page.index('id="risks"')]
    assert f"{year} 年奖补兑现" in block and "羽林街道" in block and "高新技术企业" in block
    assert 'data-testid="incentives-paid-total">12.8<' in block  # 12.5 + 0.1 + 0.2, last year's 99 left out


def test_the_monthly_report_has_the_incentives_paid_chapter(app, db, make_firm, make_policy, make_user):
    from pipeline.domain.periods import month_period
    from pipeline.i18n import local_zone
    from pipeline.policies.ledger import Payment, pay_incentive
    from pipeline.reports.context import build_report_context
    from pipeline.reports.pdf import render_report_html

    officer = make_user(Role.OFFICER)
    policy = make_policy(PolicyConditions(track="hnte", track_name="高新技术企业"))
    for paid_on, amount in ((date(2026, 3, 5), "20"), (date(2026, 5, 2), "0.5")):
        row = propose_incentive(policy, make_firm().id, 2026, Decimal(amount), actor=officer, now=NOW)
        approve_incentive(row, Decimal(amount), actor=officer, now=NOW)
        pay_incentive(row, Payment(Decimal(amount), paid_on, "新财企〔2026〕2号"), actor=officer, now=NOW)
    db.session.commit()
    with app.test_request_context():
        context = build_report_context(month_period(2026, 4), now=NOW, zone=local_zone(), authority="新昌县科学技术局")
        assert context.incentives.total == Decimal("20")  # May's payment is after April's end
        html = render_report_html(context)
    chapter = html[html.index('id="incentives"'):]
    assert "六、奖补兑现" in chapter and "高新技术企业" in chapter and "南明街道" in chapter


def test_amounts_finer_than_the_yuan_are_refused_not_rounded(client, db, login_as, make_firm, make_policy,
                                                             make_user):
    incentive = propose_incentive(make_policy(), make_firm().id, 2026, Decimal("20"), actor=make_user(), now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/policies/incentives/{incentive.id}/approve", data={"amount": "19.00001"})
    assert response.status_code == 422 and "金额最多保留 4 位小数（精确到元）。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert incentive.status == "proposed"
    response = client.post("/policies/new", data=form(benefit_rate="10.125"))
    assert response.status_code == 422 and "补助比例最多保留 2 位小数。" in response.get_data(as_text=True)
