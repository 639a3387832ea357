"""The large county's page of a list narrowed by its own filters to as many rows as the small county's page shows.

Used by bench_pages.py for lists that only the large county fills (ROW_MATCHED): each function lists every narrowing
of one page that its filters offer, with the rows it holds, in one grouped count.
"""

from __future__ import annotations


def _bulk_columns(session, towns) -> list[tuple[str, int]]:
    """Every column of the bulk page narrowed by its own filters (track, stage, town, officer), with its records."""
    from sqlalchemy import func, select

    from pipeline.firms.models import Firm
    from pipeline.funnel.models import FirmTrack, Track

    keys = (Track.code, FirmTrack.stage, Firm.town_id, Firm.officer_id)
    stmt = select(*keys, func.count()).join(FirmTrack.firm).join(FirmTrack.track).group_by(*keys)
    stmt = stmt if towns is None else stmt.where(Firm.town_id.in_(towns))
    return [(f"/funnel/bulk?track={code}&stage={stage}&town={town}&officer={officer or ''}", count)
            for code, stage, town, officer, count in session.execute(stmt)]


def _invitation_lists(session, towns) -> list[tuple[str, int]]:
    """The invitation preview narrowed by the firm list's town and industry filters, and by those and a track's
    stage, with its firms."""
    from sqlalchemy import func, select

    from pipeline.firms.models import Firm
    from pipeline.funnel.models import FirmTrack

    places = (Firm.town_id, Firm.industry_id)
    by_place = select(*places, func.count()).group_by(*places)
    by_stage = select(*places, FirmTrack.track_id, FirmTrack.stage, func.count()).join(Firm.tracks).group_by(
        *places, FirmTrack.track_id, FirmTrack.stage)
    if towns is not None:
        by_place, by_stage = by_place.where(Firm.town_id.in_(towns)), by_stage.where(Firm.town_id.in_(towns))
    return ([(f"/firms/invitations/?town={town}&industry={industry}", count)
             for town, industry, count in session.execute(by_place)]
            + [(f"/firms/invitations/?town={town}&industry={industry}&track={track}&stage={stage}", count)
               for town, industry, track, stage, count in session.execute(by_stage)])


def _certificate_lists(session, towns) -> list[tuple[str, int]]:
    """The certificate list narrowed by its year, status and track filters, with its certificates (a page holds
    100)."""
    from sqlalchemy import func, select

    from pipeline.certificates.models import Certificate
    from pipeline.firms.models import Firm

    keys = (Certificate.year, Certificate.status, Certificate.track_id)
    stmt = select(*keys, func.count()).join(Firm, Firm.id == Certificate.firm_id).group_by(*keys)
    stmt = stmt if towns is None else stmt.where(Firm.town_id.in_(towns))
    return [(f"/certificates/?year={year}&status={status}&track={track}", min(count, 100))
            for year, status, track, count in session.execute(stmt)]


# Lists that only the large county fills (the bulk page lists up to 1,000 records of a column, the invitation preview
# up to 5,000 firms, the certificate list 100 a page; an officer's two towns hold 60 certificates at 1,000 firms): at
# the large county the same page narrowed by its own filters to as many rows as the small county's page shows is the
# page of the same kind (see row_matched_url).
ROW_MATCHED = {"/funnel/bulk": _bulk_columns, "/firms/invitations/": _invitation_lists,
               "/certificates/": _certificate_lists}


def row_matched_url(app, role: str, pattern: str, rows: int) -> str:
    """The URL of the county's page of this pattern, narrowed by its filters, whose table rows (records + a header)
    come closest to `rows`, among the narrowings the role may see."""
    from sqlalchemy import select

    from pipeline.auth.models import User
    from pipeline.auth.permissions import visible_town_ids
    from pipeline.extensions import db

    with app.app_context():
        towns = visible_town_ids(db.session.scalar(select(User).where(User.username == role)))
        candidates = ROW_MATCHED[pattern](db.session, towns)
        db.session.remove()
    return min(candidates, key=lambda candidate: (abs(candidate[1] + 1 - rows), candidate[0]))[0]
