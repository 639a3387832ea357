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


def test_seed_demo_spreads_firms_over_tracks_and_stages_with_real_history(runner, db):
    from pipeline.domain.stages import Stage
    from pipeline.funnel.models import FirmTrack, StageMove

    result = runner.invoke(args=["seed-demo", "--firms", "60"])
    assert result.exit_code == 0, result.output
    counts = (db.session.scalar(select(func.count(FirmTrack.id))), db.session.scalar(select(func.count(StageMove.id))))
    stages = set(db.session.scalars(select(FirmTrack.stage)))
    assert {Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED} <= stages
    assert counts[1] > counts[0] > 30
    pool_numbers = [n for n in db.session.scalars(select(FirmTrack.pool_number)) if n]
    assert len(pool_numbers) == len(set(pool_numbers))
    # Every record's history ends in its current stage, and the history starts up to two years ago.
    for record in db.session.scalars(select(FirmTrack)):
        last = db.session.scalar(select(StageMove).where(StageMove.firm_track_id == record.id)
                                 .order_by(StageMove.moved_at.desc(), StageMove.id.desc()).limit(1))
        assert last.to_stage is record.stage
    again = runner.invoke(args=["seed-demo", "--firms", "60"])
    assert again.exit_code == 0 and "新增阶段变动 0 条" in again.output
    assert (db.session.scalar(select(func.count(FirmTrack.id))),
            db.session.scalar(select(func.count(StageMove.id)))) == counts


def test_seed_demo_gives_hnte_firms_ip_items_some_used_in_a_past_recognition(runner, db):
    from pipeline.domain.ip import ip_class
    from pipeline.indicators.models import IpItem, IpItemUse

    assert runner.invoke(args=["seed-demo", "--firms", "60"]).exit_code == 0
    items = list(db.session.scalars(select(IpItem)))
    uses = list(db.session.scalars(select(IpItemUse)))
    assert len({i.firm_id for i in items}) >= 5 and uses
    assert {i.firm_id for i in items} > {u.item.firm_id for u in uses}  # some firms' items were never used
    for use in uses:  # a use is a 高企 recognition of the item's own firm, after the item was granted
        assert use.recognition.firm_id == use.item.firm_id and use.item.granted_on <= use.recognition.issued_on
    class_ii = [u.ip_item_id for u in uses if ip_class(u.item.kind) == 2]
    assert len(class_ii) == len(set(class_ii))  # Class II: one application only
    assert runner.invoke(args=["seed-demo", "--firms", "60"]).exit_code == 0
    assert db.session.scalar(select(func.count(IpItem.id))) == len(items)
