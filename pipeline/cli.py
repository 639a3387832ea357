"""Flask commands: `flask users create`, `flask seed-demo`, `flask demo-logins` and the feature commands."""

from __future__ import annotations

import sys
from importlib import import_module

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from pipeline.auth.models import Role
from pipeline.auth.services import UserError, create_user
from pipeline.certificates.cli import certificates_cli
from pipeline.extensions import db
from pipeline.mail.cli import mail_cli
from pipeline.pdf_fonts import pdf_cli
from pipeline.reminders.cli import reminders_cli
from pipeline.reports.cli import report_cli
from pipeline.scheduler import scheduler_cli
from pipeline.tenancy.scope import NoCountyError
from pipeline.tenancy.services import find_authority

users_cli = AppGroup("users", help="管理用户 / manage users")


@users_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--username", required=True)
@click.option("--firm", "firm_code", help="企业用户所属企业的统一社会信用代码")
@click.option("--name", "display_name", default="")
@click.option("--email", default="")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
@click.option("--temporary/--permanent", default=True, show_default=True,
              help="临时密码：首次登录须修改 / a temporary password must be changed at the first login")
@click.option("--authority", "authority_key", default=None,
              help="所属单位（编号或行政区划代码）；只有一个区县时可省略 / the user's county, city or province")
def create_user_command(role, username, firm_code, display_name, email, password_stdin, temporary, authority_key):
    """Create a user; the password is prompted for (or read from standard input) and, unless --permanent, must be
    changed at the first login."""
    authority = find_authority(authority_key) if authority_key else None
    if authority_key and authority is None:
        raise click.ClickException(f"找不到单位 {authority_key}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码 / Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(username, role, password, firm_code=firm_code, display_name=display_name, email=email,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"],
                           authority_id=authority.id if authority else None)
        user.must_change_password = temporary
        db.session.flush()
    except (UserError, NoCountyError) as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{user.role.value}）")


@click.command("seed-demo")
@click.option("--firms", "firm_count", default=300, show_default=True, type=click.IntRange(0, 1_000_000))
def seed_demo_command(firm_count):
    """Build the demo county; running it twice duplicates nothing. Above 5,000 firms it builds a large county with
    bulk inserts (five years of history, indicators, services, certificates) into a database without firms."""
    from pipeline.bulk_county import BULK_THRESHOLD
    from pipeline.demo import seed_demo

    if current_app.config["PIPELINE_CONFIG_NAME"] == "ProductionConfig":
        raise click.ClickException("生产环境不加载演示数据。")
    if firm_count > BULK_THRESHOLD:
        _seed_bulk_demo(firm_count)
        return
    result = seed_demo(firm_count, password_min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    db.session.commit()
    click.echo(f"演示数据：新增企业 {result.firms_created} 家。")
    click.echo(f"演示数据：新增阶段变动 {result.moves_created} 条。")
    for username, role, password in result.users_created:
        click.echo(f"  新建演示用户 {username:<10} 角色 {role:<8} 密码 {password}")


def _seed_bulk_demo(firm_count: int) -> None:
    import time

    from pipeline.bulk_county import CountyNotEmpty, seed_bulk_demo
    from pipeline.db import refresh_planner_statistics, utcnow

    started = time.perf_counter()
    try:
        counts, users = seed_bulk_demo(firm_count, now=utcnow(),
                                       password_min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    except CountyNotEmpty as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    refresh_planner_statistics(db.engine)
    click.echo(f"大规模演示数据：企业 {counts['firms']:,} 家，培育记录 {counts['records']:,} 条，阶段变动 {counts['moves']:,} 条，"
               f"年度指标 {counts['years']:,} 条，服务记录 {counts['services']:,} 条，入库证书 {counts['certificates']:,} 份"
               f"（{time.perf_counter() - started:.0f} 秒）。")
    for username, role, password in users:
        click.echo(f"  新建演示用户 {username:<10} 角色 {role:<8} 密码 {password}")


@click.command("demo-logins")
def demo_logins_command():
    """Print the demo logins (demo data only)."""
    from pipeline.demo import DEMO_USERS

    click.echo("演示账号 / demo logins (http://127.0.0.1:5000):")
    for username, role, password, display, _ in DEMO_USERS:
        click.echo(f"  {username:<10} {password:<20} {role.value:<8} {display}")


@click.command("seed-if-empty")
@click.option("--firms", "firm_count", default=300, type=click.IntRange(0, 1_000_000))
@click.pass_context
def seed_if_empty_command(ctx, firm_count):
    """Load the demo data only when the database has no user yet (used by `make run`)."""
    from pipeline.demo import database_is_empty

    if database_is_empty():
        ctx.invoke(seed_demo_command, firm_count=firm_count)
    else:
        click.echo("数据库已有数据，跳过演示数据。")


@click.command("evaluate")
@click.argument("profile_path", metavar="PROFILE.json")
def evaluate_command(profile_path):
    """Evaluate one firm profile (or a JSON list of them) against the 科小 and 高企 rules; print JSON.

    Exit status 2 with a message on stderr for an invalid profile (RULES.md §5).
    """
    from pipeline.evaluate_cli import run_evaluate

    raise SystemExit(run_evaluate(profile_path, sys.stdout, sys.stderr, sys.stdin))


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(import_module("pipeline.funnel.cli").funnel_cli)
    app.cli.add_command(report_cli)
    for command in (seed_demo_command, demo_logins_command, seed_if_empty_command, evaluate_command):
        app.cli.add_command(command)
    app.cli.add_command(pdf_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(import_module("pipeline.dashboard.cli").targets_cli)
    app.cli.add_command(import_module("pipeline.tenancy.cli").authorities_cli)
