from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from pipeline.forms import Form


class RuleForm(Form):
    enabled = BooleanField(_l("启用此提醒"))
    subject = StringField(_l("邮件主题"), validators=[DataRequired(_l("请填写邮件主题。")), Length(max=200)])
    body = TextAreaField(_l("提醒正文"), validators=[DataRequired(_l("请填写提醒正文。")), Length(max=4000)])


class ProgramYearForm(Form):
    tech_sme_opens_on = DateField(_l("科小评价开始日期"), validators=[Optional()])
    tech_sme_closes_on = DateField(_l("科小评价截止日期"), validators=[Optional()],
                                   description=_l("未公布可留空：只在开始当天提醒。"))
    hnte_batches = TextAreaField(_l("高企申报批次截止日期"), validators=[Length(max=500)],
                                 description=_l("每行一个日期，例如 2026-04-30。"))


    def validate_hnte_batches(self, field):
        self.batch_dates = []
        for line in (field.data or "").replace("，", "\n").replace(",", "\n").splitlines():
            if line.strip():
                try:
                    self.batch_dates.append(date.fromisoformat(line.strip()))
                except ValueError:
                    raise ValidationError(_l("“%(value)s”不是有效日期，请写作 2026-04-30。", value=line.strip())) from None


class NewYearForm(Form):
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度。")),
                                                NumberRange(2000, 2100, _l("年度应在 2000 到 2100 之间。"))])


class AnnualReportForm(Form):
    year = IntegerField(validators=[InputRequired()])
    filed = HiddenField(default="1")
    next = HiddenField()
