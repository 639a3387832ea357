"""SQL pieces that SQLite and PostgreSQL spell differently, and stage expressions shared by the funnel queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, case, literal
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from pipeline.db import UTCDateTime
from pipeline.domain.stages import LADDER, Stage

# Stages that end a firm's run on a track (the "exits" of the flow tables). PAUSED is a rest, not an exit.
EXIT_STAGES = (Stage.REMOVED, Stage.FAILED, Stage.EXPIRED)


class days_between(FunctionElement):  # noqa: N801 (reads like the SQL function it stands for)
    """days_between(start, end): fractional days from start to end, in SQL."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"CAST(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) "
            f"AS DOUBLE PRECISION) / 86400.0")


@compiles(days_between)
def _days_between_other(element, compiler, **kw):
    # Only SQLite and PostgreSQL are supported databases; fail loudly at compile time on any other.
    raise CompileError(f"days_between is not written for {compiler.dialect.name}")


def at(moment: datetime):
    """A bound UTC time that compares correctly with UTCDateTime columns on every database."""
    return literal(moment, UTCDateTime())


def ladder_rank(column):
    """1..4 for screening..certified, 0 for the stages beside the ladder."""
    return case({stage: rank for rank, stage in enumerate(LADDER, start=1)}, value=column, else_=0)
