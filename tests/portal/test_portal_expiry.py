"""A firm's status reads expired as soon as its date has passed, before the expiry job has moved the record."""

from datetime import date, timedelta

from pipeline.auth.models import Role
from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack
from pipeline.i18n import local_today


def test_a_registration_past_its_date_is_not_shown_as_valid(client, db, login_as, make_firm, track_by_code):
    firm = make_firm(name="过期未处理企业")
    yesterday = local_today() - timedelta(days=1)
    db.session.add(FirmTrack(firm=firm, track=track_by_code("tech_sme"), stage=Stage.CERTIFIED,
                             certificate_number=f"{yesterday.year}3306240000001",
                             certified_on=date(yesterday.year, 1, 1), expires_on=yesterday))
    db.session.commit()
    login_as(Role.FIRM, firm=firm)
    body = client.get("/portal/status.json").get_json()
    [track] = [t for t in body["tracks"] if t["track"] == "tech_sme"]
    assert track["status"] == f"资格已于 {yesterday.isoformat()} 到期，可重新申报"
    page = client.get("/portal/").get_data(as_text=True)
    assert f"已认定，有效期至 {yesterday.isoformat()}" not in page and "资格已于" in page
