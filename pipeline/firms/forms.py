"""Forms of the firm register: they check shape; the services check policy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from pipeline.firms.models import SERVICE_KIND_LABELS
from pipeline.forms import Form


def int_or_none(value):
    """Coerce a select's value: '' or None means 'none chosen'."""
    if value in (None, "", "None"):
        return None
    return int(value)


def choices(rows, *, blank=None) -> list[SelectChoice]:
    """Choices from rows with id and name (or label); `blank` adds an empty first choice."""
    made = [SelectChoice("", blank)] if blank is not None else []
    return made + [SelectChoice(str(row.id), getattr(row, "label", None) or row.name) for row in rows]


class FirmForm(Form):
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码。")),
                                                           Length(max=30)],
                              description=_l("18 位，字母不区分大小写，系统会校验第 18 位校验码。"))
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称。")), Length(max=200)])
    town_id = SelectField(_l("乡镇/街道"), coerce=int_or_none, validators=[DataRequired(_l("请选择乡镇/街道。"))])
    industry_id = SelectField(_l("行业"), coerce=int_or_none, validators=[Optional()])
    registered_on = DateField(_l("成立日期"), validators=[Optional()])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=300)])
    legal_rep = StringField(_l("法定代表人"), validators=[Optional(), Length(max=50)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])
    contact_email = StringField(_l("联系邮箱"), validators=[Optional(), Email(_l("邮箱格式不正确。")),
                                                        Length(max=254)])
    officer_id = SelectField(_l("负责专员"), coerce=int_or_none, validators=[Optional()])
    notes = TextAreaField(_l("专员备注"), validators=[Optional(), Length(max=5000)])

    FIELDS = ("credit_code", "name", "town_id", "industry_id", "registered_on", "address", "legal_rep",
              "contact_name", "contact_phone", "contact_email", "officer_id", "notes")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ServiceForm(Form):
    served_on = DateField(_l("服务日期"), validators=[DataRequired(_l("请填写服务日期。"))])
    kind = SelectField(_l("服务类型"), choices=[SelectChoice(k.value, _l(label)) for k, label in
                                              SERVICE_KIND_LABELS.items()])
    note = TextAreaField(_l("服务内容"), validators=[DataRequired(_l("请简要记录服务内容。")), Length(max=5000)])


class ContactForm(Form):
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("请填写联系人。")), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话。")), Length(max=30)])
    contact_email = StringField(_l("联系邮箱"), validators=[DataRequired(_l("请填写联系邮箱。")),
                                                        Email(_l("邮箱格式不正确。")), Length(max=254)])
