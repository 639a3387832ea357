"""The dashboard without its cache at 100,000 firms against the same dashboard at 1,000 (issue 23, goal ≤ 1.5×).

    python bench/bench_dashboard.py [--backend sqlite|postgresql] [--firms 100000] [--small 1000] [--rounds 5]

For this month (the default view), the whole year and a custom range, as officer and as leader: the median time of
GET /dashboard/ (status 200, PIPELINE_DASHBOARD_CACHE_SECONDS = 0) on both counties, taking turns in every round
(bench/common.py: interleaved_medians), and their ratio; the process's CPU time beside it (on PostgreSQL the
database's own work is not in it). Before timing, the script checks on both counties that hand-written SQL
(raw_numbers below: plain strings through exec_driver_sql, counting every move) gives exactly the numbers the
page's statistics give (stage table, exits, conversions, stays, targets, towns, industries, risk lists), and prints
how long that raw SQL takes once at the larger size, for scale.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Goals,
    add_backend_argument,
    add_rebuild_argument,
    county_app,
    interleaved_medians,
    logged_in_client,
    python_loop_ms,
)
from pipeline.domain.stages import COUNTED_LEVELS, HOLDING, Stage  # noqa: E402

GOAL = 1.5  # the page at 100,000 firms against the page at 1,000 (issue 23)
LADDER = ("screening", "pool", "cultivating", "certified")
EXITS = ("removed", "failed", "expired")
PIPELINE = ("pool", "cultivating")
HOLDING_STAGES = tuple(sorted(stage.value for stage in HOLDING))  # stages that hold the status (certified)
COUNTED = tuple(sorted(level.value for level in COUNTED_LEVELS))  # levels the figures count


def _ts(moment: datetime) -> str:
    """A UTC time as the literal both databases compare with the stored naive UTC times."""
    return moment.astimezone(UTC).strftime("'%Y-%m-%d %H:%M:%S.%f'")


def _day(value: date) -> str:
    return f"'{value.isoformat()}'"


def _rows(connection, sql: str) -> list[tuple]:
    return [tuple(row) for row in connection.exec_driver_sql(sql)]


def _ladder_rank(column: str) -> str:
    whens = " ".join(f"WHEN '{stage}' THEN {rank}" for rank, stage in enumerate(LADDER, start=1))
    return f"(CASE {column} {whens} ELSE 0 END)"


def _days(start: str, end: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION) / 86400.0"
    return f"(julianday({end}) - julianday({start}))"


def raw_numbers(connection, window: dict, limit: int) -> dict:
    """Every number of the dashboard page in plain SQL, in the shape compare() reads."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")  # the same session settings as the page's statistics
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    s, e, y = _ts(window["start"]), _ts(window["end"]), _ts(window["year_start"])
    today, now = window["today"], window["now"]
    tracks = _rows(connection, "SELECT id, code, validity_rule FROM track WHERE active ORDER BY sort_order, id"
                   if dialect == "postgresql" else
                   "SELECT id, code, validity_rule FROM track WHERE active = 1 ORDER BY sort_order, id")
    stale_days = _rows(connection, "SELECT stage, stale_days FROM stage_setting WHERE stale_days > 0")
    stale = " OR ".join(f"(ft.stage = '{stage}' AND ft.last_activity_at < {_ts(now - timedelta(days=days))})"
                        for stage, days in stale_days) or "1 = 0"
    not_paused = f"(ft.paused_until IS NULL OR ft.paused_until < {_day(today)})"
    current = _rows(connection, f"""
        SELECT ft.track_id, ft.stage, count(*),
               sum(CASE WHEN ft.paused_until >= {_day(today)} THEN 1 ELSE 0 END),
               sum(CASE WHEN ({stale}) AND {not_paused} THEN 1 ELSE 0 END)
        FROM firm_track ft GROUP BY ft.track_id, ft.stage""")
    moves = _rows(connection, f"""
        SELECT track_id, 'in', to_stage, count(DISTINCT CASE WHEN moved_at < {e} THEN firm_track_id END),
               sum(CASE WHEN moved_at < {e} THEN 1 ELSE 0 END), sum(CASE WHEN moved_at < {e} THEN 0 ELSE 1 END)
        FROM stage_move WHERE moved_at >= {s} GROUP BY track_id, to_stage
        UNION ALL
        SELECT track_id, 'out', from_stage, count(DISTINCT CASE WHEN moved_at < {e} THEN firm_track_id END),
               sum(CASE WHEN moved_at < {e} THEN 1 ELSE 0 END), sum(CASE WHEN moved_at < {e} THEN 0 ELSE 1 END)
        FROM stage_move WHERE moved_at >= {s} AND from_stage IS NOT NULL GROUP BY track_id, from_stage""")
    exits = _rows(connection, f"""
        SELECT track_id, to_stage, coalesce(reason_code, ''), count(DISTINCT firm_track_id) FROM stage_move
        WHERE moved_at >= {s} AND moved_at < {e} AND to_stage IN {EXITS}
        GROUP BY track_id, to_stage, reason_code""")
    # A move into a ladder stage "reached" a higher one when a later move of the record before `end` went higher:
    # every such later move lies in the period too, so one window over the period's moves answers it.
    conversions = _rows(connection, f"""
        SELECT track_id, to_stage, count(DISTINCT firm_track_id),
               count(DISTINCT CASE WHEN later_rank > {_ladder_rank('to_stage')} THEN firm_track_id END)
        FROM (SELECT track_id, firm_track_id, to_stage,
                     max({_ladder_rank('to_stage')}) OVER (PARTITION BY firm_track_id ORDER BY moved_at, id
                                                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later_rank
              FROM stage_move WHERE moved_at >= {s} AND moved_at < {e}) m
        WHERE to_stage IN {LADDER[:-1]} GROUP BY track_id, to_stage""")
    durations = (_rows(connection, _durations_sql(s, e, dialect)) if dialect == "postgresql"
                 else _sorted_durations(_rows(connection, _durations_sql(s, e, dialect))))
    targets = _rows(connection, f"SELECT track_id, town_id, target FROM annual_target WHERE year = {window['through'].year}")
    # Certified: in a stage that holds the status, with a certificate not expired today.
    by_place_now = _rows(connection, f"""
        SELECT ft.track_id, f.town_id, f.industry_id, ft.stage, count(*)
        FROM firm_track ft JOIN firm f ON f.id = ft.firm_id
        WHERE ft.stage IN {PIPELINE} OR (ft.stage IN {HOLDING_STAGES} AND (ft.expires_on IS NULL OR ft.expires_on >= {_day(today)}))
        GROUP BY ft.track_id, f.town_id, f.industry_id, ft.stage""")
    # A record belongs to one firm, hence to one town and one industry: distinct records of a (town, industry)
    # pair add up to those of the town and of the industry.
    flows = _rows(connection, f"""
        SELECT m.track_id, f.town_id, f.industry_id,
               count(DISTINCT CASE WHEN m.moved_at >= {s} AND m.to_stage = 'pool' THEN m.firm_track_id END),
               count(DISTINCT CASE WHEN m.moved_at >= {s} AND m.to_stage = 'certified' THEN m.firm_track_id END),
               count(DISTINCT CASE WHEN m.moved_at >= {y} AND m.to_stage = 'certified' AND m.entry_class = 'first_time'
                     AND m.issued_on >= {_day(date(window['through'].year, 1, 1))}
                     AND (m.level IS NULL OR m.level IN {COUNTED}) THEN m.firm_track_id END)
        FROM stage_move m JOIN firm f ON f.id = m.firm_id
        WHERE m.moved_at >= {min(s, y)} AND m.moved_at < {e} AND m.to_stage IN ('pool', 'certified')
        GROUP BY m.track_id, f.town_id, f.industry_id""")
    towns = _rows(connection, "SELECT id, name FROM town ORDER BY sort_order, id")
    industries = _rows(connection, "SELECT id, name FROM industry ORDER BY sort_order, id")
    firm_list = ("SELECT f.id {extra} FROM firm_track ft JOIN firm f ON f.id = ft.firm_id "
                 "JOIN town t ON t.id = f.town_id JOIN track tr ON tr.id = ft.track_id WHERE {where}")
    risks = {}
    expiring = (f"tr.validity_rule = 'years' AND ft.stage = 'certified' AND ft.expires_on >= {_day(today)} "
                f"AND ft.expires_on <= {_day(window['expiry_until'])}")
    missing = (f"tr.code = 'hnte' AND ft.stage = 'certified' AND (ft.certified_on IS NULL OR ft.certified_on < "
               f"{_day(date(today.year, 1, 1))}) AND ft.firm_id NOT IN (SELECT firm_id FROM annual_report_filing "
               f"WHERE year = {today.year})" + ("" if today >= date(today.year, 5, 1) else " AND 1 = 0"))
    columns = (", f.name, f.credit_code, t.name, tr.code, tr.short_name, ft.stage, {day}, "
               "coalesce({detail}, '')")
    for key, where, day, detail, order in (
            ("expiring", expiring, "ft.expires_on", "ft.certificate_number", "ft.expires_on, f.id"),
            ("stale", f"({stale}) AND {not_paused}", "ft.last_activity_at", "NULL", "ft.last_activity_at, f.id"),
            ("annual_report", missing, "ft.certified_on", "ft.certificate_number", "f.town_id, f.id")):
        total = connection.exec_driver_sql(
            f"SELECT count(*) FROM ({firm_list.format(extra='', where=where)}) x").scalar()
        rows = _rows(connection, firm_list.format(extra=columns.format(day=day, detail=detail), where=where)
                     + f" ORDER BY {order} LIMIT {limit}")
        risks[key] = (total, [row[0] for row in rows])
    return _assemble(tracks, current, moves, exits, conversions, durations, targets, by_place_now, flows, towns,
                     industries, risks)


