"""The incentive ledger as an .xlsx file for the finance office, every cell through the one spreadsheet writer."""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook

from pipeline.domain.policy import INCENTIVE_STATUS_LABELS
from pipeline.policies.models import Incentive
from pipeline.sheet_cells import neutralise_row


def export_incentives(incentives: list[Incentive]):
    """One row per incentive; amounts stay numbers (万元, four decimals) so that the office can sum them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("奖补台账"))
    sheet.append([_("年度"), _("企业名称"), _("统一社会信用代码"), _("乡镇（街道）"), _("政策"), _("政策文号"),
                  _("状态"), _("审批金额（万元）"), _("拨付金额（万元）"), _("拨付日期"), _("拨付文号"),
                  _("科研团队（万元）"), _("主要贡献人员（万元）")])
    for row in incentives:
        sheet.append(neutralise_row([
            row.year, row.firm.name, row.firm.credit_code, row.firm.town.name if row.firm.town else "",
            row.policy.title, row.policy.document_number, _(INCENTIVE_STATUS_LABELS[row.status]), row.amount,
            row.paid_amount, row.paid_on, row.payment_document, row.team_amount, row.main_amount]))
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    return handle
