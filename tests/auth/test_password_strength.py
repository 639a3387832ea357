"""Password strength (issue 18, finding 8): length and zxcvbn's guessability with the user's own names as context,
one rule and one Chinese message for the web form and `flask users create`."""

import pytest
from sqlalchemy import select

from pipeline.auth.models import Role, User
from pipeline.auth.passwords import password_problem
from tests.conftest import PASSWORD

WEAK = ["1111111111", "password12", "officer123", "qwertyuiop", "abcdefghij12"]


@pytest.mark.parametrize("password", WEAK)
def test_easily_guessed_passwords_are_refused(password):
    assert "密码太容易被猜到" in password_problem(password, min_length=10)


@pytest.mark.parametrize("password", [PASSWORD, "Demo-Officer-2026", "绿茶-Pipeline-87", "tidal mauve 9 staple"])
def test_good_passwords_pass(password):
    assert password_problem(password, min_length=10) is None


def test_the_users_own_names_count_against_the_password():
    context = ["zhangminghui", "张明辉", "zmh@example.com", "91330624MA2EXAMPL5"]
    assert password_problem("zhangminghui2026", min_length=10) is None  # a stranger could not guess it…
    problem = password_problem("zhangminghui2026", min_length=10, context=context)  # …the user's colleagues could
    assert "用户名、姓名、邮箱或企业名称" in problem
    assert "企业名称" in password_problem("91330624MA2EXAMPL5!", min_length=10, context=context)


def test_too_short_says_the_length():
    assert password_problem("Kx9#", min_length=10) == "密码至少 10 个字符。"


@pytest.mark.parametrize("password", ["password12", "officer123"])
def test_the_web_form_refuses_a_weak_new_password(client, login_as, db, password):
    user = login_as(Role.OFFICER, username="officer")
    before = user.password_hash
    response = client.post("/account/password", data={"current": PASSWORD, "new": password, "confirm": password})
    assert response.status_code == 200 and "密码太容易被猜到" in response.get_data(as_text=True)
    assert db.session.scalar(select(User.password_hash).where(User.id == user.id)) == before


def test_the_web_form_refuses_the_firms_own_name(client, login_as, db, make_firm):
    firm = make_firm(name="Xinchang Precision Bearing Co")
    login_as(Role.FIRM, firm=firm)
    new = "XinchangPrecision!"
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert "用户名、姓名、邮箱或企业名称" in response.get_data(as_text=True)


def test_flask_users_create_applies_the_same_rule(runner, db):
    refused = runner.invoke(args=["users", "create", "--role", "admin", "--username", "boss", "--password-stdin"],
                            input="password12\n")
    assert refused.exit_code != 0 and "密码太容易被猜到" in refused.output
    assert db.session.scalar(select(User.id).where(User.username == "boss")) is None
    made = runner.invoke(args=["users", "create", "--role", "admin", "--username", "boss", "--password-stdin"],
                         input="tidal mauve 9 staple\n")
    assert made.exit_code == 0, made.output


def test_flask_users_create_refuses_a_line_break_in_a_name(runner, db):
    for option, value in (("--username", "boss\nroot"), ("--name", "张\r三"), ("--email", "a@b.cn\x00")):
        args = ["users", "create", "--role", "admin", "--username", "boss", "--password-stdin", option, value]
        refused = runner.invoke(args=args, input="tidal mauve 9 staple\n")
        assert refused.exit_code != 0 and ("换行符" in refused.output or "控制字符" in refused.output), refused.output
    assert db.session.scalar(select(User.id)) is None
