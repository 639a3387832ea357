"""`flask funnel move` goes through move_firm like every other move."""

from sqlalchemy import func, select

from pipeline.domain.stages import Stage
from pipeline.funnel.models import FirmTrack, StageMove
from pipeline.i18n import local_today


def test_cli_moves_a_firm_up_its_track(runner, db, make_firm):
    firm = make_firm()
    db.session.commit()
    for to in ("screening", "入库"):
        result = runner.invoke(args=["funnel", "move", "--firm", firm.credit_code.lower(), "--track", "科小",
                                     "--to", to])
        assert result.exit_code == 0, result.output
    assert f"入库编号 科小-{local_today().year}-0001" in result.output
    record = db.session.scalar(select(FirmTrack).where(FirmTrack.firm_id == firm.id))
    assert record.stage is Stage.POOL
    moves = list(db.session.scalars(select(StageMove).where(StageMove.firm_id == firm.id)))
    assert [m.actor_id for m in moves] == [None, None]  # the system


def test_cli_certifies_with_number_and_date_and_records_the_user(runner, db, make_firm, make_user, place_firm):
    record = place_firm(make_firm(), "hnte", Stage.CULTIVATING)
    user = make_user(username="zhang")
    db.session.commit()
    today = local_today()
    result = runner.invoke(args=["funnel", "move", "--firm", record.firm.credit_code, "--track", "hnte",
                                 "--to", "certified", "--certificate-number", f"GR{today.year}33000001",
                                 "--issued-on", today.isoformat(), "--as", "zhang", "--note", "省厅公示"])
    assert result.exit_code == 0, result.output
    db.session.refresh(record)
    assert record.stage is Stage.CERTIFIED and record.expires_on.year == today.year + 3
    last = db.session.scalar(select(StageMove).order_by(StageMove.id.desc()).limit(1))
    assert last.actor_id == user.id and last.note == "省厅公示"


def test_cli_refusals_say_why_and_change_nothing(runner, db, make_firm, place_firm):
    record = place_firm(make_firm(), "tech_sme", Stage.POOL)
    before = db.session.scalar(select(func.count()).select_from(StageMove))
    cases = [
        (["--to", "removed"], "出库须选择原因"),
        (["--to", "screening"], "不能从“入库”直接移到“遴选”"),
        (["--to", "nowhere"], "未知阶段"),
        (["--to", "paused", "--note", "x", "--resume-on", "2027-13-01"], "日期格式应为 YYYY-MM-DD"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["funnel", "move", "--firm", record.firm.credit_code, "--track", "tech_sme",
                                     *extra])
        assert result.exit_code != 0 and message in result.output, result.output
    result = runner.invoke(args=["funnel", "move", "--firm", "NOPE", "--track", "tech_sme", "--to", "pool"])
    assert "找不到统一社会信用代码" in result.output
    result = runner.invoke(args=["funnel", "move", "--firm", record.firm.credit_code, "--track", "x", "--to", "pool"])
    assert "找不到培育类别" in result.output
    assert db.session.scalar(select(func.count()).select_from(StageMove)) == before
