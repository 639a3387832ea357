"""The scheduler: one active process through the database lease, catch-up of missed runs, and the JOBS table."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from pipeline.mail.outbox import queue_email
from pipeline.scheduler import JOBS, Job, SchedulerRunner, missed_run
from pipeline.scheduler_lease import AdvisoryLock, JobRun, RowLease, SchedulerLease
from tests import jobs_for_tests

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
MONTHLY = Job("monthly", "tests.jobs_for_tests:record_call", {"day": 1, "hour": 8, "minute": 0},
              misfire_grace_time=86400)


@pytest.fixture(autouse=True)
def _clear_calls():
    jobs_for_tests.calls.clear()


def test_one_lease_row_holder_at_a_time_and_takeover_after_expiry_or_release(app, db):
    first, second = RowLease(db.engine, 60, "first"), RowLease(db.engine, 60, "second")
    assert first.acquire_or_renew(NOW) and not second.acquire_or_renew(NOW)
    assert first.acquire_or_renew(NOW + timedelta(seconds=50))  # renewed by the heartbeat
    assert not second.acquire_or_renew(NOW + timedelta(seconds=100))  # renewal pushed the expiry
    assert second.acquire_or_renew(NOW + timedelta(seconds=111))  # the first one stopped renewing
    assert not first.acquire_or_renew(NOW + timedelta(seconds=112)) and not first.held
    second.release()
    assert first.acquire_or_renew(NOW + timedelta(seconds=113))  # released: taken over at once


def test_postgresql_uses_an_advisory_lock(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    first, second = AdvisoryLock(db.engine, 60), AdvisoryLock(db.engine, 60)
    try:
        assert first.acquire_or_renew(NOW) and not second.acquire_or_renew(NOW)
        assert db.session.get(SchedulerLease, "scheduler").holder == first.holder
        first.conn.invalidate()  # the link to the database breaks: the lock goes with it
        deadline = time.monotonic() + 10  # once the server has noticed; the standby retries on each heartbeat
        while not second.acquire_or_renew(NOW) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert second.held
        assert not first.acquire_or_renew(NOW)  # reconnected, but the lock is the other one's now
    finally:
        first.release()
        second.release()


def test_missed_run_compares_the_schedule_with_the_last_success():
    last = datetime(2026, 10, 1, 8, 0, tzinfo=ZONE)
    assert missed_run(MONTHLY, None, NOW, ZONE)  # never ran
    assert not missed_run(MONTHLY, last, datetime(2026, 11, 1, 7, 59, tzinfo=ZONE), ZONE)
    assert missed_run(MONTHLY, last, datetime(2026, 11, 1, 8, 0, tzinfo=ZONE), ZONE)
    assert not missed_run(MONTHLY, datetime(2026, 11, 1, 8, 0, tzinfo=ZONE), datetime(2026, 11, 20, tzinfo=ZONE), ZONE)


def test_every_job_is_importable_coalesced_and_has_a_real_grace_time(app):
    runner = SchedulerRunner(app, lease=RowLease(None, 60))
    scheduler = runner.build(BackgroundScheduler)
    for job in JOBS:
        scheduled = scheduler.get_job(job.id)
        assert scheduled.coalesce is True and scheduled.max_instances == 1
        assert scheduled.misfire_grace_time == job.misfire_grace_time >= 300
        assert str(scheduled.trigger.timezone) == "Asia/Shanghai"
        assert callable(__import__("werkzeug.utils").utils.import_string(job.func))
    assert {job.id for job in JOBS} >= {"send_mail", "daily_reminders"}


def test_jobs_run_only_while_the_lease_is_held_and_their_runs_are_recorded(app, db):
    other = RowLease(db.engine, 60, "other")
    other.acquire_or_renew(NOW)
    runner = SchedulerRunner(app, (MONTHLY,), lease=RowLease(db.engine, 60, "me"), clock=lambda: NOW)
    runner.heartbeat()
    assert not runner.lease.held and not runner.run_job(MONTHLY) and jobs_for_tests.calls == []  # standby
    other.release()
    runner.heartbeat()  # takes the lease over; the catch-up runs the never-run job once
    assert jobs_for_tests.calls == [NOW]
    run = db.session.get(JobRun, "monthly")
    assert run.last_success_at == NOW and run.last_error == ""


def test_a_failing_job_is_recorded_and_the_next_job_still_runs(app, db):
    failing = Job("failing", "tests.jobs_for_tests:fail", {"minute": "*"}, misfire_grace_time=60)
    runner = SchedulerRunner(app, (failing, MONTHLY), lease=RowLease(db.engine, 60, "me"), clock=lambda: NOW)
    runner.heartbeat()
    assert jobs_for_tests.calls == [NOW]
    db.session.expire_all()
    failed = db.session.get(JobRun, "failing")
    assert failed.last_success_at is None and "出错" in failed.last_error


def test_catch_up_at_start_runs_a_missed_job_once_and_a_done_one_not_at_all(app, db):
    db.session.add(JobRun(job_id="monthly", last_success_at=datetime(2026, 10, 1, 8, 0, tzinfo=ZONE), last_error=""))
    db.session.commit()
    start = datetime(2026, 11, 3, 9, 0, tzinfo=ZONE)  # down over 1 November 08:00
    runner = SchedulerRunner(app, (MONTHLY,), lease=RowLease(db.engine, 60, "a"), clock=lambda: start)
    runner.heartbeat()
    assert jobs_for_tests.calls == [start]
    runner.lease.release()
    again = SchedulerRunner(app, (MONTHLY,), lease=RowLease(db.engine, 60, "b"), clock=lambda: start)
    again.heartbeat()
    assert jobs_for_tests.calls == [start]


def _leader_and_standby(outputs):
    leaders = [o for o in outputs if "取得运行权" in o]
    standbys = [o for o in outputs if "本进程待命" in o]
    return leaders, standbys


def test_two_schedulers_started_at_once_send_each_message_once(app, db, smtp_server, database_url):
    for index in range(6):
        queue_email([f"user{index}@example.com"], f"调度测试 {index}", "正文")
    db.session.commit()
    env = {**os.environ, "FLASK_APP": "wsgi", "PIPELINE_ENV": "testing", "TEST_DATABASE_URL": database_url,
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_server.port), "SCHEDULER_LEASE_SECONDS": "3",
           "PYTHONWARNINGS": "error"}
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], env=env,  # noqa: S603
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 30
        while len(smtp_server.envelopes) < 6 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2.5)  # a few heartbeats: the standby must stay quiet
        holder = db.session.scalar(select(SchedulerLease.holder))
        leader = next(p for p in processes if f":{p.pid}:" in holder)
        leader.send_signal(signal.SIGTERM)  # the active one stops: the standby takes over
        leader.wait(15)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            db.session.expire_all()
            if f":{leader.pid}:" not in db.session.scalar(select(SchedulerLease.holder)):
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=15)[0] for process in processes]
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == [f"调度测试 {i}" for i in range(6)], outputs
    standby = next(o for p, o in zip(processes, outputs, strict=True) if p is not leader)
    assert "取得运行权" in outputs[processes.index(leader)] and "本进程待命" in standby, outputs
    assert "取得运行权" in standby  # took over after the leader stopped
    assert all("Traceback" not in o for o in outputs), outputs[0] + outputs[1]
