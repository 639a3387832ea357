from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField

from pipeline.domain.text import N_
from pipeline.forms import Form

LIST_KIND_LABELS = {"certified": N_("公示/认定名单（移至认定）"), "revoked": N_("撤销名单（移出培育库）")}


class FirmImportForm(Form):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的文件。")), FileAllowed(["xlsx"], _l("只能上传 .xlsx 格式的 Excel 文件。"))])
    token = HiddenField()


class ResultsImportForm(Form):
    file = FileField(_l("名单文件（.xlsx）"), validators=[
        FileRequired(_l("请选择要导入的文件。")), FileAllowed(["xlsx"], _l("只能上传 .xlsx 格式的 Excel 文件。"))])
    track = SelectField(_l("培育类别"))
    list_kind = SelectField(_l("名单类型"), choices=[SelectChoice(k, _l(v)) for k, v in LIST_KIND_LABELS.items()])
    token = HiddenField()


class ConfirmForm(Form):
    """Only the CSRF token."""
