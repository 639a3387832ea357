from sqlalchemy import func, select

from pipeline.auth.models import Role, User
from pipeline.demo import TOWNS
from pipeline.domain.credit_code import validate_credit_code
from pipeline.firms.models import Firm, Town


def test_seed_demo_is_idempotent_and_codes_are_valid(runner, db):
    first = runner.invoke(args=["seed-demo", "--firms", "40"])
    assert first.exit_code == 0, first.output
    assert "Demo-Admin-2026" in first.output  # passwords printed once
    second = runner.invoke(args=["seed-demo", "--firms", "40"])
    assert second.exit_code == 0 and "Demo-Admin-2026" not in second.output
    assert db.session.scalar(select(func.count(Firm.id))) == 40
    assert db.session.scalar(select(func.count(Town.id))) == len(TOWNS) == 12
    codes = list(db.session.scalars(select(Firm.credit_code)))
    assert all(validate_credit_code(code) == code for code in codes) and len(set(codes)) == 40
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {Role.ADMIN, Role.OFFICER, Role.LEADER, Role.FIRM}
    firm_user = db.session.scalar(select(User).where(User.role == Role.FIRM))
    assert firm_user.firm_id is not None


def test_users_create_reads_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "--role", "officer", "--username", "zhang"],
                           input="a-strong-password\n" "a-strong-password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "--role", "leader", "--username", "li", "--password-stdin"],
                           input="another-strong-pw\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role).where(User.username == "li")) is Role.LEADER


def test_users_create_firm_user_needs_an_existing_firm(runner, db):
    result = runner.invoke(args=["users", "create", "--role", "firm", "--username", "f", "--firm",
                                 "91330624MA2BX5YW4X", "--password-stdin"], input="a-strong-password\n")
    assert result.exit_code != 0 and "找不到" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
