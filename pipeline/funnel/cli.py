"""`flask funnel move`: move a firm on a track from the command line, through the same move_firm()."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.db import utcnow
from pipeline.domain.stages import FINAL_STAGE_LABELS, STAGE_LABELS, Level, Stage, stage_label
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.funnel.queries import find_track
from pipeline.funnel.services import TransitionRefused, move_firm

funnel_cli = AppGroup("funnel", help="培育漏斗 / the funnel")
STAGE_BY_NAME = {**{s.value: s for s in Stage}, **{label: s for s, label in STAGE_LABELS.items()},
                 **{label: Stage.CERTIFIED for label in FINAL_STAGE_LABELS.values()}}


def date_argument(ctx, param, value):
    """A click callback: an optional YYYY-MM-DD option as a date, a clear message otherwise."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为 YYYY-MM-DD：{value}") from None


@funnel_cli.command("move")
@click.option("--firm", "firm_code", required=True, help="统一社会信用代码")
@click.option("--track", "track_code", required=True, help="培育类别代码或简称，如 tech_sme / 科小")
@click.option("--to", "to_stage", required=True, help="目标阶段：screening/pool/… 或 遴选/入库/…")
@click.option("--reason", "reason_code", help="出库原因代码：no_longer_eligible/withdrawn/moved_away/deregistered/revoked/falsified/dishonest/other")
@click.option("--note", default="", help="理由或说明（暂缓、跳过阶段、其他原因时必填）")
@click.option("--certificate-number", help="证书（登记）编号，认定时必填")
@click.option("--issued-on", callback=date_argument, help="发证日期 YYYY-MM-DD，认定时必填")
@click.option("--resume-on", callback=date_argument, help="预计恢复日期 YYYY-MM-DD，暂缓时必填")
@click.option("--level", type=click.Choice([level.value for level in Level]),
              help="级别（企业研发机构认定时必填）：county/city/province/national")
@click.option("--as", "username", help="记录为该用户的操作（默认：系统）")
def move_command(firm_code, track_code, to_stage, reason_code, note, certificate_number, issued_on, resume_on,
                 level, username):
    """Move one firm on one track; a refused move prints why and changes nothing."""
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == firm_code.strip().upper()))
    track = find_track(track_code.strip())
    stage = STAGE_BY_NAME.get(to_stage.strip())
    actor = db.session.scalar(select(User).where(User.username == username)) if username else None
    for missing, message in ((firm, f"找不到统一社会信用代码为 {firm_code} 的企业。"),
                             (track, f"找不到培育类别 {track_code}。"), (stage, f"未知阶段 {to_stage}。"),
                             (actor or not username, f"找不到用户 {username}。")):
        if not missing:
            raise click.ClickException(message)
    try:
        done = move_firm((firm, track), stage, actor=actor, now=utcnow(), reason_code=reason_code, note=note,
                         certificate_number=certificate_number, issued_on=issued_on, resume_on=resume_on,
                         level=level)
    except TransitionRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    record = done.firm_track
    extra = f"，入库编号 {record.pool_number}" if done.pool_number else ""
    click.echo(f"{firm.name}：{track.name} 已移到“{stage_label(stage, track.code)}”{extra}。")


@funnel_cli.command("expire")
@click.option("--today", callback=date_argument, help="按这一天计算（YYYY-MM-DD，默认今天，北京时间）")
def expire_command(today):
    """Move every record whose certificate or registration has expired to 已过期; print how many moved."""
    from pipeline.funnel.expiry import expire_all
    from pipeline.i18n import local_today

    day = today or local_today()
    moved = expire_all(day, now=utcnow())
    click.echo(f"{day.isoformat()}：移至“已过期” {moved} 条。")
