"""Hostile input (issue 18, findings 3 and 6): control characters, line breaks in names and integers past the
database's columns are refused in one place with a clear message and change nothing; never a 500."""

import pytest
from sqlalchemy import func, select

from pipeline.auth.models import LoginAttempt, Role
from pipeline.firms.models import Firm
from pipeline.firms.services import FirmError, create_firm, update_firm
from pipeline.hygiene import bounded_int, download_name, text_problem
from tests.firms.test_firm_register import firm_form

HUGE = "9" * 30
CONTROL = "输入内容包含不允许的控制字符"


@pytest.mark.parametrize(("text", "single_line", "refused"), [
    ("新昌精工", True, False), ("a\x00b", False, True), ("a\x1bb", False, True), ("a\x9bb", False, True),
    ("两行\n备注", False, False), ("两行\n名称", True, True), ("制表\t符", True, True), ("段落\u2028分隔", True, True),
])
def test_text_problem(text, single_line, refused):
    assert (text_problem(text, single_line=single_line) is not None) is refused


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (" 7 ", 7), ("-3", -3), (HUGE, None), ("2147483648", None),
                                                 ("1e3", None), ("", None), (None, None), (True, None), (5, 5)])
def test_bounded_int(value, expected):
    assert bounded_int(value) == expected


def test_download_name_is_one_safe_line():
    assert download_name("培育档案-坏\r\n名字/../x:y.pdf") == "培育档案-坏_名字_.._x_y.pdf"
    assert download_name("\n") == "download"


@pytest.mark.parametrize("url", ["/login?next=%00", "/firms/?q=%00abc", "/certificates/?q=a%01b", "/firms/%00",
                                 "/verify/%00abc"])
def test_a_control_character_in_the_url_is_a_clear_400(client, db, login_as, url):
    login_as(Role.OFFICER)
    response = client.get(url)
    assert response.status_code == 400 and CONTROL in response.get_data(as_text=True)


def test_a_nul_in_the_anonymous_login_form_is_a_400_and_records_nothing(client, db):
    response = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert response.status_code == 400 and CONTROL in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0


@pytest.mark.parametrize("url", [f"/certificates/?year={HUGE}&track={HUGE}", f"/certificates/?page={HUGE}",
                                 f"/reminders/?page={HUGE}", f"/admin/mail/?page={HUGE}", "/reminders/?page=-5",
                                 f"/firms/?page={HUGE}&town={HUGE}&per_page={HUGE}"])
def test_huge_integers_in_the_query_string_are_ignored(client, db, login_as, url):
    login_as(Role.ADMIN)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [f"/firms/{HUGE}", f"/certificates/{HUGE}", "/firms/2147483648"])
def test_a_huge_id_in_the_path_is_a_404(client, db, login_as, url):
    login_as(Role.ADMIN)
    assert client.get(url).status_code == 404


def test_a_bad_history_filter_on_the_excel_export_is_a_clear_400(client, db, login_as):
    login_as(Role.OFFICER)
    response = client.get("/excel/export/firms.xlsx?track=tech_sme&entered=pool&period_from=2026-13-45"
                          "&period_to=x")
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)


def test_a_firm_name_with_a_line_break_is_a_form_error(client, db, login_as, make_town):
    login_as(Role.OFFICER)
    town = make_town()
    db.session.commit()
    response = client.post("/firms/new", data=firm_form(town, name="换行\n企业有限公司"))
    assert response.status_code == 200 and "只能填写一行" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Firm.id))) == 0


def test_the_portal_contact_refuses_a_line_break(client, db, login_as, make_firm):
    firm = make_firm(contact_name="原联系人")
    login_as(Role.FIRM, firm=firm)
    response = client.post("/portal/contact", data={"contact_name": "李\r\n敏", "contact_phone": "138",
                                                     "contact_email": "a@example.com"})
    assert response.status_code == 200 and "只能填写一行" in response.get_data(as_text=True)
    assert db.session.scalar(select(Firm.contact_name).where(Firm.id == firm.id)) == "原联系人"


def test_huge_or_non_finite_numbers_in_a_form_are_field_errors(client, db, login_as):
    login_as(Role.ADMIN)
    response = client.post("/admin/reminders/calendar", data={"year": HUGE})
    assert response.status_code in (200, 302, 400, 404) and response.status_code != 500


def test_the_services_refuse_names_with_line_breaks(db, make_firm, make_town):
    with pytest.raises(FirmError, match="只能填写一行"):
        create_firm({"credit_code": "91330624MA2EXAMPL5", "name": "甲\n乙", "town_id": make_town().id},
                    actor=None, now=None)
    firm = make_firm()
    with pytest.raises(FirmError, match="控制字符"):
        update_firm(firm, {"legal_rep": "张\x00三"}, actor=None, now=None)
    assert update_firm(firm, {"notes": "第一行\n第二行"}, actor=None, now=firm.created_at)


def test_a_dossier_of_a_firm_whose_name_has_a_line_break_downloads(client, db, login_as, make_firm):
    firm = make_firm(name="旧数据\r\n换行企业有限公司")  # written before names were checked
    db.session.commit()
    login_as(Role.OFFICER)
    response = client.get(f"/certificates/firms/{firm.id}/dossier.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert "\n" not in disposition and "filename*=UTF-8''" in disposition


@pytest.mark.parametrize("url", ["/indicators/screening/tech_sme/enter", "/funnel/screening/prov_sme/enter"])
def test_huge_ticked_ids_are_dropped(client, db, login_as, url):
    login_as(Role.OFFICER)
    response = client.post(url, data={"firm_id": [HUGE, "-5", "abc"]})
    assert response.status_code == 302  # "请先勾选企业。", not a 500 (SQLite: int too large; found by the fuzzer)


def test_the_targets_form_refuses_a_note_with_a_line_break(client, db, login_as, track_by_code):
    login_as(Role.ADMIN)
    track = track_by_code("tech_sme")
    response = client.post("/admin/targets/?year=2026", data={f"b_{track.id}": "96", f"bn_{track.id}": "两行\n说明"})
    assert response.status_code in (200, 400) and "只能填写一行" in response.get_data(as_text=True)


def test_every_form_of_the_app_derives_from_the_shared_base(app):
    from flask_wtf import FlaskForm

    from pipeline.forms import Form

    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("pipeline.") and cls is not Form:
            found.append(cls)
    assert found and [cls for cls in found if not issubclass(cls, Form)] == []
