from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField
from wtforms.validators import DataRequired

from pipeline.domain.periods import recent_months
from pipeline.forms import Form
from pipeline.i18n import period_label


class RenderForm(Form):
    month = SelectField(_l("月份"), validators=[DataRequired(_l("请选择月份。"))])

    def __init__(self, today, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.month.choices = [SelectChoice(period.key, period_label(period)) for period in recent_months(today, 24)]
        if not self.is_submitted() and len(self.month.choices) > 1:
            self.month.data = self.month.choices[1].value  # last month: the usual one
