"""The incentive ledger as an .xlsx file for the finance office, every cell through the one spreadsheet writer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.orm import contains_eager, joinedload

from pipeline.domain.policy import INCENTIVE_STATUS_LABELS
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.policies.models import Incentive
from pipeline.sheet_stream import StreamedWorkbook

_BATCH = 1000  # incentives read per round trip, with their firm, town and policy joined in


def export_incentives(incentives: Select) -> IO[bytes]:
    """One row per incentive of the query; amounts stay numbers (万元, four decimals) so that the office can sum
    them."""
    book = StreamedWorkbook()
    book.add_sheet(_("奖补台账"), [
        _("年度"), _("企业名称"), _("统一社会信用代码"), _("乡镇（街道）"), _("政策"), _("政策文号"), _("状态"),
        _("审批金额（万元）"), _("拨付金额（万元）"), _("拨付日期"), _("拨付文号"), _("科研团队（万元）"),
        _("主要贡献人员（万元）")], _rows(incentives))
    return book.to_file()


def _rows(incentives: Select) -> Iterator[list]:
    statuses = {status: _(label) for status, label in INCENTIVE_STATUS_LABELS.items()}
    # incentives_query joins Firm already: its row is the firm loaded (a joinedload would join the table a second time)
    query = incentives.options(contains_eager(Incentive.firm).joinedload(Firm.town), joinedload(Incentive.policy))
    for row in db.session.scalars(query.execution_options(yield_per=_BATCH)):
        yield [row.year, row.firm.name, row.firm.credit_code, row.firm.town.name if row.firm.town else "",
               row.policy.title, row.policy.document_number, statuses[row.status], row.amount, row.paid_amount,
               row.paid_on, row.payment_document, row.team_amount, row.main_amount]
