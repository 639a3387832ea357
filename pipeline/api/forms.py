"""The admin's form for a new API client (shape only; the service checks the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from pipeline.forms import Form


class ApiClientForm(Form):
    name = StringField(_l("客户端名称"), validators=[DataRequired(_l("请填写客户端名称。")), Length(max=100)],
                       description=_l("调用方系统的名称，如“市科技局数据平台”。"))
    authority_id = SelectField(_l("所属单位"), coerce=int, validate_choice=True)
    scopes = SelectMultipleField(_l("读取范围"), validators=[DataRequired(_l("请至少选择一项读取范围。"))],
                                 validate_choice=True, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
