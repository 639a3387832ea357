"""Forms for a firm's figures. They check shape (numbers, ranges, tech staff within employees) with the same
checker as the Excel import, so every screen says the same thing about the same mistake."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from pipeline.domain.ip import KIND_LABELS
from pipeline.forms import Form
from pipeline.indicators.values import (
    COUNT_FACTS,
    DIRECT_FACTS,
    DOMAIN_CHOICES,
    EXPERT_FACTS,
    FACT_LABELS,
    FIRM_FACTS,
    FLAG_FACTS,
    UNKNOWN_WHEN_BLANK,
    YEAR_FIELDS,
    YEAR_LABELS,
    check_facts,
    check_year,
)


def year_choices(today, span: int = 8) -> list[SelectChoice]:
    """The fiscal years offered, newest first: the current year, then back `span` years (the form preselects last
    year, the one usually filed)."""
    return [SelectChoice(str(year), str(year)) for year in range(today.year, today.year - span - 1, -1)]


class _YearForm(Form):
    fiscal_year = SelectField(_l("数据年度"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.checked = check_year({name: self[name].data for name in YEAR_FIELDS})
        for name, message in self.checked.errors.items():
            self[name].errors.append(message)
        return ok and not self.checked.errors

    @property
    def year_fields(self):
        return [self[name] for name in YEAR_FIELDS]


def _year_form_class() -> type[Form]:
    attrs = {}
    for name in YEAR_FIELDS:
        description = _l("可不填，默认等于研发费用") if name == "rd_domestic" else ""
        attrs[name] = StringField(_l(YEAR_LABELS[name]), description=description,
                                  render_kw={"inputmode": "decimal", "autocomplete": "off"})
    return type("YearForm", (_YearForm,), attrs)


YearForm = _year_form_class()


class _FactsForm(Form):
    NAMES: tuple[str, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.checked = check_facts({name: self[name].data for name in self.NAMES}, self.NAMES)
        for name, message in self.checked.errors.items():
            self[name].errors.append(message)
        return ok and not self.checked.errors

    def group(self, names) -> list:
        return [self[name] for name in names if name in self.NAMES]


def _facts_form_class(class_name: str, names: tuple[str, ...]) -> type[Form]:
    attrs = {"NAMES": names}
    for name in names:
        label = _l(FACT_LABELS[name])
        if name == "hnte_domain":
            choices = [SelectChoice("", _l("（未填写）"))] + [SelectChoice(d, _l(d)) for d in DOMAIN_CHOICES]
            attrs[name] = SelectField(label, choices=choices, default="")
        elif name in COUNT_FACTS or name in EXPERT_FACTS:
            hint = (_l("可不填：未评分时按可能的分数范围估算") if name in EXPERT_FACTS else
                    _l("不清楚可不填：按可能的分数范围估算，不按 0 计") if name in UNKNOWN_WHEN_BLANK else "")
            attrs[name] = StringField(label, description=hint, render_kw={"inputmode": "numeric"})
        else:
            attrs[name] = BooleanField(label)
    return type(class_name, (_FactsForm,), attrs)


ALL_FACTS = (*COUNT_FACTS[:2], "hnte_domain", COUNT_FACTS[2], "ip_acquired_only", *DIRECT_FACTS, *FLAG_FACTS,
             *EXPERT_FACTS)
FactsForm = _facts_form_class("FactsForm", ALL_FACTS)
FirmFactsForm = _facts_form_class("FirmFactsForm", FIRM_FACTS)
GROUPS = {
    "basic": (*COUNT_FACTS, "hnte_domain"),
    "ip_origin": ("ip_acquired_only",),
    "direct": DIRECT_FACTS,
    "flags": FLAG_FACTS,
    "expert": EXPERT_FACTS,
}


class ReviewForm(Form):
    note = TextAreaField(_l("退回说明"), validators=[Length(max=500)])


class EnterScreeningForm(Form):
    """Only the CSRF token: the firm ids come as a list of checkboxes named firm_id."""


class IpItemForm(Form):
    """One IP item as on its certificate."""

    kind = SelectField(_l("类型"), choices=[SelectChoice(kind.value, _l(label)) for kind, label in KIND_LABELS.items()])
    number = StringField(_l("专利号 / 登记号"), validators=[DataRequired(_l("请填写专利号或登记号。")), Length(max=40)])
    title = StringField(_l("名称"), validators=[DataRequired(_l("请填写知识产权名称。")), Length(max=200)])
    granted_on = DateField(_l("授权（登记）日期"), validators=[DataRequired(_l("请填写授权（登记）日期。"))],
                           description=_l("受让、受赠或并购取得的，填取得日期。"))
    acquired = BooleanField(_l("受让、受赠或并购取得（非自主研发）"))


class RecognitionItemsForm(Form):
    """The items a successful 高企 application used: ticked boxes named item (the firm's items are the choices)."""

    item = SelectMultipleField(coerce=int, validate_choice=True)
    next = HiddenField()
