"""The settings a new county starts with: the reminder rules' default texts and the program calendar that
migrations 0003 and 0017 gave the first county (a test keeps the two the same). The admin edits them later."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert

from pipeline.extensions import db
from pipeline.reminders.models import HnteBatch, ProgramYear, ReminderRule

# code → (subject, body); {占位符} are filled when a reminder is sent.
DEFAULT_RULES: dict[str, tuple[str, str]] = {
    'hnte_expiry': (
        '{企业名称}高新技术企业证书将于{到期日期}到期',
        '{企业名称}的高新技术企业证书（证书编号：{证书编号}）将于 {到期日期} 到期，'
        '距今还有 {剩余天数} 天。\n高新技术企业资格到期后不能续期，'
        '需在到期当年重新申报认定。请提前准备近三个会计年度的研发费用、高新技术产品（服务）收入和知识产权等材料，'
        '按时参加到期当年的高企认定申报。'),
    'hnte_annual_report': (
        '请于{截止日期}前填报{报告年度}年度高新技术企业发展情况报表',
        '高新技术企业应于每年 5 月 31 日前，在“高新技术企业认定管理工作网”填报上一年度的知识产权、科技人员、研发费用、经营收入等年度发展情况报表。'
        '\n系统显示贵公司尚未填报 {报告年度} 年度报表，'
        '截止日期为 {截止日期}（还有 {剩余天数} 天）。'
        '连续两年未填报的，将被取消高新技术企业资格。填报完成后，'
        '请登录本系统标记为“已填报”。'),
    'tech_sme_evaluation': (
        '{评价年度}年度科技型中小企业评价填报提醒（截止日期：{截止日期}）',
        '{评价年度}年度科技型中小企业评价填报时间为 {开始日期} 至 {截止日期}。'
        '\n科技型中小企业入库登记编号仅当年有效，贵公司目前尚无 {评价年度} 年度的入库登记编号。'
        '请在截止日期前登录“科技型中小企业服务平台”，按上一年度财务数据完成自评并提交。'),
    'stale_digest': (
        '本周有 {企业数} 家企业超过跟进期限',
        '以下 {企业数} 家您负责的企业已超过所处阶段的跟进期限，'
        '请尽快走访或更新跟进记录：'),
    'pause_ended': (
        '{企业名称}的暂缓期已于{暂缓截止日期}结束',
        '{企业名称}在{培育类型}培育中的暂缓期已于 {暂缓截止日期} 结束（暂缓原因：{暂缓原因}）。'
        '请与企业联系，恢复培育或调整其所处阶段。'),
    'hnte_batch': (
        '高新技术企业认定申报将于{批次截止日期}截止',
        '本年度高新技术企业认定申报批次将于 {批次截止日期} 截止（还有 {剩余天数} 天）。'
        '\n根据系统对贵公司现有数据的初步评估，贵公司{评估结论}。'
        '请尽快准备申报材料，按时在“高新技术企业认定管理工作网”提交申请；'
        '如需辅导，请联系县科技局。'),
    'cert_expired': (
        '{企业名称}的{资格名称}资格已于{到期日期}到期',
        '{企业名称}的{资格名称}资格（编号：{证书编号}）已于 {到期日期} 到期，'
        '系统已将其记录移至“已过期”，此后不再计入有效的{资格名称}。'
        '\n高新技术企业资格不能续期，需在到期当年重新申报认定；'
        '科技型中小企业入库登记编号仅当年有效，需在本年度评价时间内重新评价登记。'
        '如已重新取得资格，请告知县科技局更新记录。'),
    'hnte_recert': (
        '{企业名称}的高企证书{到期日期}到期，请在{批次截止日期}前重新申报认定',
        '{企业名称}的高新技术企业证书（证书编号：{证书编号}）有效期至 {到期日期}。'
        '高新技术企业资格不能续期，须在证书到期当年重新申报认定，'
        '否则需补缴已享受的税收优惠。\n本年度申报批次将于 {批次截止日期} 截止（还有 {剩余天数} 天），'
        '请抓紧准备近三个会计年度的研发费用、高新技术产品（服务）收入和知识产权等材料；'
        '已申报的，请告知县科技局登记为“重新认定申报中”。'),
}
# year → (科小 window opens, closes or None, 高企 batch closing days)
DEFAULT_YEARS: dict[int, tuple[date, date | None, tuple[date, ...]]] = {
    2024: (date(2024, 6, 27), None, (date(2024, 4, 30), date(2024, 7, 31),)),
    2025: (date(2025, 6, 30), date(2025, 9, 30), (date(2025, 4, 30), date(2025, 7, 31),)),
    2026: (date(2026, 6, 1), date(2026, 8, 31), (date(2026, 4, 30), date(2026, 7, 31),)),
}


def seed_county_settings(county_id: int) -> None:
    """Give a new county the default reminder rules and program calendar (tenancy's add_authority calls this)."""
    db.session.execute(insert(ReminderRule), [
        dict(county_id=county_id, code=code, enabled=True, subject_template=subject, body_template=body)
        for code, (subject, body) in DEFAULT_RULES.items()])
    db.session.execute(insert(ProgramYear), [
        dict(county_id=county_id, year=year, tech_sme_opens_on=opens_on, tech_sme_closes_on=closes_on)
        for year, (opens_on, closes_on, _batches) in DEFAULT_YEARS.items()])
    db.session.execute(insert(HnteBatch), [
        dict(county_id=county_id, year=year, due_on=due_on)
        for year, (_opens, _closes, batches) in DEFAULT_YEARS.items() for due_on in batches])
