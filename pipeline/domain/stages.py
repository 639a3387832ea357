"""Tracks' stages and the one table that says which stage may follow which."""

from __future__ import annotations

from enum import StrEnum

from pipeline.domain.text import N_


class Stage(StrEnum):
    SCREENING = "screening"  # 遴选
    POOL = "pool"  # 入库
    CULTIVATING = "cultivating"  # 培育
    CERTIFIED = "certified"  # 认定
    REMOVED = "removed"  # 出库
    PAUSED = "paused"  # 暂缓
    FAILED = "failed"  # 未通过
    EXPIRED = "expired"  # 已过期


# The forward ladder, in order; the other stages sit beside it.
LADDER = (Stage.SCREENING, Stage.POOL, Stage.CULTIVATING, Stage.CERTIFIED)

STAGE_LABELS = {
    Stage.SCREENING: N_("遴选"),
    Stage.POOL: N_("入库"),
    Stage.CULTIVATING: N_("培育"),
    Stage.CERTIFIED: N_("认定"),
    Stage.REMOVED: N_("出库"),
    Stage.PAUSED: N_("暂缓"),
    Stage.FAILED: N_("未通过"),
    Stage.EXPIRED: N_("已过期"),
}


class ExitReason(StrEnum):
    NO_LONGER_ELIGIBLE = "no_longer_eligible"  # 不再符合条件
    WITHDRAWN = "withdrawn"  # 企业放弃
    MOVED_AWAY = "moved_away"  # 迁出
    DEREGISTERED = "deregistered"  # 注销
    OTHER = "other"  # 其他


EXIT_REASON_LABELS = {
    ExitReason.NO_LONGER_ELIGIBLE: N_("不再符合条件"),
    ExitReason.WITHDRAWN: N_("企业放弃"),
    ExitReason.MOVED_AWAY: N_("迁出"),
    ExitReason.DEREGISTERED: N_("注销"),
    ExitReason.OTHER: N_("其他"),
}