def _durations_sql(s: str, e: str, dialect: str) -> str:
    """Median and 90th percentile (nearest rank) of the days of every stay that overlaps [s, e), per stage."""
    def began(alias: str) -> str:
        return (f"coalesce((SELECT max(p.moved_at) FROM stage_move p WHERE p.firm_track_id = {alias}.firm_track_id "
                f"AND (p.moved_at < {alias}.moved_at OR (p.moved_at = {alias}.moved_at AND p.id < {alias}.id))), "
                f"{alias}.moved_at)")
    stays = f"""
        SELECT m.track_id, m.from_stage AS stage, {began('m')} AS entered_at, m.moved_at AS left_at
        FROM stage_move m WHERE m.moved_at >= {s} AND m.moved_at < {e} AND m.from_stage IS NOT NULL
        UNION ALL
        SELECT c.track_id, c.from_stage, {began('c')}, {e}
        FROM (SELECT id, row_number() OVER (PARTITION BY firm_track_id ORDER BY moved_at, id) AS rn
              FROM stage_move WHERE moved_at >= {e}) firsts JOIN stage_move c ON c.id = firsts.id
        WHERE firsts.rn = 1 AND c.from_stage IS NOT NULL
        UNION ALL
        SELECT ft.track_id, ft.stage, ft.stage_entered_at, {e} FROM firm_track ft
        WHERE ft.stage_entered_at < {e}
          AND NOT EXISTS (SELECT 1 FROM stage_move a WHERE a.firm_track_id = ft.id AND a.moved_at >= {e})"""
    days = _days("entered_at", "left_at", dialect)
    if dialect == "postgresql":
        return f"""
            SELECT track_id, stage, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}),
                   percentile_disc(0.9) WITHIN GROUP (ORDER BY {days})
            FROM ({stays}) stays WHERE stage IN {LADDER} GROUP BY track_id, stage"""
    # SQLite: every stay's days, sorted per stage by _sorted_durations (its window functions took twice as long).
    return f"SELECT track_id, stage, {days} FROM ({stays}) stays"


