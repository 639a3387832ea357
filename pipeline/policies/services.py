"""The policy catalogue: saving, publishing (which matches every firm), withdrawing, the attachment, pushing a notice
to matched firms (once per policy and firm), the firm's opt-out and its "opened" mark. Services flush; views commit."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from pipeline.auth.models import User
from pipeline.channels.services import queue_policy_sms
from pipeline.documents.content import MIMETYPES
from pipeline.documents.services import DocumentError, check_content, stored_name
from pipeline.domain.policy import NEAR, QUALIFIED, PolicyConditions
from pipeline.extensions import db
from pipeline.firms.models import Firm
from pipeline.notifications import external_url, queue_template_email
from pipeline.policies.conditions import dump_conditions
from pipeline.policies.matching import PUBLISHED, forget_live_policies, match_all_firms
from pipeline.policies.models import Policy, PolicyMatch, PolicyOptOut

POLICY_FIELDS = ("title", "issuer", "document_number", "effective_from", "effective_to", "summary", "next_step",
                 "benefit_kind", "benefit_amount", "benefit_rate", "benefit_cap", "benefit_text", "is_award")
DRAFT, WITHDRAWN = "draft", "withdrawn"


class PolicyError(ValueError):
    """A policy change refused, with the Chinese message the user sees; nothing changed."""


def save_policy(policy: Policy | None, values: dict, conditions: PolicyConditions, *, actor: User,
                now: datetime) -> Policy:
    """Create or change a policy; a published one is matched again at once."""
    if values.get("effective_to") and values["effective_to"] < values["effective_from"]:
        raise PolicyError(_("失效日期不能早于生效日期。"))
    _check_benefit(values)
    if policy is None:
        policy = Policy(created_at=now, created_by_id=actor.id, status=DRAFT)
        db.session.add(policy)
    for name in POLICY_FIELDS:
        setattr(policy, name, values[name])
    policy.conditions, policy.updated_at = dump_conditions(conditions), now
    db.session.flush()
    forget_live_policies()
    if policy.status == PUBLISHED:
        match_all_firms(policy, now=now)
    return policy


def _check_benefit(values: dict) -> None:
    kind = values["benefit_kind"]
    if kind == "fixed" and not values.get("benefit_amount"):
        raise PolicyError(_("定额奖励须填写奖励金额（万元）。"))
    if kind == "rate" and not values.get("benefit_rate"):
        raise PolicyError(_("按比例补助须填写补助比例。"))
    if kind == "other" and not (values.get("benefit_text") or "").strip():
        raise PolicyError(_("非资金类政策须说明享受内容。"))


def attach_file(policy: Policy, filename: str, content: bytes, *, max_bytes: int) -> None:
    """Keep the policy document (checked by content like every upload: PDF, OFD, DOCX …)."""
    try:
        kind = check_content(content, max_bytes=max_bytes)
    except DocumentError as exc:
        raise PolicyError(str(exc)) from None
    policy.attachment, policy.attachment_kind = content, kind
    policy.attachment_name = stored_name(filename, kind)
    db.session.flush()


def attachment_mimetype(policy: Policy) -> str:
    return MIMETYPES[policy.attachment_kind]


def attachment_digest(policy: Policy) -> str:
    return hashlib.sha256(policy.attachment or b"").hexdigest()


def publish_policy(policy: Policy, *, now: datetime) -> dict[int, str]:
    """Publish a draft (or withdrawn) policy and match it against every firm."""
    if policy.status == PUBLISHED:
        raise PolicyError(_("该政策已发布。"))
    policy.status, policy.published_at, policy.updated_at = PUBLISHED, now, now
    db.session.flush()
    forget_live_policies()
    return match_all_firms(policy, now=now)


def withdraw_policy(policy: Policy, *, now: datetime) -> None:
    """Take a policy off the portal (its matches and ledger stay)."""
    if policy.status != PUBLISHED:
        raise PolicyError(_("只有已发布的政策可以撤回。"))
    policy.status, policy.updated_at = WITHDRAWN, now
    db.session.flush()
    forget_live_policies()


def push_notices(policy: Policy, *, include_near: bool, now: datetime) -> tuple[int, int]:
    """Queue a notice to each matched firm not yet notified and not opted out; returns (queued, without address).

    notified_at is set in the same transaction as the outbox row, so running it again queues nothing twice."""
    if policy.status != PUBLISHED:
        raise PolicyError(_("政策发布后才能推送。"))
    statuses = (QUALIFIED, NEAR) if include_near else (QUALIFIED,)
    rows = db.session.execute(select(PolicyMatch, Firm).join(Firm).where(
        PolicyMatch.policy_id == policy.id, PolicyMatch.status.in_(statuses), PolicyMatch.notified_at.is_(None),
        PolicyMatch.firm_id.not_in(select(PolicyOptOut.firm_id))).order_by(Firm.id)).all()
    queued = unreachable = 0
    for match, firm in rows:
        recipients = firm_recipients(firm)
        if recipients:
            queue_template_email("policy_notice", recipients, dedup_key=f"policy:{policy.id}:firm:{firm.id}", now=now,
                                 context=_notice_context(policy, firm, match.status))
        # and by SMS where the firm's users chose it: many firm contacts read their phone, not their mailbox
        texted = queue_policy_sms(policy.id, policy.title, firm, now)
        if not recipients and not texted:
            unreachable += 1
            continue
        match.notified_at = now
        queued += 1
    db.session.flush()
    return queued, unreachable


def _notice_context(policy: Policy, firm: Firm, status: str) -> dict:
    return dict(greeting=firm.name, title=policy.title, document_number=policy.document_number,
                issuer=policy.issuer, summary=policy.summary, near=status == NEAR,
                link=external_url("policies_portal.detail", policy_id=policy.id))


def firm_recipients(firm: Firm) -> list[tuple[str, str]]:
    """The firm's contact, else its active users with an address."""
    if firm.contact_email:
        return [(firm.contact_name or firm.name, firm.contact_email)]
    users = db.session.scalars(select(User).where(User.firm_id == firm.id, User.active.is_(True), User.email != ""))
    return [(user.label, user.email) for user in users]


def mark_opened(match: PolicyMatch | None, *, now: datetime) -> None:
    """The firm opened the policy in the portal: remember the first time (what the officer sees as 已查看)."""
    if match is not None and match.opened_at is None:
        match.opened_at = now
        db.session.flush()


def set_opt_out(firm: Firm, opted_out: bool, *, actor: User, now: datetime) -> None:
    """Switch the firm's policy notices off or on."""
    row = db.session.get(PolicyOptOut, firm.id)
    if opted_out and row is None:
        db.session.add(PolicyOptOut(firm_id=firm.id, opted_out_at=now, user_id=actor.id))
    elif not opted_out and row is not None:
        db.session.delete(row)
    db.session.flush()


def is_opted_out(firm_id: int) -> bool:
    return db.session.get(PolicyOptOut, firm_id) is not None
