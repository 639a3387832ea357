"""Forms of the funnel. They check shape only: whether a move is allowed is the transition table's business."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from pipeline.domain.stages import BOARD_ORDER, EXIT_REASON_LABELS, LEVEL_LABELS, Stage, stage_label
from pipeline.forms import Form


def stage_choices(stages=BOARD_ORDER, needs: dict | None = None, track_code: str | None = None) -> list[SelectChoice]:
    """Stage options named as on the track; `needs` adds data-needs="…" so that the page can show the fields a move
    requires."""
    needs = needs or {}
    return [SelectChoice(s.value, _l(stage_label(s, track_code)),
                         render_kw={"data-needs": " ".join(sorted(needs.get(s, ())))}) for s in stages]


class MoveDetails(Form):
    """The data some moves need: reason, certificate, resume date."""

    reason_code = SelectField(_l("出库原因"), choices=[SelectChoice("", _l("（请选择）"))] + [
        SelectChoice(code.value, _l(label)) for code, label in EXIT_REASON_LABELS.items()], validators=[Optional()])
    note = TextAreaField(_l("理由 / 说明"), validators=[Optional(), Length(max=2000)],
                         description=_l("暂缓、跳过阶段和出库原因为“其他”时必填。"))
    certificate_number = StringField(_l("证书（登记）编号"), validators=[Optional(), Length(max=32)])
    issued_on = DateField(_l("发证日期"), validators=[Optional()])
    resume_on = DateField(_l("预计恢复日期"), validators=[Optional()])
    level = SelectField(_l("级别"), choices=[SelectChoice("", _l("（请选择）"))] + [
        SelectChoice(level.value, _l(label)) for level, label in LEVEL_LABELS.items()], validators=[Optional()],
        description=_l("企业研发机构认定时必选；市级以上计入县里的目标，省级以上同时满足科小的直接确认条件。"))

    def details(self) -> dict:
        return {"reason_code": self.reason_code.data or None, "note": self.note.data or "",
                "certificate_number": self.certificate_number.data or None, "issued_on": self.issued_on.data,
                "resume_on": self.resume_on.data, "level": self.level.data or None}


class MoveForm(MoveDetails):
    to = SelectField(_l("移到阶段"), choices=stage_choices(), validators=[DataRequired(_l("请选择目标阶段。"))])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    next = HiddenField()


class BulkMoveForm(MoveDetails):
    to = SelectField(_l("移到阶段"), choices=stage_choices(), validators=[DataRequired(_l("请选择目标阶段。"))])


class TrackForm(Form):
    name = StringField(_l("培育类别名称"), validators=[DataRequired(_l("请填写培育类别名称。")), Length(max=50)])
    name_en = StringField(_l("英文名称"), validators=[Optional(), Length(max=100)])
    code = StringField(_l("代码"), validators=[DataRequired(_l("请填写代码。")), Length(max=32)],
                       description=_l("小写字母、数字和下划线，如 prov_sme；创建后不可修改。"))
    short_name = StringField(_l("简称"), validators=[DataRequired(_l("请填写简称。")), Length(max=10)],
                             description=_l("用于入库编号，如“省科小”→ 省科小-2026-0001。"))
    validity_rule = SelectField(_l("认定有效期规则"), choices=[
        SelectChoice("years", _l("自发证日期起若干年")),
        SelectChoice("calendar_year", _l("编号年份当年 12 月 31 日止")),
        SelectChoice("none", _l("长期有效")),
    ])
    validity_years = IntegerField(_l("有效年数"), validators=[Optional(), NumberRange(1, 20)])
    number_pattern = StringField(_l("编号规则（正则表达式）"), validators=[Optional(), Length(max=100)],
                                 description=_l("可留空；{year} 代表发证年份，如 ^ZJ{year}\\d{6}$。"))
    number_hint = StringField(_l("编号格式说明"), validators=[Optional(), Length(max=200)])
    sort_order = IntegerField(_l("排序"), default=10, validators=[Optional(), NumberRange(0, 1000)])
    active = SelectField(_l("状态"), choices=[SelectChoice("1", _l("启用")), SelectChoice("0", _l("停用"))],
                         default="1")


class StaleForm(Form):
    screening = IntegerField(_l("遴选"), validators=[Optional(), NumberRange(1, 3650)])
    pool = IntegerField(_l("入库"), validators=[Optional(), NumberRange(1, 3650)])
    cultivating = IntegerField(_l("培育"), validators=[Optional(), NumberRange(1, 3650)])
    failed = IntegerField(_l("未通过"), validators=[Optional(), NumberRange(1, 3650)])
    expired = IntegerField(_l("已过期"), validators=[Optional(), NumberRange(1, 3650)])

    STAGES = (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.FAILED, Stage.EXPIRED)


class OfficerTownsForm(Form):
    user_id = IntegerField(widget=HiddenInput(), validators=[DataRequired()])
    towns = SelectMultipleField(_l("负责乡镇"), coerce=int, validate_choice=True,
                                description=_l("不选表示可以查看和操作全县所有乡镇的企业。"))


class BatchForm(Form):
    name = StringField(_l("批次名称"), validators=[DataRequired(_l("请填写批次名称。")), Length(max=50)])


class PublicizeForm(Form):
    publicized_on = DateField(_l("公示日期"), validators=[DataRequired(_l("请填写公示日期。"))])


class RecognizeForm(Form):
    recognized_on = DateField(_l("认定日期"), validators=[DataRequired(_l("请填写认定日期。"))])
    document_number = StringField(_l("认定文件文号"), validators=[DataRequired(_l("请填写认定文件文号。")),
                                                               Length(max=32)])
