"""The workbench's one form: mark a to-do done."""

from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange

from pipeline.forms import Form


class DoneForm(Form):
    kind = HiddenField(validators=[DataRequired()])
    ref_id = IntegerField(validators=[DataRequired(), NumberRange(min=1)])
    next = HiddenField()
