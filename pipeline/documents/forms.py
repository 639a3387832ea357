"""Forms of the documents feature: they check shape; the services check the file and the policy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from pipeline.firms.forms import int_or_none
from pipeline.forms import Form


class UploadForm(Form):
    type_id = SelectField(_l("材料类型"), coerce=int_or_none, validators=[DataRequired(_l("请选择材料类型。"))])
    fiscal_year = IntegerField(_l("所属年度"), validators=[Optional(), NumberRange(1990, 2199)],
                               description=_l("审计报告等按年度的材料必填。"))
    dated_on = DateField(_l("材料日期"), validators=[Optional()], description=_l("如报告日期、发证日期、走访日期。"))
    note = StringField(_l("说明"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("文件"), validators=[FileRequired(_l("请选择要上传的文件。"))],
                     description=_l("PDF、JPEG、PNG、XLSX、DOCX 或 OFD，按文件内容判断。"))
    document_id = HiddenField()
    service_record_id = HiddenField()


class DocumentTypeForm(Form):
    code = StringField(_l("代码"), validators=[DataRequired(_l("请填写代码。")), Length(max=40),
                                             Regexp(r"^[a-z][a-z0-9_]*$", message=_l("代码只能包含小写字母、数字和下划线。"))])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=60)])
    name_en = StringField(_l("英文名称"), validators=[Optional(), Length(max=80)])
    needs_fiscal_year = BooleanField(_l("按年度（需填写所属年度）"))
    multiple = BooleanField(_l("可有多份（如多项知识产权证书），新上传不替换旧文件"))
    firm_may_upload = BooleanField(_l("企业可在门户上传"))
    active = BooleanField(_l("启用"))
    sort_order = IntegerField(_l("排序"), validators=[Optional(), NumberRange(0, 1000)])

    def values(self) -> dict:
        return dict(code=self.code.data, name=self.name.data.strip(), name_en=(self.name_en.data or "").strip(),
                    needs_fiscal_year=self.needs_fiscal_year.data, multiple=self.multiple.data,
                    firm_may_upload=self.firm_may_upload.data, active=self.active.data,
                    sort_order=self.sort_order.data or 0)
