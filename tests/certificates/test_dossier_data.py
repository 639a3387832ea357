"""The dossier's indicator and verdict sections are filled from the same figures and engine as the firm page."""

from datetime import date

from pipeline.auth.models import Role
from pipeline.indicators.services import save_facts, save_year
from tests.certificates.pdfcheck import pdftotext
from tests.indicators.conftest import GOOD_FACTS, GOOD_YEAR, NOW


def test_dossier_shows_the_latest_figures_and_each_tracks_verdict_with_its_gaps(client, db, login_as, make_firm):
    firm = make_firm(name="档案数据测试有限公司", registered_on=date(2015, 3, 1))
    for year in (2023, 2025):  # 2024 missing: the 高企 verdict waits for it
        save_year(firm, year, {**GOOD_YEAR, "net_assets": -120}, actor=None, now=NOW)
    save_facts(firm, {**GOOD_FACTS, "ip_class_i": 0, "ip_class_ii": 1, "conversions_3y": None}, actor=None, now=NOW)
    db.session.commit()
    login_as(Role.OFFICER)
    client.post("/language", data={"language": "en", "next": "/"})  # the dossier stays Chinese
    text = pdftotext(client.get(f"/certificates/firms/{firm.id}/dossier.pdf").data)
    for expected in ("五、最新指标", "研发费用（万元）", "2025 年", "-120", "研发费用占销售收入比例", "5%", "未填写",
                     "六、资格评价与差距", "科技型中小企业", "暂不符合", "评分 58 分", "高新技术企业", "待定",
                     "缺少 2024 年度数据"):
        assert expected in text, expected
    assert "暂无指标数据" not in text and "暂无评价结果" not in text
