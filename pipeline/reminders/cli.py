"""`flask reminders run [--today YYYY-MM-DD]`: evaluate every rule once for that day."""

from __future__ import annotations

from collections import Counter

import click
from flask.cli import AppGroup

from pipeline.db import utcnow
from pipeline.domain.reminders import RULE_LABELS, RuleCode
from pipeline.extensions import db

reminders_cli = AppGroup("reminders", help="提醒规则 / reminder rules")


@reminders_cli.command("run")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="按这一天计算（默认今天，北京时间）")
def run_command(today):
    """Evaluate all enabled rules once (each county its own); a reminder already stored is not sent again."""
    from pipeline.i18n import local_today
    from pipeline.reminders.services import send_due_reminders
    from pipeline.tenancy.scope import for_each_county

    day = today.date() if today else local_today()
    created = Counter()

    @for_each_county
    def run(now):
        created.update(send_due_reminders(day, now=now))
        db.session.commit()

    run(utcnow())
    click.echo(f"{day.isoformat()}：新增提醒 {sum(created.values())} 条")
    for code, count in sorted(created.items()):
        click.echo(f"  {RULE_LABELS[RuleCode(code)]}：{count}")
