"""The tier a firm in the 培育库 belongs to, and whether it can apply this year (the form counties send upward).

The rule, from today's evaluation on last year's confirmed figures:
- 科小: eligible → 重点培育, 能申报. Not eligible → 中长期培育, 不能申报.
- 高企: verdict pass → 重点培育, 能申报; possible (every hard condition met, the innovation score depends on the
  experts) → 重点培育, 能申报（视专家评分）; undetermined (a year of the period lacks figures) → 中长期培育,
  待定（缺少 … 年度数据）; fail → 中长期培育, 不能申报. The 365-day registration rule and the period are judged on
  the date of the year's next application batch when the admin's calendar has one (RULES revision 2), not today;
  when every batch of the year has closed the answer is 否（本年申报批次已截止）.
- Without last year's figures the answer is 待定 (evaluated on the year before, if any, for the tier only);
  without any recent figures the firm is 中长期培育 and 待定.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _

from pipeline.domain.gaps import missing_years_text
from pipeline.domain.hnte import HnteResult, evaluate_hnte
from pipeline.i18n import translate_msg
from pipeline.indicators.assessment import FirmAssessment

KEY, LONG_TERM = "key", "long_term"


@dataclass(frozen=True)
class Tier:
    code: str  # 'key' | 'long_term'
    label: str  # 重点培育 / 中长期培育
    can_apply: str  # 能 / 能（视专家评分）/ 否 / 待定（…）
    verdict: str  # the evaluation in a few words


@dataclass(frozen=True)
class ApplicationDates:
    """This year's 高企 batches from the admin's calendar, as seen on `today`."""

    today: date
    batches: tuple[date, ...] = ()

    @property
    def next_batch(self) -> date | None:
        return next((day for day in self.batches if day >= self.today), None)

    @property
    def closed(self) -> bool:
        return bool(self.batches) and self.next_batch is None


def hnte_on_batch_date(assessment: FirmAssessment, dates: ApplicationDates | None) -> HnteResult:
    """The 高企 result judged on the next batch's date (the firm's age then), else today's result."""
    result = assessment.evaluation.hnte
    batch = dates.next_batch if dates else None
    if batch is None or batch == assessment.profile.as_of or batch.year != assessment.profile.as_of.year:
        return result
    return evaluate_hnte(replace(assessment.profile, as_of=batch))


def tier_for(track_code: str, assessment: FirmAssessment | None, dates: ApplicationDates | None = None) -> Tier:
    """Tier and 今年能否申报 of a firm on a track (see the module docstring for the rule)."""
    if assessment is None or not assessment.ok:
        reason = assessment.problem if assessment is not None else _("无指标")
        return Tier(LONG_TERM, _("中长期培育"), _("待定（%(reason)s）", reason=reason), "")
    if track_code == "tech_sme":
        r = assessment.evaluation.tech_sme
        key = r.eligible
        answer = _("能") if key else _("否")
        verdict = _("%(score)s 分，%(result)s", score=r.score, result=_("符合") if key else _("不符合"))
    else:
        r = hnte_on_batch_date(assessment, dates)
        key = r.verdict in ("pass", "possible")
        answer = _hnte_answer(r)
        verdict = _("创新能力 %(low)s–%(high)s 分", low=r.innovation.min, high=r.innovation.max)
        if dates is not None and dates.closed:
            answer = _("否（本年申报批次已截止）")
    if assessment.stale:
        answer = _("待定（缺少 %(year)s 年度指标）", year=assessment.today.year - 1)
    return Tier(KEY if key else LONG_TERM, _("重点培育") if key else _("中长期培育"), answer, verdict)


def _hnte_answer(r: HnteResult) -> str:
    if r.verdict == "undetermined":
        return _("待定（%(reason)s）", reason=translate_msg(missing_years_text(r.missing_years)))
    return {"pass": _("能"), "possible": _("能（视专家评分）"), "fail": _("否")}[r.verdict]
