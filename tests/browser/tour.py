"""The tour of every page each role reaches (test_county.py runs it in the demo county): the pages, the ids they
need, and the look at one page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.certificates.models import Certificate, CertificateStatus
from pipeline.domain.stages import Stage
from pipeline.extensions import db
from pipeline.funnel.models import FirmTrack
from pipeline.i18n import local_today
from pipeline.mail.models import MessageStatus, OutboxMessage
from pipeline.mail.outbox import queue_email
from pipeline.reminders.services import send_due_reminders


@dataclass(frozen=True)
class Ids:
    firm: int  # the demo firm user's firm: the richest history
    other_firm: int  # a firm that is not the demo firm user's
    cultivating: tuple[int, str]  # (firm id, track code) of a record in 培育
    certificate: int
    verification_code: str
    message: int
    officer: int
    year: int


def prepare_tour() -> Ids:
    """What the demo county lacks for a full tour: due reminders and a failed mail in the outbox."""
    send_due_reminders(local_today(), now=datetime.now(UTC))
    failed = queue_email([("王科员", "officer@example.com")], "无法投递的测试邮件", "正文")
    failed.status, failed.last_error = MessageStatus.FAILED, "554 5.7.1 Message rejected as spam"
    firm_user = db.session.scalar(select(User).where(User.username == "firm"))
    cultivating = db.session.scalars(select(FirmTrack).where(FirmTrack.stage == Stage.CULTIVATING)
                                     .order_by(FirmTrack.id)).first()
    certificate = db.session.scalars(select(Certificate).where(Certificate.status == CertificateStatus.VALID)
                                     .order_by(Certificate.id)).first()
    other = db.session.scalars(select(FirmTrack.firm_id).where(FirmTrack.firm_id != firm_user.firm_id)
                               .order_by(FirmTrack.firm_id)).first()
    db.session.flush()
    return Ids(firm=firm_user.firm_id, other_firm=other,
               cultivating=(cultivating.firm_id, cultivating.track.code), certificate=certificate.id,
               verification_code=certificate.verification_code,
               message=db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)),
               officer=db.session.scalar(select(User.id).where(User.username == "officer")), year=local_today().year)


def pages_of(role: str, ids: Ids) -> list[tuple[str, str]]:
    """(step name, path) of the pages a user of the role reaches from the navigation and the pages' links."""
    firm, (moving_firm, moving_track) = ids.firm, ids.cultivating
    staff = [
        ("dashboard", "/dashboard/"),
        ("board-hnte", "/funnel/?track=hnte"),
        ("firm-list", "/firms/"),
        ("firm-list-empty", "/firms/?q=不存在的企业名称"),
        ("firm-page", f"/firms/{firm}"),
        ("certificates", "/certificates/"),
        ("certificate", f"/certificates/{ids.certificate}"),
        ("reminders", "/reminders/"),
        ("reports", "/reports/"),
        ("screening", "/indicators/screening/"),
        ("screening-track", "/indicators/screening/hnte"),
        ("indicators", f"/indicators/firms/{firm}"),
        ("pending", "/indicators/pending"),
        ("imports", "/excel/"),
        ("password", "/account/password"),
    ]
    editing = [
        ("firm-new", "/firms/new"),
        ("service-new", f"/firms/{firm}/services/new"),
        ("move-form", f"/funnel/firms/{moving_firm}/{moving_track}/move?to=certified"),
        ("indicators-year", f"/indicators/firms/{firm}/years/{ids.year - 1}"),
        ("indicators-facts", f"/indicators/firms/{firm}/facts"),
        ("bulk", "/funnel/bulk?track=tech_sme&stage=screening"),
        ("firm-invitations", "/firms/invitations/"),
        ("two-factor", "/account/2fa/"),
        ("notice-choices", "/account/notifications/"),
    ]
    return {
        "officer": staff + editing,
        # An officer limited to two towns: the lists, narrowed to them (not the dashboard again: axe needs some 20 s
        # for its thousand table cells, and its look is the officer's).
        "officer2": [step for step in staff if step[0] in ("board-hnte", "firm-list")],
        # A leader reads what an officer reads, without the buttons that change anything.
        "leader": [step for step in staff if step[0] in ("board-hnte", "firm-page", "reports")],
        "admin": [
            ("tracks", "/admin/funnel/tracks"),
            ("track-new", "/admin/funnel/tracks/new"),
            ("track-edit", "/admin/funnel/tracks/hnte/edit"),
            ("stale", "/admin/funnel/stale"),
            ("officers", "/admin/funnel/officers"),
            ("targets", "/admin/targets/"),
            ("reminder-rules", "/admin/reminders/"),
            ("reminder-rule", "/admin/reminders/rules/hnte_expiry"),
            ("calendar", "/admin/reminders/calendar"),
            ("calendar-year", f"/admin/reminders/calendar/{ids.year}"),
            ("outbox", "/admin/mail/"),
            ("outbox-message", f"/admin/mail/{ids.message}"),
            ("channels", "/admin/channels/"),
            ("channel-messages", "/admin/channels/messages"),
            ("certificate-batches", "/certificates/batches/"),
            ("users", "/admin/users/"),
            ("user-new", "/admin/users/new"),
            ("account-settings", "/admin/users/settings"),
            ("audit-log", "/admin/audit/"),
        ],
        "firm": [
            ("portal", "/portal/"),
            ("portal-contact", "/portal/contact"),
            ("portal-certificates", "/portal/certificates/"),
            ("portal-figures", "/portal/figures/"),
            ("portal-figures-year", "/portal/figures/years/new"),
            ("portal-facts", "/portal/figures/facts"),
            ("portal-reminders", "/portal/reminders/"),
            ("portal-notice-choices", "/account/notifications/"),
            ("not-found", f"/firms/{ids.other_firm}"),
        ],
    }[role]


ROLES = ("officer", "officer2", "leader", "admin", "firm")


def menu_pages(page, ids: Ids, toured: set[str]) -> list[tuple[str, str]]:
    """(step name, path) of the navigation bar's entries on the page that no role's list names and that are not in
    toured (the menu pages an earlier role of the tour visited; this adds them): a page added to the menu joins the
    tour without an edit here, once. The brand link "/" only redirects to a role's first page."""
    listed = {path.split("?")[0] for role in ROLES for _step, path in pages_of(role, ids)} | toured | {"/"}
    hrefs = page.eval_on_selector_all(".app-navbar a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    new = [href for href in dict.fromkeys(hrefs) if href.split("?")[0] not in listed]
    toured.update(new)
    return [("menu" + href.split("?")[0].rstrip("/").replace("/", "-"), href) for href in new]


def look_at(page, base: str, path: str) -> int:
    """Open a page; return its HTTP status after checking it is no wider than the window."""
    response = page.goto(base + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the window"
    return response.status


# The sentences the eligibility engine builds (gaps, missing years, near misses): English on English pages.
DOMAIN_SENTENCES = ".gap-list li, .missing-years, .near-row"
CJK = "[\\u3400-\\u9fff\\uff00-\\uffef\\u3000-\\u303f]"


def chinese_domain_sentences(page) -> list[str]:
    """The engine's sentences on the page that still contain Chinese characters."""
    return page.evaluate(f"""() => [...document.querySelectorAll("{DOMAIN_SENTENCES}")]
        .map(e => e.textContent.trim()).filter(t => new RegExp("{CJK}").test(t))""")
