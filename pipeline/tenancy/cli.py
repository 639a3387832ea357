"""`flask authorities add|list`: the authority tree of a deployment that serves several counties."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from pipeline.extensions import db
from pipeline.tenancy.models import Authority
from pipeline.tenancy.services import AuthorityError, add_authority, find_authority

authorities_cli = AppGroup("authorities", help="管理省、市、区县科技局 / manage the authority tree")


@authorities_cli.command("add")
@click.option("--level", type=click.Choice(["province", "city", "county"]), required=True)
@click.option("--name", required=True, help="名称，如 新昌县")
@click.option("--code", default=None, help="行政区划代码（6 位），如 330624")
@click.option("--parent", "parent_key", default=None, help="上级单位的编号或行政区划代码")
@click.option("--bureau-name", default="", help="科技局全称（证书、邮件落款），如 新昌县科学技术局")
def add_command(level, name, code, parent_key, bureau_name):
    parent = find_authority(parent_key) if parent_key else None
    if parent_key and parent is None:
        raise click.ClickException(f"找不到上级单位 {parent_key}")
    try:
        authority = add_authority(level, name, code=code, parent_id=parent.id if parent else None,
                                  bureau_name=bureau_name)
    except AuthorityError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"已添加 {authority.name}（编号 {authority.id}，{authority.level}）")


@authorities_cli.command("list")
def list_command():
    for authority in db.session.scalars(select(Authority).order_by(Authority.parent_id.is_not(None), Authority.id)):
        click.echo(f"{authority.id}\t{authority.level}\t{authority.code or '-'}\t{authority.name}\t"
                   f"上级 {authority.parent_id or '-'}")
