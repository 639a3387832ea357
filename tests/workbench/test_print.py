"""Every page prints with the authority's name and the date in its header, without the menu and the buttons."""

from pathlib import Path

from pipeline.auth.models import Role
from pipeline.i18n import local_today


def test_pages_carry_a_print_header_and_the_print_stylesheet(client, login_as, make_firm, app):
    firm = make_firm()
    login_as(Role.OFFICER)
    html = client.get(f"/firms/{firm.id}").get_data(as_text=True)
    assert "/static/css/print.css" in html
    with app.test_request_context():
        today = local_today().isoformat()
    assert (f'<div class="print-header" aria-hidden="true"><span>{app.config["PIPELINE_AUTHORITY_NAME"]}</span>'
            f'<span>{today}</span>') in html
    css = (Path(app.static_folder) / "css" / "print.css").read_text()
    assert "@media print" in css and ".app-navbar, .no-print, .btn, form" in css
