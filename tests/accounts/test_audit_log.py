"""The audit log is append-only in the database itself, and the admin reads, filters and exports it."""

from datetime import UTC, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy import func, select

from pipeline.audit.models import AuditEvent, AuditKind
from pipeline.audit.services import record_event
from pipeline.auth.models import Role


def test_record_event_names_actor_target_and_details(db, make_user):
    admin, officer = make_user(Role.ADMIN), make_user(Role.OFFICER)
    event = record_event(AuditKind.USER_UPDATED, actor=admin, target=officer, now=datetime(2026, 3, 1, tzinfo=UTC),
                         ip="10.0.0.9", role=["officer", "admin"], towns=None)
    db.session.commit()
    assert (event.actor_name, event.target_name, event.ip) == (admin.username, officer.username, "10.0.0.9")
    assert event.details == {"role": ["officer", "admin"]}  # None values are left out


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET kind = 'login'", "DELETE FROM audit_event"])
def test_raw_sql_cannot_change_or_delete_an_audit_row(db, make_user, statement):
    record_event(AuditKind.LOGIN_FAILED, actor_name="mallory", now=datetime(2026, 3, 1, tzinfo=UTC))
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def test_admin_filters_the_log_by_user_event_and_date(client, login_as, db, make_user):
    admin = login_as(Role.ADMIN)
    other = make_user(Role.OFFICER, username="wangkeyuan")
    record_event(AuditKind.USER_DISABLED, actor=admin, target=other, now=datetime(2026, 3, 1, 2, tzinfo=UTC))
    record_event(AuditKind.LOGIN_FAILED, actor_name="mallory", now=datetime(2026, 3, 5, 2, tzinfo=UTC))
    db.session.commit()
    page = client.get("/admin/audit/?user=wangkeyuan").get_data(as_text=True)
    assert "停用用户" in page and "mallory" not in page
    page = client.get("/admin/audit/?kind=login_failed&since=2026-03-05&until=2026-03-05").get_data(as_text=True)
    assert "mallory" in page and "wangkeyuan" not in page
    assert "mallory" not in client.get("/admin/audit/?since=2026-03-06").get_data(as_text=True)
    assert client.get("/admin/audit/?since=not-a-date&kind=nonsense").status_code == 200  # ignored, never a 500


def test_the_export_is_an_xlsx_of_the_filter_and_is_itself_audited(client, login_as, db):
    login_as(Role.ADMIN)
    record_event(AuditKind.LOGIN_FAILED, actor_name="=HYPERLINK(\"http://x\")", now=datetime(2026, 3, 5, tzinfo=UTC))
    db.session.commit()
    response = client.get("/admin/audit/export.xlsx?kind=login_failed")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "操作人")
    assert len(rows) == 2 and rows[1][1] == "登录失败"
    assert rows[1][2].startswith("'=")  # formula injection neutralised by the one writer
    assert db.session.scalar(select(func.count()).where(AuditEvent.kind == "export")) == 1


@pytest.mark.parametrize("path", ["/excel/export/firms.xlsx?town=1", "/excel/export/pool.xlsx"])
def test_who_downloaded_which_export_of_firm_data_is_audited(client, login_as, db, path):
    officer = login_as(Role.OFFICER)
    assert client.get(path).status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
    assert event.actor_id == officer.id and event.details["export"] == path.split("/")[-1].split("?")[0]
    assert event.details.get("filters") == ({"town": "1"} if "town" in path else None)


def test_a_firms_dossier_download_is_audited(client, login_as, db, make_firm):
    firm = make_firm()
    db.session.commit()
    leader = login_as(Role.LEADER)
    assert client.get(f"/certificates/firms/{firm.id}/dossier.pdf").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "export"))
    assert event.actor_id == leader.id and event.details["export"] == f"dossier.pdf:{firm.credit_code}"


def test_an_admins_settings_changes_are_audited_with_old_and_new_values(client, login_as, db):
    admin = login_as(Role.ADMIN)
    assert client.post("/admin/reminders/rules/hnte_expiry/toggle").status_code == 302
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "setting_changed"))
    assert event.actor_id == admin.id and event.details["setting"] == "reminder_rule"
    assert event.details["action"] == "changed" and event.details["enabled"] == [True, False]


def test_changes_outside_a_request_are_not_audited_as_someones(db, track_by_code):
    track_by_code("hnte").name = "高新技术企业（测试）"
    db.session.commit()
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
