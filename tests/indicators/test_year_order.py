"""The figures pages offer the fiscal years newest first, the current year in its place, last year preselected."""

import re

from pipeline.auth.models import Role
from pipeline.i18n import local_today


def _options(html: str) -> tuple[list[str], list[str]]:
    select = html.split('name="fiscal_year"', 1)[1].split("</select>", 1)[0]
    values = re.findall(r'<option[^>]*value="(\d{4})"', select)
    chosen = re.findall(r'<option[^>]*selected[^>]*value="(\d{4})"|<option[^>]*value="(\d{4})"[^>]*selected', select)
    return values, [a or b for a, b in chosen]


def test_firm_and_officer_forms_list_years_newest_first(client, login_as, make_firm):
    year = local_today().year
    expected = [str(year - back) for back in range(9)]
    firm = make_firm()
    login_as(Role.FIRM, firm=firm)
    assert _options(client.get("/portal/figures/years/new").get_data(as_text=True)) == (expected, [str(year - 1)])
    client.post("/logout")
    login_as(Role.OFFICER)
    assert _options(client.get(f"/indicators/firms/{firm.id}/years/new").get_data(as_text=True)) == (
        expected, [str(year - 1)])