def _sorted_durations(rows: list[tuple]) -> list[tuple]:
    """(track_id, stage, count, median, 90th percentile by nearest rank) of the ladder stages' (track, stage, days)."""
    by_stage = {}
    for track_id, stage, days in rows:
        if stage in LADDER:
            by_stage.setdefault((track_id, stage), []).append(days)
    out = []
    for (track_id, stage), days in by_stage.items():
        days.sort()
        n = len(days)
        median = days[n // 2] if n % 2 else (days[n // 2 - 1] + days[n // 2]) / 2
        out.append((track_id, stage, n, median, days[(9 * n + 9) // 10 - 1]))
    return out


def _assemble(tracks, current, moves, exits, conversions, durations, targets, by_place_now, flows, towns,
              industries, risks) -> dict:
    now = {(track, stage): (count, paused, stale) for track, stage, count, paused, stale in current}
    moved = {(track, way, stage): (firms, in_period, after) for track, way, stage, firms, in_period, after in moves}
    stages = tuple(stage.value for stage in Stage)
    numbers = {"risks": risks}
    for track, code, _rule in tracks:
        rows = {}
        for stage in stages:
            count, paused, stale = now.get((track, stage), (0, 0, 0))
            into = moved.get((track, "in", stage), (0, 0, 0))
            out = moved.get((track, "out", stage), (0, 0, 0))
            end = count - into[2] + out[2]
            rows[stage] = (end - into[1] + out[1], into[0], out[0], end, count, int(paused or 0), int(stale or 0))
        place_now = {"town_id": {}, "industry_id": {}}
        for track_id, town, industry, stage, count in by_place_now:
            if track_id == track:
                for column, key in (("town_id", town), ("industry_id", industry)):
                    bucket = place_now[column].setdefault(key, [0, 0])
                    bucket[stage in HOLDING_STAGES] += count
        goals = {town: target for track_id, town, target in targets if track_id == track}
        flow = {"town_id": {}, "industry_id": {}}
        for track_id, town, industry, *counts in flows:
            if track_id == track:
                for column, key in (("town_id", town), ("industry_id", industry)):
                    flow[column][key] = [a + b for a, b in zip(flow[column].get(key, (0, 0, 0)), counts, strict=True)]
        places = {}
        for column, names in (("town_id", towns), ("industry_id", [*industries, (None, "未分类")])):
            places[column] = {name: (*place_now[column].get(key, (0, 0)), *flow[column].get(key, (0, 0, 0)),
                                     goals.get(key) if column == "town_id" and key is not None else None)
                              for key, name in names}
        places["industry_id"] = {name: row for name, row in places["industry_id"].items()
                                 if name != "未分类" or row[0] or row[4]}
        numbers[code] = {
            "stages": rows,
            "exits": {(stage, reason): count for track_id, stage, reason, count in exits if track_id == track},
            "conversions": {stage: (entered, reached) for track_id, stage, entered, reached in conversions
                            if track_id == track},
            "durations": {stage: (n, round(float(median), 6), round(float(p90), 6))
                          for track_id, stage, n, median, p90 in durations if track_id == track},
            "target": (sum(row[4] for row in places["town_id"].values()), goals.get(None)),
            "towns": places["town_id"], "industries": places["industry_id"],
        }
    return numbers


def page_numbers(stats) -> dict:
    """The same shape as raw_numbers(), read from the statistics the page renders."""
    numbers = {"risks": {risk.key: (risk.total, [row.firm_id for row in risk.rows]) for risk in stats.risks}}
    for track in stats.tracks:
        numbers[track.code] = {
            "stages": {row.stage: (row.start, row.entered, row.left, row.end, row.now, row.paused, row.stale)
                       for row in track.stages},
            "exits": {(row.stage, row.reason): row.count for row in track.exits},
            "conversions": {row.stage: (row.entered, row.reached) for row in track.conversions
                            if row.reached is not None and row.entered},
            "durations": {row.stage: (row.stays, round(row.median_days, 6), round(row.p90_days, 6))
                          for row in track.durations if row.stays},
            "target": (track.target.actual, track.target.target),
            "towns": {row.name: (row.in_pipeline, row.certified_now, row.entered_pool, row.certified_period,
                                 row.certified_year, row.target) for row in track.towns},
            "industries": {row.name: (row.in_pipeline, row.certified_now, row.entered_pool, row.certified_period,
                                      row.certified_year, None) for row in track.industries},
        }
    return numbers


def _window(period, now: datetime, zone) -> dict:
    from pipeline.dashboard.stats import EXPIRY_MONTHS, period_window
    from pipeline.domain.periods import add_months, local_midnight

    start, end = period_window(period, now, zone)
    through = (end.astimezone(zone) - timedelta(microseconds=1)).date()
    today = now.astimezone(zone).date()
    return {"start": start, "end": end, "now": now, "today": today, "through": through,
            "year_start": local_midnight(date(through.year, 1, 1), zone),
            "expiry_until": add_months(today, EXPIRY_MONTHS)}


def _differences(raw: dict, page: dict) -> list[str]:
    found = []
    for key in sorted(set(raw) | set(page)):
        if raw.get(key) != page.get(key):
            for part in sorted(set(raw.get(key, {})) | set(page.get(key, {}))):
                if raw.get(key, {}).get(part) != page.get(key, {}).get(part):
                    found.append(f"{key}.{part}: raw SQL {raw.get(key, {}).get(part)} ≠ page {page.get(key, {}).get(part)}")
    return found


def _get_page(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.status_code


def _in_app_context(app, function):
    """`function` called inside its own app context, as each request and each raw SQL run has one."""
    def call():
        with app.app_context():
            return function()
    return call


def _timed(call, cpu: list[float]):
    """`call`, noting this process's CPU seconds of each run in `cpu`."""
    def run():
        started = time.process_time()
        call()
        cpu.append(time.process_time() - started)
    return run


def _check_numbers(app, size: int, label: str, period, zone, limit: int) -> list[str]:
    """Differences between the page's statistics and the raw SQL on one county; the raw SQL's seconds, once."""
    from pipeline.dashboard.stats import build_funnel_stats
    from pipeline.extensions import db

    with app.app_context():
        now = datetime.now(UTC)
        window = _window(period, now, zone)
        with app.test_request_context():
            page = page_numbers(build_funnel_stats(period, now=now, zone=zone, list_limit=limit))
        db.session.remove()
        started = time.perf_counter()
        with db.engine.connect() as connection:
            raw = raw_numbers(connection, window, limit)
            connection.rollback()
        seconds = time.perf_counter() - started
    differences = _differences(raw, page)
    for line in differences[:10]:
        print(f"  ! {label} at {size:,} firms: {line}")
    print(f"  {label}: the page's numbers {'equal' if not differences else f'DIFFER in {len(differences)} places from'}"
          f" the raw SQL's at {size:,} firms (raw SQL {seconds * 1000:.0f} ms once)", flush=True)
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    goals = Goals()
    apps = {size: county_app(size, args.backend, goals, rebuild=args.rebuild) for size in (args.small, args.firms)}
    for app in apps.values():
        app.config["PIPELINE_DASHBOARD_CACHE_SECONDS"] = 0  # what is measured is the computation, not the cache

    from pipeline.domain.periods import month_period, range_period, year_period
    from pipeline.i18n import local_today, local_zone

    app = apps[args.firms]
    limit = app.config.get("PIPELINE_DASHBOARD_LIST_LIMIT", 20)
    with app.test_request_context():
        zone, today = local_zone(), local_today()
    first, last = date(today.year, today.month, 1) - timedelta(days=50), today - timedelta(days=3)
    variants = (("this month (default view)", "/dashboard/", month_period(today.year, today.month)),
                ("whole year", f"/dashboard/?period={today.year}", year_period(today.year)),
                (f"custom range {first} to {last}", f"/dashboard/?from={first}&to={last}", range_period(first, last)))
    print(f"dashboard without its cache on {args.backend}: {args.firms:,} vs {args.small:,} firms, median of "
          f"{args.rounds} interleaved rounds after 1 warm-up, goal ≤ {GOAL:g}×; machine: {python_loop_ms():.0f} ms "
          f"for the fixed Python loop", flush=True)
    for label, url, period in variants:
        differences = [line for size, county in apps.items()
                       for line in _check_numbers(county, size, label, period, zone, limit)]
        calls, cpu = {}, {}
        for username in ("officer", "leader"):
            for size, county in apps.items():
                cpu[username, size] = []
                page = partial(_get_page, logged_in_client(county, username), url)
                calls[username, size] = _timed(_in_app_context(county, page), cpu[username, size])
        seconds = interleaved_medians(calls, args.rounds)
        for username in ("officer", "leader"):
            large, small = seconds[username, args.firms], seconds[username, args.small]
            cpu_large, cpu_small = (statistics.median(cpu[username, size][1:]) for size in (args.firms, args.small))
            ok = large / small <= GOAL and not differences  # numbers that differ: a miss whatever the time
            print(f"    GET {url} as {username:<8} {large * 1000:7.0f} ms vs {small * 1000:6.0f} ms: "
                  f"{large / small:5.2f}× (goal ≤ {GOAL:g}×) {goals.check(ok)}; CPU in process "
                  f"{cpu_large * 1000:.0f} vs {cpu_small * 1000:.0f} ms ({cpu_large / cpu_small:.2f}×)", flush=True)
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
