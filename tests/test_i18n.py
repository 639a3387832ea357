from pipeline.auth.models import Role


def test_chinese_is_the_default(client):
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_switch_to_english_and_back(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Log in" in page and 'lang="en"' in page
    client.post("/language", data={"language": "zh", "next": "/login"})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Log in" in page


def test_language_is_remembered_per_user(app, client, login_as, db):
    user = login_as(Role.OFFICER)
    client.post("/language", data={"language": "en", "next": "/funnel/"})
    db.session.refresh(user)
    assert user.locale == "en"
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = user.session_token
    assert "Cultivation board" in other.get("/funnel/").get_data(as_text=True)


def test_language_switch_refuses_unknown_language_and_foreign_next(client):
    response = client.post("/language", data={"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


# --- The English UI: every page a role reaches shows its navigation and headings in English --------------------------

import re  # noqa: E402
from datetime import date  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import pytest  # noqa: E402
from flask import url_for  # noqa: E402
from sqlalchemy import select  # noqa: E402

from pipeline.certificates.models import Certificate  # noqa: E402
from pipeline.domain.periods import month_period, quarter_period, range_period, year_period  # noqa: E402
from pipeline.domain.stages import Stage  # noqa: E402
from pipeline.firms.models import Industry, Town  # noqa: E402
from pipeline.funnel.models import Track  # noqa: E402

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # ideographs and full-width punctuation


class ChromeText(HTMLParser):
    """The text of every <nav> and <h1> (with their title / aria-label attributes), except <option>s: the language
    picker names each language in that language."""

    def __init__(self, html: str):
        super().__init__()
        self.open, self.in_option, self.parts = 0, False, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("nav", "h1"):
            self.open += 1
        self.in_option = self.in_option or tag == "option"
        if self.open:
            self.parts += [value for name, value in attrs if name in ("title", "aria-label") and value]

    def handle_endtag(self, tag):
        if tag in ("nav", "h1"):
            self.open -= 1
        if tag == "option":
            self.in_option = False

    def handle_data(self, data):
        if self.open and not self.in_option:
            self.parts.append(data)


def chinese_in_chrome(html: str, data: list[str]) -> list[str]:
    """Pieces of navigation and heading text with Chinese in them once the data (names of firms, towns, users, tracks)
    is taken out."""
    found = []
    for part in ChromeText(html).parts:
        for value in data:
            part = part.replace(value, "")
        if CJK.search(part):
            found.append(part.strip())
    return found


def data_strings(db) -> list[str]:
    from pipeline.auth.models import User
    from pipeline.firms.models import Firm

    values = set(db.session.scalars(select(Firm.name))) | set(db.session.scalars(select(Town.name)))
    values |= set(db.session.scalars(select(Industry.name))) | {u.label for u in db.session.scalars(select(User))}
    values |= {v for t in db.session.scalars(select(Track)) for v in (t.name, t.short_name)}
    return sorted(values, key=len, reverse=True)


@pytest.fixture
def english_world(app, db, client, make_firm, make_user, place_firm):
    """A firm in the pool of 科小 (so it holds a 入库证书) and cultivated on 高企; `enter(role)` logs the client in as
    that role (firm users on this firm) with English chosen and returns the URLs the role's menus lead to."""
    firm = make_firm(name="天姥精密轴承有限公司")
    place_firm(firm, "tech_sme", Stage.POOL)
    place_firm(firm, "hnte", Stage.CULTIVATING)
    make_user("officer", display_name="王科员")
    certificate = db.session.scalar(select(Certificate))

    def enter(role: str) -> list[str]:
        user = make_user(role, firm=firm if role == "firm" else None, display_name="测试用户")
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.session_token
        client.post("/language", data={"language": "en", "next": "/"})
        with app.test_request_context():
            return [url_for(endpoint, **args) for endpoint, args in PAGES[role](firm, certificate)]

    return enter


STAFF_PAGES = [("dashboard.index", {}), ("funnel.board", {}), ("funnel.board", {"track": "hnte"}), ("firms.index", {}),
               ("certificates.index", {}), ("reports.index", {}), ("reminders.index", {}), ("auth.password", {}),
               ("indicators.screening", {"code": "tech_sme"}), ("indicators.screening", {"code": "hnte"}),
               ("indicators.pending", {}), ("imports.index", {})]


def _staff(firm, certificate):
    return STAFF_PAGES + [("firms.detail", {"firm_id": firm.id}), ("certificates.detail", {"certificate_id": certificate.id}),
                          ("indicators.firm", {"firm_id": firm.id}), ("indicators.ip_items", {"firm_id": firm.id})]


def _editor(firm, certificate):
    return _staff(firm, certificate) + [
        ("funnel.bulk", {}), ("firms.create", {}), ("firms.edit", {"firm_id": firm.id}),
        ("firms.add_service", {"firm_id": firm.id}),
        ("funnel.move", {"firm_id": firm.id, "track_code": "hnte"}), ("indicators.edit_year", {"firm_id": firm.id}),
        ("indicators.edit_facts", {"firm_id": firm.id}), ("indicators.edit_ip_item", {"firm_id": firm.id})]


def _admin(firm, certificate):
    return _editor(firm, certificate) + [
        ("funnel_admin.tracks", {}), ("funnel_admin.track_form", {}), ("funnel_admin.track_form", {"code": "hnte"}),
        ("funnel_admin.stale", {}), ("funnel_admin.officers", {}), ("targets.index", {}), ("reminders_admin.rules", {}),
        ("reminders_admin.edit_rule", {"code": "hnte_expiry"}), ("reminders_admin.calendar", {}),
        ("reminders_admin.edit_year", {"year": 2026}), ("mail.outbox", {}), ("certificate_batches.index", {})]


def _firm(firm, certificate):
    return [("portal.index", {}), ("portal.contact", {}), ("certificates_portal.index", {}),
            ("reminders_portal.index", {}), ("auth.password", {}), ("indicator_portal.index", {}),
            ("indicator_portal.year", {}), ("indicator_portal.facts", {})]


PAGES = {"officer": _editor, "leader": _staff, "admin": _admin, "firm": _firm}


@pytest.mark.parametrize("role", ["officer", "leader", "admin", "firm"])
def test_every_page_of_a_role_has_english_navigation_and_headings(role, client, db, english_world):
    urls = english_world(role)
    data = data_strings(db)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert 'lang="en"' in html, url
        assert chinese_in_chrome(html, data) == [], url


def test_the_same_pages_are_chinese_when_chinese_is_chosen(client, db, english_world):
    url = english_world("officer")[1]  # the board
    client.post("/language", data={"language": "zh", "next": "/"})
    html = client.get(url).get_data(as_text=True)
    assert "培育看板" in chinese_in_chrome(html, data_strings(db))
    assert "Cultivation board" not in html


@pytest.mark.parametrize("path", ["/login", "/verify/"])
def test_public_pages_are_english_too(client, db, path):
    client.post("/language", data={"language": "en", "next": "/"})
    html = client.get(path).get_data(as_text=True)
    assert chinese_in_chrome(html, []) == []


def test_board_cards_and_firm_page_show_english_labels_and_track_names(client, db, english_world):
    urls = english_world("officer")
    board = client.get("/funnel/?track=hnte").get_data(as_text=True)
    assert "Cultivating" in board and "Tech SME: " in board and "High-tech enterprise (HNTE)" in board
    assert 'data-error-label="The action failed. Please reload the page and try again."' in board
    assert 'data-stage-label=" (current stage: %(stage)s)"' in board  # board.js fills in the stage
    firms = client.get("/firms/").get_data(as_text=True)
    assert "Tech SME" in firms and "科小" not in firms
    page = client.get(next(url for url in urls if re.fullmatch(r"/firms/\d+", url))).get_data(as_text=True)
    assert "Pool number: " in page and "In pool" in page and "Tech-based SME" in page
    # The firm entered both stages today: day counts in their English plural form.
    assert "· 0 days<" in board and "0 days<" in firms and "0 days in this stage" in page


def test_service_messages_follow_the_language(client, login_as):
    client.post("/language", data={"language": "en", "next": "/login"})
    page = client.post("/login", data={"username": "nobody", "password": "wrong-password"}).get_data(as_text=True)
    assert "Wrong user name or password." in page
    client.post("/language", data={"language": "zh", "next": "/login"})
    page = client.post("/login", data={"username": "nobody", "password": "wrong-password"}).get_data(as_text=True)
    assert "用户名或密码错误。" in page


def test_firm_error_from_the_service_is_english(client, db, login_as, make_firm):
    login_as("officer")
    taken, other = make_firm(), make_firm()
    db.session.commit()
    client.post("/language", data={"language": "en", "next": "/"})
    page = client.post(f"/firms/{other.id}/edit", data={"credit_code": taken.credit_code, "name": other.name,
                                                        "town_id": other.town_id}).get_data(as_text=True)
    assert f"The unified social credit code {taken.credit_code} is already registered for another firm." in page


def test_outside_a_request_the_catalog_speaks_chinese(app):
    from flask_babel import gettext

    assert gettext("请求无效。") == "请求无效。"  # commands, jobs and threads have no browser to ask


@pytest.mark.parametrize("period, zh, en", [
    (month_period(2026, 11), "2026年11月", "November 2026"),
    (quarter_period(2026, 4), "2026年第4季度", "Q4 2026"),
    (year_period(2026), "2026年", "2026"),
    (range_period(date(2026, 1, 5), date(2026, 2, 10)), "2026-01-05 至 2026-02-10", "2026-01-05 to 2026-02-10"),
])
def test_period_labels_in_both_languages(app, period, zh, en):
    from flask_babel import force_locale

    from pipeline.i18n import period_label

    with app.test_request_context():
        with force_locale("zh"):
            assert period_label(period) == zh == period.label
        with force_locale("en"):
            assert period_label(period) == en


def test_track_short_names_in_english(app, db, track_by_code):
    from flask_babel import force_locale

    from pipeline.i18n import track_short_name

    added = Track(code="prov_sme", name="省科技型中小企业", name_en="Provincial tech-based SME", short_name="省科小",
                  validity_rule="none", sort_order=30, active=True)
    with app.test_request_context():
        with force_locale("en"):
            assert [track_short_name(track_by_code(c)) for c in ("tech_sme", "hnte")] == ["Tech SME", "HNTE"]
            assert track_short_name(added) == "Provincial tech-based SME"
        with force_locale("zh"):
            assert track_short_name(track_by_code("tech_sme")) == "科小"


def test_the_english_catalog_is_complete_and_keeps_every_placeholder():
    from pathlib import Path

    from babel.messages.pofile import read_po

    path = Path(__file__).parent.parent / "pipeline/translations/en/LC_MESSAGES/messages.po"
    with path.open("rb") as f:
        catalog = read_po(f)
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, message.id
        assert sorted(placeholder.findall(ids[0])) == sorted(placeholder.findall(strings[0])), message.id
        assert strings[0] != ids[0] or not CJK.search(ids[0]), message.id  # Chinese left as it was
    assert not catalog.obsolete


def test_every_hnte_field_name_is_in_the_catalog_and_shown_translated(app):
    from flask_babel import force_locale

    from pipeline.indicators.template_globals import fact_text
    from pipeline.indicators.values import DOMAIN_CHOICES, DOMAIN_MSGIDS

    assert set(DOMAIN_MSGIDS) == set(DOMAIN_CHOICES)
    row = type("Facts", (), {"hnte_domain": "先进制造与自动化"})()
    with app.test_request_context(), force_locale("en"):
        assert fact_text(row, "hnte_domain") == "Advanced manufacturing and automation"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_dates_and_times_show_in_the_bureau_zone_as_babel_would(app, language):
    from datetime import UTC, datetime

    from flask_babel import force_locale, format_date, format_datetime

    from pipeline.i18n import fmt_date, fmt_datetime

    late_evening_utc = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)  # 00:30 on the 29th in Asia/Shanghai
    with app.test_request_context(), force_locale(language):
        assert fmt_datetime(late_evening_utc) == "2026-11-29 00:30" == format_datetime(late_evening_utc,
                                                                                        "yyyy-MM-dd HH:mm")
        assert fmt_datetime(late_evening_utc.replace(tzinfo=None)) == "2026-11-29 00:30"  # naive means UTC
        assert fmt_date(late_evening_utc) == "2026-11-29" == format_date(late_evening_utc, "yyyy-MM-dd")
        assert fmt_date(date(2026, 1, 5)) == "2026-01-05"
        assert fmt_date(None) == fmt_datetime(None) == ""


def test_template_gettext_follows_force_locale_and_refresh_within_one_request(app):
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    page = "{{ _('请求无效。') }}|{{ current_language() }}"
    with app.test_request_context():
        assert render_template_string(page) == "请求无效。|zh"
        with force_locale("en"):  # a mail rendered in its recipient's language during a Chinese request
            assert render_template_string(page) == "Bad request.|en"
            with force_locale("zh"):
                assert render_template_string(page) == "请求无效。|zh"
            assert render_template_string(page) == "Bad request.|en"
        assert render_template_string(page) == "请求无效。|zh"
        session["lang"] = "en"  # the language switch, then Flask-Babel's refresh() in the same request
        refresh()
        assert render_template_string(page) == "Bad request.|en"


def test_template_gettext_escapes_variables_in_html_only_and_formats_as_jinja_newstyle(app):
    from flask import render_template_string

    with app.test_request_context():
        assert render_template_string("{{ _('已保存培育类别“%(name)s”。', name='<b>&') }}") == \
            "已保存培育类别“&lt;b&gt;&amp;”。"
        assert render_template_string("{% autoescape false %}{{ _('已保存培育类别“%(name)s”。', name='<b>&') }}"
                                      "{% endautoescape %}") == "已保存培育类别“<b>&”。"
        assert render_template_string("{{ _('100%% 完成') }}|{{ gettext('停滞') }}") == "100% 完成|停滞"


def test_stage_badges_follow_the_language_within_one_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ stage_badge(stage) }}"
    with app.test_request_context():
        assert render_template_string(page, stage=Stage.POOL) == '<span class="badge stage-badge stage-pool">入库</span>'
        with force_locale("en"):
            assert render_template_string(page, stage=Stage.POOL) == \
                '<span class="badge stage-badge stage-pool">In pool</span>'
        assert render_template_string(page, stage=Stage.PAUSED) == \
            '<span class="badge stage-badge stage-paused">暂缓</span>'


def test_day_counts_take_the_plural_form_of_the_language(app):
    from flask import render_template_string
    from flask_babel import force_locale

    page = ("{{ ngettext('%(num)s 天', '%(num)s 天', n) }}|{{ ngettext('在此阶段 %(num)s 天', '在此阶段 %(num)s 天', n) }}|"
            "{{ ngettext('已保存培育类别“%(name)s”。', '已保存培育类别“%(name)s”。', n, name='<b>') }}")
    with app.test_request_context():
        assert render_template_string(page, n=1) == "1 天|在此阶段 1 天|已保存培育类别“&lt;b&gt;”。"
        with force_locale("en"):
            assert render_template_string(page, n=1).startswith("1 day|1 day in this stage|")
            assert render_template_string(page, n=2).startswith("2 days|2 days in this stage|")
            assert render_template_string(page, n=0).startswith("0 days|0 days in this stage|")
