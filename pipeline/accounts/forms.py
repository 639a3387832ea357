from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from pipeline.auth.models import ROLE_LABELS, Role
from pipeline.forms import Form


def role_choices():
    from flask_babel import gettext

    return [(role.value, gettext(ROLE_LABELS[role])) for role in Role]


class UserForm(Form):
    """The admin's user form (the username only when creating)."""

    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=64),
                                                   Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("用户名只能包含字母、数字和 _ . @ -。"))])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请输入姓名。")), Length(max=100)])
    email = EmailField(_l("邮箱"), validators=[DataRequired(_l("请输入邮箱。")), Length(max=254),
                                             Email(_l("邮箱格式不正确。"), check_deliverability=False)])
    role = SelectField(_l("角色"), validators=[DataRequired()])
    towns = SelectMultipleField(_l("负责乡镇（科技专员；不选为全部乡镇）"), coerce=int, validators=[Optional()],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    firm_code = StringField(_l("所属企业统一社会信用代码（企业用户）"), validators=[Length(max=18)])
    reports_monthly = BooleanField(_l("每月接收漏斗报告"))


class EditUserForm(UserForm):
    username = None



class SetPasswordForm(Form):
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。")), Length(max=256)])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("new", _l("两次输入的新密码不一致。"))])


class ForgotPasswordForm(Form):
    identifier = StringField(_l("用户名或邮箱"), validators=[DataRequired(_l("请输入用户名或邮箱。")), Length(max=254)])


class CodeForm(Form):
    code = StringField(_l("验证码"), validators=[DataRequired(_l("请输入验证码。")), Length(max=20)])


class TwoFactorRequiredForm(Form):
    required = BooleanField(_l("管理员和科技专员必须启用两步验证"))


class ContactSheetForm(Form):
    file = FileField(_l("联系人 Excel（.xlsx）"), validators=[
        FileRequired(_l("请选择要上传的文件。")), FileAllowed(["xlsx"], _l("只能上传 .xlsx 格式的 Excel 文件。"))])


class SendInvitationsForm(Form):
    rows = HiddenField(validators=[DataRequired()])  # JSON [[firm id, contact, e-mail], …], judged again on send
