"""Forms of the policy catalogue and the ledger: they check shape; the services and the domain check the rest."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from pipeline.domain.policy import PolicyConditions
from pipeline.forms import Form

BENEFIT_KINDS = [SelectChoice("fixed", _l("定额奖励（万元）")), SelectChoice("rate", _l("按研发费用比例补助（可封顶）")),
                 SelectChoice("other", _l("非资金类（服务、资格、优先支持等）"))]
def _to_the_yuan(form, field) -> None:
    """万元 with at most four decimals (to the 元): the ledger keeps amounts exactly, never rounded."""
    if isinstance(field.data, Decimal) and field.data.is_finite() and field.data.as_tuple().exponent < -4:
        raise ValidationError(_l("金额最多保留 4 位小数（精确到元）。"))


def _rate_places(form, field) -> None:
    """The rate is kept as a share with four decimals: a percentage with at most two."""
    if isinstance(field.data, Decimal) and field.data.is_finite() and field.data.as_tuple().exponent < -2:
        raise ValidationError(_l("补助比例最多保留 2 位小数。"))


_AMOUNT = [Optional(), NumberRange(min=0, max=10**8), _to_the_yuan]
_PERCENT = [Optional(), NumberRange(min=0, max=100)]
_COUNT = [Optional(), NumberRange(min=0, max=10**6)]


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else value / 100


class PolicyForm(Form):
    title = StringField(_l("政策名称"), validators=[DataRequired(_l("请填写政策名称。")), Length(max=200)])
    issuer = StringField(_l("发文单位"), validators=[DataRequired(_l("请填写发文单位。")), Length(max=100)])
    document_number = StringField(_l("文号"), validators=[Optional(), Length(max=60)],
                                  description=_l("如 新政发〔2022〕1号"))
    effective_from = DateField(_l("生效日期"), validators=[InputRequired(_l("请填写生效日期。"))])
    effective_to = DateField(_l("失效日期"), validators=[Optional()], description=_l("长期有效可不填。"))
    summary = TextAreaField(_l("政策摘要"), validators=[Optional(), Length(max=4000)])
    next_step = TextAreaField(_l("办理方式"), validators=[Optional(), Length(max=2000)],
                              description=_l("企业符合条件后怎么做：申报时间、材料、联系科室。"))
    benefit_kind = SelectField(_l("享受方式"), choices=BENEFIT_KINDS)
    benefit_amount = DecimalField(_l("奖励金额（万元）"), validators=_AMOUNT)
    benefit_rate = DecimalField(_l("补助比例（研发费用的 %）"), validators=[*_PERCENT, _rate_places])
    benefit_cap = DecimalField(_l("补助上限（万元）"), validators=_AMOUNT, description=_l("不封顶可不填。"))
    benefit_text = StringField(_l("享受内容"), validators=[Optional(), Length(max=200)])
    is_award = BooleanField(_l("科技奖励（拨付时核对奖金分配：科研团队不低于 60%，其中主要贡献人员不低于 30%）"))
    track = SelectField(_l("培育类别"), choices=[])
    stages = SelectMultipleField(_l("所处阶段"), choices=[], validate_choice=True)
    first_time_this_year = BooleanField(_l("当年首次认定（如首次认定高企）"))
    towns = SelectMultipleField(_l("乡镇（街道）"), choices=[], coerce=int)
    industries = SelectMultipleField(_l("行业"), choices=[], coerce=int)
    rd_sales_min = DecimalField(_l("研发费用占销售收入比例不低于（%）"), validators=_PERCENT)
    tech_staff_ratio_min = DecimalField(_l("科技人员占比不低于（%）"), validators=_PERCENT)
    sales_min = DecimalField(_l("年销售收入不低于（万元）"), validators=_AMOUNT)
    sales_max = DecimalField(_l("年销售收入不高于（万元）"), validators=_AMOUNT)
    employees_min = IntegerField(_l("职工总数不少于（人）"), validators=_COUNT)
    employees_max = IntegerField(_l("职工总数不多于（人）"), validators=_COUNT)
    ip_class_i_min = IntegerField(_l("I 类知识产权不少于（件）"), validators=_COUNT)
    ip_class_ii_min = IntegerField(_l("II 类知识产权不少于（件）"), validators=_COUNT)
    no_vetoes = BooleanField(_l("无一票否决情形（重大事故、失信、限制类产业、核定征收、不可加计扣除行业）"))
    attachment = FileField(_l("政策文件"), description=_l("PDF、OFD、DOCX 等，按文件内容判断；不换文件可不选。"))

    def values(self) -> dict:
        return dict(title=self.title.data.strip(), issuer=self.issuer.data.strip(),
                    document_number=(self.document_number.data or "").strip(),
                    effective_from=self.effective_from.data, effective_to=self.effective_to.data,
                    summary=(self.summary.data or "").strip(), next_step=(self.next_step.data or "").strip(),
                    benefit_kind=self.benefit_kind.data, benefit_amount=self.benefit_amount.data,
                    benefit_rate=_percent(self.benefit_rate.data), benefit_cap=self.benefit_cap.data,
                    benefit_text=(self.benefit_text.data or "").strip(), is_award=self.is_award.data)

    def conditions(self, track_names: dict[str, str]) -> PolicyConditions:
        track = self.track.data or None
        return PolicyConditions(
            track=track, track_name=track_names.get(track, "") if track else "",
            stages=tuple(self.stages.data or ()) if track else (),
            first_time_this_year=bool(track and self.first_time_this_year.data),
            towns=tuple(self.towns.data or ()), industries=tuple(self.industries.data or ()),
            rd_sales_min=_percent(self.rd_sales_min.data), tech_staff_ratio_min=_percent(self.tech_staff_ratio_min.data),
            sales_min=self.sales_min.data, sales_max=self.sales_max.data, employees_min=self.employees_min.data,
            employees_max=self.employees_max.data, ip_class_i_min=self.ip_class_i_min.data,
            ip_class_ii_min=self.ip_class_ii_min.data, no_vetoes=self.no_vetoes.data)


class BudgetForm(Form):
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度。")), NumberRange(2000, 2199)])
    amount = DecimalField(_l("预算（万元）"), validators=[InputRequired(_l("请填写预算金额。")),
                                                     NumberRange(min=0, max=10**8), _to_the_yuan])


class ProposeForm(Form):
    credit_code = StringField(_l("企业统一社会信用代码"), validators=[DataRequired(_l("请填写企业统一社会信用代码。")),
                                                             Length(max=18)])
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度。")), NumberRange(2000, 2199)])
    amount = DecimalField(_l("拟奖补金额（万元）"), validators=[InputRequired(_l("请填写金额。")),
                                                         NumberRange(min=0, max=10**8), _to_the_yuan])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class ApproveForm(Form):
    amount = DecimalField(_l("审批金额（万元）"), validators=[InputRequired(_l("请填写金额。")),
                                                       NumberRange(min=0, max=10**8), _to_the_yuan])
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class PayForm(Form):
    amount = DecimalField(_l("拨付金额（万元）"), validators=[InputRequired(_l("请填写金额。")),
                                                       NumberRange(min=0, max=10**8), _to_the_yuan])
    paid_on = DateField(_l("拨付日期"), validators=[InputRequired(_l("请填写拨付日期。"))])
    document_number = StringField(_l("拨付文号"), validators=[DataRequired(_l("请填写拨付文号。")), Length(max=60)])
    team_amount = DecimalField(_l("其中分配给科研团队（万元）"), validators=_AMOUNT)
    main_amount = DecimalField(_l("其中奖励主要贡献人员（万元）"), validators=_AMOUNT)
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])


class DeclineForm(Form):
    note = StringField(_l("不予奖补的理由"), validators=[DataRequired(_l("请填写不予奖补的理由。")), Length(max=200)])


class PushForm(Form):
    include_near = BooleanField(_l("同时推送给接近符合条件的企业"))


class OptOutForm(Form):
    opted_out = BooleanField(_l("不再接收惠企政策推送邮件"))
