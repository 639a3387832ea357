"""Bulk invitations of firm contacts: from the firm list or an Excel of contacts; a preview; sent / skipped."""

import json
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from pipeline.auth.models import Role, User
from pipeline.mail.models import OutboxMessage


def _xlsx(rows) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["统一社会信用代码", "联系人", "联系邮箱"])
    for row in rows:
        sheet.append(list(row))
    data = BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_from_the_firm_list_preview_then_send_with_skips(client, login_as, db, make_firm, make_user):
    login_as(Role.OFFICER)
    fresh = make_firm(name="甲有限公司", contact_name="张伟", contact_email="zhang@jia.example.cn")
    make_firm(name="乙有限公司", contact_email="")
    taken = make_firm(name="丙有限公司", contact_email="c@bing.example.cn")
    make_user(Role.FIRM, firm=taken)
    make_firm(name="丁有限公司", contact_email="zhang@jia.example.cn")  # the same e-mail as 甲
    db.session.commit()
    page = client.get("/firms/invitations/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "将向 1 家发送邀请" in html
    for reason in ("没有联系邮箱", "企业已有账号", "该邮箱已有账号"):
        assert reason in html
    assert _count(db, User) == 2  # a preview changes nothing
    rows = json.dumps([[fresh.id, "张伟", "zhang@jia.example.cn"]])
    result = client.post("/firms/invitations/send", data={"rows": rows})
    assert result.status_code == 200 and "已发送 1 家" in result.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == fresh.credit_code))
    assert (user.role, user.firm_id, user.email, user.display_name) == (Role.FIRM, fresh.id, "zhang@jia.example.cn", "张伟")
    assert _count(db, OutboxMessage) == 1
    again = client.post("/firms/invitations/send", data={"rows": rows})  # sent twice: now it has an account
    assert "已发送 0 家" in again.get_data(as_text=True) and _count(db, OutboxMessage) == 1


def test_from_an_excel_of_contacts(client, login_as, db, make_firm):
    login_as(Role.ADMIN)
    a = make_firm(contact_email="old@a.example.cn")
    b = make_firm(contact_email="b@b.example.cn")
    c = make_firm()
    db.session.commit()
    data = _xlsx([(a.credit_code.lower(), "李四", "li@a.example.cn"), (b.credit_code, None, None),
                  ("913306249999999999", "王五", "w@x.example.cn"), (a.credit_code, "重复", "dup@a.example.cn"),
                  (c.credit_code, "", "not-an-email")])
    html = client.post("/firms/invitations/upload", data={"file": (data, "联系人.xlsx")}).get_data(as_text=True)
    assert "共 5 家企业，将向 2 家发送邀请" in html
    assert "li@a.example.cn" in html and "b@b.example.cn" in html  # a blank e-mail takes the firm's own
    assert "找不到该企业" in html and "同一企业重复出现" in html and "邮箱格式不正确" in html
    assert _count(db, User) == 1


def test_an_officer_limited_to_towns_cannot_invite_another_towns_firm(client, login_as, db, make_firm, make_town):
    mine, other = make_town("南明街道"), make_town("羽林街道", 1)
    login_as(Role.OFFICER, towns=[mine])
    outside = make_firm(town=other, contact_email="o@other.example.cn")
    inside = make_firm(town=mine, contact_email="i@mine.example.cn")
    db.session.commit()
    html = client.get("/firms/invitations/").get_data(as_text=True)
    assert inside.name in html and outside.name not in html
    client.post("/firms/invitations/send", data={"rows": json.dumps([[outside.id, "x", "o@other.example.cn"]])})
    assert _count(db, User) == 1  # only the officer
    html = client.post("/firms/invitations/upload",
                       data={"file": (_xlsx([(outside.credit_code, "x", "o@other.example.cn")]), "c.xlsx")})
    assert "找不到该企业" in html.get_data(as_text=True)


def test_bad_files_and_forged_rows_are_a_clear_400(client, login_as, db):
    login_as(Role.ADMIN)
    response = client.post("/firms/invitations/upload", data={"file": (BytesIO(b"not a zip"), "a.xlsx")})
    assert response.status_code == 400 and "文件无法读取" in response.get_data(as_text=True)
    assert client.post("/firms/invitations/upload", data={"file": (BytesIO(b"x"), "a.csv")}).status_code == 400
    for rows in ("not json", "[[1, 2]]", '{"a": 1}', "[]"):
        assert client.post("/firms/invitations/send", data={"rows": rows}).status_code == 400
    assert _count(db, User) == 1
