"""A city of 10 counties × 10,000 firms against a single county of 10,000 firms (issue 24, "Scale").

    python bench/bench_tenancy.py [--backend postgresql] [--rebuild] [--rounds 7] [--rls-rounds 15]

PostgreSQL only: row-level security exists only there, and SQLite serves one county (the script says so and exits
0 on SQLite). Two scratch databases: `pipeline_bench_city_single_10000`, one county of 10,000 firms built as
bench/common.py builds every county (`seed_bulk_demo`, its demo users), and `pipeline_bench_city_10x10000`, a city
(市) of ten counties made with `add_authority` — county 1 (the installation's own) and counties 2–10 with their
行政区划代码 — each filled by the same bulk builder into its own county (`build_county(county_id=…)`: its own towns
and industries, ids and credit codes after the previous county's, pool numbers prefixed with its code). The builder
draws every county from the same seed, so each county of the city holds the same firms, histories and figures as the
single county. Each county has an officer, an officer limited to two towns (南明街道, 羽林街道, as the demo's
officer2) and a leader, its firms assigned to them as the demo assigns them; the city has a leader. Both databases
are reused while their firm counts match (`--rebuild` builds them again).

Every page is a test-client GET (status 200, the whole request) logged in as one of those users, timed as the median
of several rounds after a warm-up, the sides of a ratio taking turns in every round (bench/common.py:
interleaved_medians); the dashboard's cache is off (PIPELINE_DASHBOARD_CACHE_SECONDS = 0). Goals (issue 24):
1. each county's pages in the city — board 科小 and 高企, firm list, dashboard as officer and as leader — against
   the same page of the single 10,000-firm county: ≤ 1.5× (judged on the worst of the ten counties);
2. the city leader's roll-up — /dashboard/ as the city leader (when it does not send them to /rollup/), /rollup/
   and its drill-down to a county, once they exist — against a county leader's /dashboard/ in the same city: ≤ 2×;
3. row-level security: the same officer pages of a county with the policies on (the request's transaction runs as
   `pipeline_tenant` with `pipeline.authority_ids` set, as in production) and off (apply_to_connection patched to
   leave the connection as the table owner, whom the policies do not bind; the app's own ORM filters stay): ≤ 1.10×.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    Goals,
    _bench_app,
    _firm_count,
    _wipe,
    add_backend_argument,
    add_rebuild_argument,
    analyze,
    counted_statements,
    county_app,
    interleaved_medians,
    logged_in_client,
    python_loop_ms,
    scratch_url,
)

COUNTY_GOAL = 1.5  # a county's page in the city against the single county's
ROLLUP_GOAL = 2.0  # the city leader's roll-up against a county leader's dashboard
RLS_GOAL = 1.10  # the policies on against off
FIRMS = 10_000
CITY = ("绍兴市", "330600")
# County 1 is the installation's own (no code: its pool numbers stay as they are); the others need a code.
COUNTIES = [("新昌县", None), ("越城区", "330602"), ("柯桥区", "330603"), ("上虞区", "330604"), ("诸暨市", "330681"),
            ("嵊州市", "330683"), ("示范一区", "330691"), ("示范二区", "330692"), ("示范三区", "330693"),
            ("示范四区", "330694")]
LIMITED_TOWNS = ("南明街道", "羽林街道")  # the demo's officer2 (pipeline/demo.py)
CITY_LEADER = "leader_city"
CITY_DATABASE = f"city_{len(COUNTIES)}x{FIRMS}"  # pipeline_bench_city_10x10000
PAGES = [  # (label, URL, role) of every county page compared with the single county
    ("board 科小", "/funnel/", "officer"),
    ("board 高企", "/funnel/?track=hnte", "officer"),
    ("firm list, first page", "/firms/", "officer"),
    ("dashboard, officer", "/dashboard/", "officer"),
    ("dashboard, leader", "/dashboard/", "leader"),
]
RLS_PAGES = PAGES[:3]  # the goal is on the board and list pages; the dashboard is printed beside them
RLS_COUNTIES = (1, 10)


def username(role: str, county: int) -> str:
    return f"{role}_c{county}"


def city_app(goals: Goals, *, rebuild: bool, name: str = CITY_DATABASE):
    """The app on the city's scratch database, built if missing or of another size."""
    from flask_migrate import upgrade

    from pipeline.extensions import db

    app = _bench_app(scratch_url(name, "postgresql"))
    with app.app_context():
        if rebuild or _firm_count(db) != FIRMS * len(COUNTIES) or not _has_user(CITY_LEADER):
            started = time.perf_counter()
            _wipe(db)
            upgrade()
            build_city()
            analyze(db)
            seconds = time.perf_counter() - started
            print(f"  built a city of {len(COUNTIES)} counties × {FIRMS:,} firms in {seconds:.1f} s", flush=True)
        else:
            upgrade()
        db.session.remove()
    return app


