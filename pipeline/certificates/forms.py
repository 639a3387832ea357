from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from pipeline.forms import Form


class ReasonForm(Form):
    """Re-issue or revoke: the reason is kept with the certificate."""

    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=500)])


class IssueForm(Form):
    """Issue the certificate a pool record lacks (a CSRF-protected button)."""


class BatchForm(Form):
    year = SelectField(_l("证书年度"), coerce=int, validate_choice=True)
    reason = StringField(_l("换发原因"), default="年度批量换发",
                         validators=[DataRequired(_l("请填写换发原因。")), Length(max=200)])

    def set_years(self, years: list[int]) -> None:
        self.year.choices = [SelectChoice(year, str(year)) for year in years]


class CertificateFilterForm(Form):
    """The list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("企业名称 / 编号 / 信用代码"), validators=[Optional(), Length(max=100)])
    year = SelectField(_l("年度"), coerce=str, validate_choice=False)
    status = SelectField(_l("状态"), coerce=str, validate_choice=False)
    track = SelectField(_l("培育类别"), coerce=str, validate_choice=False)


class VerifyForm(Form):
    class Meta:
        csrf = False

    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码。")), Length(max=40)])


class SealForm(Form):
    """The seal setting: on/off and the official 电子印章 image (its content is checked by seal.check_seal_image)."""

    enabled = BooleanField(_l("在入库证书上加盖电子印章"))
    image = FileField(_l("电子印章图片（透明背景 PNG，不超过 1 MB）"))
    remove = BooleanField(_l("删除已上传的印章图片"))
