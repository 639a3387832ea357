"""The scheduled jobs, declared in one table, run by `flask scheduler run` in its own process.

Every job polls the database for what is due and not yet done, marks it and commits, so a run repeated (catch-up,
a second scheduler, a restart) is harmless. Times are in PIPELINE_TIMEZONE (Asia/Shanghai)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.utils import import_string

from pipeline.db import insert_or_ignore, utcnow
from pipeline.extensions import db
from pipeline.scheduler_lease import LEASE_NAME, JobRun, SchedulerLease, make_lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    func: str  # "module:function"; called as function(now) in an app context; it commits its own work
    cron: Mapping[str, object]  # CronTrigger fields, in the bureau's time zone
    misfire_grace_time: int  # seconds a run may start late (APScheduler's default, 1 s, silently skips it)
    catch_up: bool = True  # at start, run once if a scheduled run was missed while no scheduler was up
    description: str = field(default="", compare=False)


# The catch-up at start runs missed jobs one after another in this order: jobs that queue mail before send_mail.
JOBS: tuple[Job, ...] = (
    # Before the reminders: the expiry notices (rule cert_expired) are found among the records this job moved.
    Job("expire_records", "pipeline.funnel.expiry:expire_records_job", {"hour": 0, "minute": 10},
        misfire_grace_time=24 * 3600, description="每天 00:10 将有效期已过的认定记录移至“已过期”"),
    Job("daily_reminders", "pipeline.reminders.jobs:run_reminders_job", {"hour": 7, "minute": 30},
        misfire_grace_time=12 * 3600, description="按提醒规则生成当天的提醒和邮件"),
    # Rule 7: the job itself checks "last month's report not yet sent", since catch-up also runs it at start.
    Job("monthly_report", "pipeline.reports.jobs:run_monthly_report_job", {"day": 1, "hour": 8, "minute": 0},
        misfire_grace_time=24 * 3600, description="每月 1 日 08:00 生成上月培育漏斗月报并发送给局领导"),
    Job("send_mail", "pipeline.mail.jobs:send_mail_job", {"minute": "*"}, misfire_grace_time=300,
        description="发送发件箱中到期的邮件"),
    # Its own job: an SMS or robot provider that is down or slow never delays the email, nor the other way round.
    Job("send_channels", "pipeline.channels.jobs:send_channels_job", {"minute": "*"}, misfire_grace_time=300,
        description="发送到期的短信、钉钉和企业微信消息"),
    # The board's counts sum the stage tally's rows: folding them hourly keeps the sums a few hundred rows long.
    Job("recount_stage_tally", "pipeline.funnel.tally:recount_stage_tally_job", {"minute": 17},
        misfire_grace_time=3600, description="每小时重算培育看板各阶段的企业数（计数表）"),
    Job("remove_old_batch_files", "pipeline.certificates.batches:remove_old_batch_files_job", {"hour": 3, "minute": 40},
        misfire_grace_time=24 * 3600, description="每天 03:40 删除超过保留天数的批量换发 ZIP"),
)


def trigger_for(job: Job, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger(timezone=zone, **job.cron)


def missed_run(job: Job, last_success_at: datetime | None, now: datetime, zone: ZoneInfo) -> bool:
    """True when the job has never succeeded or one of its scheduled times passed since its last success."""
    if last_success_at is None:
        return True
    following = trigger_for(job, zone).get_next_fire_time(None, last_success_at.astimezone(zone)
                                                          + timedelta(microseconds=1))
    return following is not None and following <= now


class SchedulerRunner:
    """Runs JOBS while this process holds the lease; otherwise waits as a standby."""

    def __init__(self, app: Flask, jobs: tuple[Job, ...] = JOBS, *, lease=None,
                 clock: Callable[[], datetime] = utcnow):
        self.app, self.jobs, self.clock = app, jobs, clock
        self.zone = ZoneInfo(app.config["PIPELINE_TIMEZONE"])
        self.ttl = app.config["SCHEDULER_LEASE_SECONDS"]
        with app.app_context():
            self.lease = lease or make_lease(db.engine, self.ttl)
        self.scheduler: BaseScheduler | None = None
        self._standby_logged = False

    def build(self, scheduler_class: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
        scheduler = scheduler_class(timezone=self.zone,
                                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
        for job in self.jobs:
            scheduler.add_job(self.run_job, trigger_for(job, self.zone), args=[job], id=job.id, name=job.description,
                              coalesce=True, max_instances=1, misfire_grace_time=job.misfire_grace_time)
        scheduler.add_job(self.heartbeat, "interval", seconds=max(self.ttl // 3, 1), id="_lease",
                          next_run_time=datetime.now(self.zone), coalesce=True, misfire_grace_time=self.ttl)
        self.scheduler = scheduler
        return scheduler

    def heartbeat(self) -> None:
        """Renew the lease, or take it over; on taking it, run the jobs that were missed."""
        was_held = self.lease.held
        with self.app.app_context():
            held = self.lease.acquire_or_renew(self.clock())
        if held and not was_held:
            log.info("调度进程已启动并取得运行权（%s）", getattr(self.lease, "holder", "advisory lock"))
            self.catch_up()
        elif was_held and not held:
            log.warning("调度进程失去运行权，暂停执行任务")
        elif not held and not self._standby_logged:
            self._standby_logged = True
            log.info("另一个调度进程正在运行：本进程待命，待其停止后接管")

    def catch_up(self) -> list[str]:
        """Run once, now and in JOBS order, every catch-up job whose scheduled run was missed while down."""
        now = self.clock()
        with self.app.app_context():
            last = {run.job_id: run.last_success_at for run in db.session.scalars(select(JobRun))}
            db.session.remove()
        missed = [job for job in self.jobs if job.catch_up and missed_run(job, last.get(job.id), now, self.zone)]
        if missed and self.scheduler is not None and self.scheduler.running:  # off the heartbeat's thread
            self.scheduler.add_job(self._run_in_order, "date", args=[missed], id="_catch_up", replace_existing=True,
                                   misfire_grace_time=self.ttl)
        elif missed:
            self._run_in_order(missed)
        return [job.id for job in missed]

    def _run_in_order(self, jobs: list[Job]) -> None:
        for job in jobs:
            log.info("补跑错过的任务 %s", job.id)
            self.run_job(job)

    def run_job(self, job: Job) -> bool:
        """Run one job if we hold the lease; record the run. Returns whether it ran without error."""
        if not self.lease.held:
            return False
        function = import_string(job.func)
        started = self.clock()
        with self.app.app_context():
            self._record(job.id, last_started_at=started)
            try:
                result = function(started)
                if result:  # while its session is open: a result may be a model whose attributes load lazily
                    log.info("任务 %s：%s", job.id, result)
            except Exception:
                db.session.rollback()
                log.exception("任务 %s 出错", job.id)
                self._record(job.id, last_error="任务出错，详见调度进程日志")
                return False
            finally:
                db.session.remove()
            self._record(job.id, last_success_at=started, last_error="")
            db.session.remove()
        return True

    def _record(self, job_id: str, **values) -> None:
        insert_or_ignore(db.session, JobRun, dict(job_id=job_id, last_error=""), key="job_id")
        run = db.session.get(JobRun, job_id)
        for name, value in values.items():
            setattr(run, name, value)
        db.session.commit()

    def run_forever(self) -> None:
        scheduler = self.build()
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)  # let a running job record its outcome
            self.lease.release()
            with self.app.app_context():
                db.engine.dispose()
            log.info("调度进程已停止")


scheduler_cli = AppGroup("scheduler", help="定时任务调度进程 / the job scheduler")


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in this process until Ctrl-C or SIGTERM (production: exactly one, under systemd)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per heartbeat
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # not a line per PDF page
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    SchedulerRunner(current_app._get_current_object()).run_forever()


@scheduler_cli.command("jobs")
def jobs_command():
    """List the jobs, their schedule, next run and last run."""
    zone = ZoneInfo(current_app.config["PIPELINE_TIMEZONE"])
    runs = {run.job_id: run for run in db.session.scalars(select(JobRun))}
    now = datetime.now(zone)
    lease = db.session.get(SchedulerLease, LEASE_NAME)
    if lease is not None and lease.expires_at > now:
        click.echo(f"运行中的调度进程：{lease.holder}（租约至 {lease.expires_at.astimezone(zone):%Y-%m-%d %H:%M:%S}）")
    else:
        click.echo("没有正在运行的调度进程。")
    width = max(len(job.id) for job in JOBS)
    for job in JOBS:
        run = runs.get(job.id)
        following = trigger_for(job, zone).get_next_fire_time(None, now)
        last = run.last_success_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if run and run.last_success_at else "—"
        click.echo(f"{job.id:<{width}} 下次 {following:%Y-%m-%d %H:%M}  上次成功 {last}  {job.description}")
        if run and run.last_error:
            click.echo(f"{'':<{width}} 上次错误：{run.last_error}")