def _has_user(name: str) -> bool:
    from sqlalchemy import select

    from pipeline.auth.models import User
    from pipeline.extensions import db

    return db.session.scalar(select(User.id).where(User.username == name)) is not None


def build_city() -> None:
    """The city and its counties (add_authority), each county's firms (the bulk builder) and users."""
    from pipeline.extensions import db
    from pipeline.tenancy.models import Authority
    from pipeline.tenancy.services import add_authority

    city = add_authority("city", CITY[0], code=CITY[1], bureau_name=f"{CITY[0]}科学技术局")
    first = db.session.get(Authority, 1)
    first.name, first.parent_id, first.bureau_name = COUNTIES[0][0], city.id, f"{COUNTIES[0][0]}科学技术局"
    ids = [1] + [add_authority("county", name, code=code, parent_id=city.id, bureau_name=f"{name}科学技术局").id
                 for name, code in COUNTIES[1:]]
    db.session.commit()
    for number, county_id in enumerate(ids, start=1):
        started = time.perf_counter()
        build_one_county(number, county_id)
        db.session.commit()
        print(f"  county {number} ({COUNTIES[number - 1][0]}, id {county_id}): {FIRMS:,} firms in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    leader = _user("leader", 1, ids[0], name=CITY_LEADER)
    db.session.commit()
    # A city user belongs to no county: its authority is the city (set as the owner, outside any county's scope).
    leader.authority_id = city.id
    db.session.commit()


def build_one_county(number: int, county_id: int) -> None:
    from sqlalchemy import select, update

    from pipeline.bulk_county import build_county
    from pipeline.extensions import db
    from pipeline.firms.models import Firm, ServiceRecord, Town
    from pipeline.tenancy.scope import county_scope, use_scope

    build_county(FIRMS, now=datetime.now(UTC), county_id=county_id)
    with use_scope(county_scope(county_id), db.session):
        officer, limited = _user("officer", number, county_id), _user("officer2", number, county_id)
        _user("leader", number, county_id)
        limited.towns = list(db.session.scalars(select(Town).where(Town.county_id == county_id,
                                                                  Town.name.in_(LIMITED_TOWNS))))
        db.session.flush()
        # As pipeline/demo.py: assign_officers, then the services recorded by the firm's own officer.
        mine = Firm.county_id == county_id
        db.session.execute(update(Firm).where(mine, Firm.officer_id.is_(None),
                                              Firm.town_id.in_([town.id for town in limited.towns]))
                           .values(officer_id=limited.id))
        db.session.execute(update(Firm).where(mine, Firm.officer_id.is_(None)).values(officer_id=officer.id))
        db.session.execute(update(ServiceRecord).where(ServiceRecord.officer_id.is_(None)).values(
            officer_id=select(Firm.officer_id).where(Firm.id == ServiceRecord.firm_id).scalar_subquery()))
        db.session.commit()


def _user(role: str, number: int, county_id: int, *, name: str | None = None):
    from pipeline.auth.services import create_user
    from pipeline.extensions import db
    from pipeline.tenancy.scope import county_scope, use_scope

    with use_scope(county_scope(county_id), db.session):
        name = name or username(role, number)
        return create_user(name, role.removesuffix("2"), secrets.token_urlsafe(18), display_name=name,
                           email=f"{name}@example.com")


class Rls:
    """Row-level security on (production) or off: off, apply_to_connection leaves a restricted scope's connection
    as the owner, whom the policies do not bind; the ORM's own county filters still apply."""

    def __init__(self):
        import pipeline.tenancy.scope as scope

        self.on, self.scope, self.original = True, scope, scope.apply_to_connection
        scope.apply_to_connection = self.apply

    def apply(self, connection, scope) -> None:
        if self.on or not scope.restricted:
            self.original(connection, scope)


def rows_seen(app, county_id: int) -> int:
    """firm rows a raw SQL count sees in a county's scope: the policies' work, the ORM's filters aside."""
    from pipeline.extensions import db
    from pipeline.tenancy.scope import county_scope, use_scope

    with app.app_context(), use_scope(county_scope(county_id)):
        seen = db.session.connection().exec_driver_sql("SELECT count(*) FROM firm").scalar()
        db.session.remove()
    return seen


def get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return response


def statements(app, client, url: str) -> int:
    with counted_statements(app) as counted:
        get(client, url)
    return len(counted)


def judge_counties(single, city, rounds: int, goals: Goals) -> None:
    print(f"\n1. each county's pages in the city vs the single {FIRMS:,}-firm county, median of {rounds} rounds "
          f"(the single county and the ten take turns); goal ≤ {COUNTY_GOAL}× for every county")
    print(f"{'page':24} {'single ms':>9} {'counties ms: median (min–max)':>30} {'worst':>6} {'at':>4} {'verdict':7} "
          f"{'statements':>10}")
    for label, url, role in PAGES:
        clients = {"single": (single, logged_in_client(single, role))}
        clients |= {f"c{n}": (city, logged_in_client(city, username(role, n))) for n in range(1, len(COUNTIES) + 1)}
        seconds = interleaved_medians({key: lambda c=client, u=url: get(c, u)
                                       for key, (_app, client) in clients.items()}, rounds)
        base = seconds.pop("single")
        worst = max(seconds, key=seconds.get)
        ratio = seconds[worst] / base
        counts = {key: statements(app, client, url) for key, (app, client) in clients.items()}
        county_counts = sorted({counts[key] for key in seconds})
        print(f"{label:24} {base * 1000:9.1f} {statistics.median(seconds.values()) * 1000:13.1f} "
              f"({min(seconds.values()) * 1000:.1f}–{max(seconds.values()) * 1000:.1f}) {ratio:8.2f}× {worst:>4} "
              f"{goals.check(ratio <= COUNTY_GOAL):7} {counts['single']:>4} vs {'/'.join(map(str, county_counts))}",
              flush=True)
        print("    " + "  ".join(f"{key} {value / base:.2f}×" for key, value in seconds.items()), flush=True)


def judge_rollup(single, city, rounds: int, goals: Goals) -> None:
    print(f"\n2. the city leader's roll-up pages vs a county leader's dashboard in the same city, median of {rounds} "
          f"rounds; goal ≤ {ROLLUP_GOAL}× (the single county's leader beside them)")
    city_leader, county_leader = logged_in_client(city, CITY_LEADER), logged_in_client(city, username("leader", 1))
    single_leader = logged_in_client(single, "leader")
    for label, url in (("/dashboard/", "/dashboard/"), ("/rollup/ (every county)", "/rollup/"),
                       ("/rollup/counties/1 (drill-down)", "/rollup/counties/1")):
        answer = city_leader.get(url)
        if answer.status_code != 200:
            where = f" to {answer.headers.get('Location')}" if answer.status_code in (301, 302, 303) else ""
            print(f"{label:32} as the city leader answers {answer.status_code}{where}: not measured", flush=True)
            continue
        seconds = interleaved_medians({"city": lambda u=url: get(city_leader, u),
                                       "county": lambda: get(county_leader, "/dashboard/"),
                                       "single": lambda: get(single_leader, "/dashboard/")}, rounds)
        ratio = seconds["city"] / seconds["county"]
        print(f"{label:32} {seconds['city'] * 1000:8.1f} ms vs county 1's leader {seconds['county'] * 1000:.1f} ms: "
              f"{ratio:.2f}× {goals.check(ratio <= ROLLUP_GOAL)} (the single county's leader "
              f"{seconds['single'] * 1000:.1f} ms); statements {statements(city, city_leader, url)} vs "
              f"{statements(city, county_leader, '/dashboard/')}", flush=True)


def judge_rls(single, city, rounds: int, goals: Goals) -> None:
    rls = Rls()
    print(f"\n3. row-level security on vs off (off: the connection stays the table owner, the app's filters stay), "
          f"median of {rounds} rounds taking turns; goal ≤ {RLS_GOAL}× on the board and list pages")
    for county in RLS_COUNTIES:
        rls.on = False
        off = rows_seen(city, county)
        rls.on = True
        print(f"  raw SELECT count(*) FROM firm in county {county}'s scope: {rows_seen(city, county):,} rows with the "
              f"policies, {off:,} without", flush=True)
    sides = [(f"city, county {n}", city, username("officer", n)) for n in RLS_COUNTIES]
    sides.append((f"single {FIRMS:,}-firm county", single, "officer"))
    for side, app, user in sides:
        client = logged_in_client(app, user)
        for label, url, _role in PAGES[:4]:
            def call(on, c=client, u=url):
                rls.on = on
                get(c, u)

            seconds = interleaved_medians({"on": lambda: call(True), "off": lambda: call(False)}, rounds)
            rls.on = True
            ratio = seconds["on"] / seconds["off"]
            verdict = goals.check(ratio <= RLS_GOAL) if (label, url, _role) in RLS_PAGES else "(no goal)"
            print(f"{side:26} {label:24} on {seconds['on'] * 1000:7.1f} ms  off {seconds['off'] * 1000:7.1f} ms  "
                  f"{ratio:5.2f}×  {verdict}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_backend_argument(parser)
    add_rebuild_argument(parser)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rls-rounds", type=int, default=15)
    parser.add_argument("--only", default="1,2,3", help="which parts: 1 (counties), 2 (roll-up), 3 (RLS)")
    parser.add_argument("--city-database", default=CITY_DATABASE,
                        help="the city's database after pipeline_bench_ (a copy with trial indexes, say)")
    args = parser.parse_args()
    if args.backend != "postgresql":
        print("skipped on SQLite: it serves one county, and row-level security exists only on PostgreSQL")
        return 0
    goals = Goals()
    os.environ["BENCH_TAG"] = "city_single_"  # the single county: pipeline_bench_city_single_10000
    single = county_app(FIRMS, args.backend, goals, rebuild=args.rebuild)
    city = city_app(goals, rebuild=args.rebuild, name=args.city_database)
    for app in (single, city):
        app.config["PIPELINE_DASHBOARD_CACHE_SECONDS"] = 0  # what is measured is the computation, not the cache
    print(f"a city of {len(COUNTIES)} counties × {FIRMS:,} firms vs one county of {FIRMS:,} firms on PostgreSQL; "
          f"machine speed: a fixed Python loop takes {python_loop_ms():.0f} ms", flush=True)
    parts = set(args.only.split(","))
    if "1" in parts:
        judge_counties(single, city, args.rounds, goals)
    if "2" in parts:
        judge_rollup(single, city, args.rounds, goals)
    if "3" in parts:
        judge_rls(single, city, args.rls_rounds, goals)
    print(f"\nmachine speed at the end: {python_loop_ms():.0f} ms; {goals.missed} goal(s) missed", flush=True)
    return goals.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
