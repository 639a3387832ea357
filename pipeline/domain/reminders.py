"""When each reminder rule is due, and the {占位符} texts that admins edit. Plain Python: dates in, dates out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from string import Formatter

from pipeline.domain.text import M_, N_, Join, Msg


class RuleCode(StrEnum):
    HNTE_EXPIRY = "hnte_expiry"  # 1. 高企证书到期
    HNTE_ANNUAL_REPORT = "hnte_annual_report"  # 2. 高企年度发展情况报表
    TECH_SME_EVALUATION = "tech_sme_evaluation"  # 3. 科小年度评价
    STALE_DIGEST = "stale_digest"  # 4. 超期未跟进周报
    PAUSE_ENDED = "pause_ended"  # 5. 暂缓期满
    HNTE_BATCH = "hnte_batch"  # 6. 高企申报批次
    CERT_EXPIRED = "cert_expired"  # 7. 资格到期（已移至“已过期”）
    HNTE_RECERT = "hnte_recert"  # 8. 高企到期当年重新认定申报批次


RULE_LABELS = {
    RuleCode.HNTE_EXPIRY: N_("高企证书到期提醒"),
    RuleCode.HNTE_ANNUAL_REPORT: N_("高企年度发展情况报表提醒"),
    RuleCode.TECH_SME_EVALUATION: N_("科小年度评价提醒"),
    RuleCode.STALE_DIGEST: N_("超期未跟进企业周报"),
    RuleCode.PAUSE_ENDED: N_("暂缓期满提醒"),
    RuleCode.HNTE_BATCH: N_("高企申报批次提醒"),
    RuleCode.CERT_EXPIRED: N_("资格到期通知"),
    RuleCode.HNTE_RECERT: N_("高企重新认定申报提醒"),
}

RULE_SCHEDULES = {
    RuleCode.HNTE_EXPIRY: N_("证书到期前 180、90、30 天，发给企业联系人和责任专员"),
    RuleCode.HNTE_ANNUAL_REPORT: N_("每年 5 月 1 日和 5 月 20 日，发给尚未填报的已认定高企"),
    RuleCode.TECH_SME_EVALUATION: N_("评价窗口开启当天和截止前 14 天，发给本年度尚无入库登记编号的科小培育企业"),
    RuleCode.STALE_DIGEST: N_("每周一，发给责任专员（列出超过阶段跟进期限的企业）"),
    RuleCode.PAUSE_ENDED: N_("暂缓截止当天，发给责任专员"),
    RuleCode.HNTE_BATCH: N_("各申报批次截止前 30 天和 7 天，发给培育阶段且评估结论为“通过”或“可能通过”的高企培育企业"),
    RuleCode.CERT_EXPIRED: N_("有效期届满次日（科小为 1 月 1 日），记录移至“已过期”后，发给企业联系人和责任专员"),
    RuleCode.HNTE_RECERT: N_("证书到期当年各申报批次截止前 30 天和 7 天，发给当年到期（含已到期、重新认定未通过）尚未申报的高企及其责任专员"),
}

# The {placeholders} each rule's texts may use. Chinese names: the admins who edit the texts read Chinese.
PLACEHOLDERS = {
    RuleCode.HNTE_EXPIRY: ("企业名称", "证书编号", "到期日期", "剩余天数"),
    RuleCode.HNTE_ANNUAL_REPORT: ("企业名称", "报告年度", "截止日期", "剩余天数"),
    RuleCode.TECH_SME_EVALUATION: ("企业名称", "评价年度", "开始日期", "截止日期"),
    RuleCode.STALE_DIGEST: ("专员姓名", "企业数"),
    RuleCode.PAUSE_ENDED: ("企业名称", "培育类型", "暂缓截止日期", "暂缓原因"),
    RuleCode.HNTE_BATCH: ("企业名称", "批次截止日期", "剩余天数", "评估结论"),
    RuleCode.CERT_EXPIRED: ("企业名称", "资格名称", "证书编号", "到期日期"),
    RuleCode.HNTE_RECERT: ("企业名称", "证书编号", "到期日期", "批次截止日期", "剩余天数"),
}

HNTE_EXPIRY_DAYS_BEFORE = (180, 90, 30)
ANNUAL_REPORT_REMINDER_DAYS = ((5, 1), (5, 20))  # (month, day); the report is due 31 May
TECH_SME_CLOSING_DAYS_BEFORE = 14
HNTE_BATCH_DAYS_BEFORE = (30, 7)


def latest_due(fire_dates: Iterable[date], today: date, catch_up_days: int) -> date | None:
    """Return the latest fire date in [today − catch_up_days, today]: a day missed while down is sent late, once."""
    due = [d for d in fire_dates if today - timedelta(days=catch_up_days) <= d <= today]
    return max(due, default=None)


def hnte_expiry_dates(expires_on: date) -> list[date]:
    """Return the days on which a 高企 certificate's expiry is announced."""
    return [expires_on - timedelta(days=n) for n in HNTE_EXPIRY_DAYS_BEFORE]


def annual_report_dates(year: int) -> list[date]:
    """Return the days in `year` on which firms that have not filed the annual report are reminded."""
    return [date(year, month, day) for month, day in ANNUAL_REPORT_REMINDER_DAYS]


def evaluation_window_dates(opens_on: date, closes_on: date | None) -> list[date]:
    """Return the opening day of the 科小 window and, when it has a closing day, 14 days before it."""
    dates = [opens_on]
    if closes_on is not None:
        dates.append(max(opens_on, closes_on - timedelta(days=TECH_SME_CLOSING_DAYS_BEFORE)))
    return dates


def batch_dates(batch_due_on: date) -> list[date]:
    """Return the days on which a 高企 application batch is announced."""
    return [batch_due_on - timedelta(days=n) for n in HNTE_BATCH_DAYS_BEFORE]


def expiry_notice_dates(expires_on: date) -> list[date]:
    """Return the day an expired status is announced: the day after its expiry date (when the record expires)."""
    return [expires_on + timedelta(days=1)]


def digest_day(today: date) -> date:
    """Return the Monday of today's week: the weekly digest is due that day."""
    return today - timedelta(days=today.weekday())


def template_errors(template: str, allowed: Iterable[str]) -> list[Msg]:
    """Return what is wrong with a text template: bad braces or a {placeholder} the rule does not offer."""
    allowed = set(allowed)
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in Formatter().parse(template)
                  if name is not None]
    except ValueError:
        return [M_("花括号不成对：占位符写作 {企业名称}，原样显示花括号请写 {{ 或 }}。")]
    offered = Join(tuple(f"{{{a}}}" for a in sorted(allowed)))
    errors = [M_("不认识的占位符 {%(name)s}；可用的有：%(offered)s", name=name, offered=offered)
              for name, spec, conversion in fields if name not in allowed or spec or conversion]
    return list({str(error): error for error in errors}.values())


def fill_template(template: str, values: Mapping[str, object]) -> str:
    """Fill {placeholders} with values; the template must have passed template_errors()."""
    return template.format_map({key: str(value) for key, value in values.items()})
