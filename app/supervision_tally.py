"""【监督看板】's figures, counted ahead.

Each of the board's five figures is a GROUP BY over every project in the
regulator's scope: at 1,000,000 plans a city's ~830,000, ~1.5 s a first
load on PostgreSQL (docs/benchmarks.md). A project is in one region and its
计划备案 in one month, and every figure is a sum over projects, so the
board's figures for any region subtree and any run of whole months are sums
of counts kept by (region, month, 采购方式, 阶段) and by (region, month, 预警):
a few thousand rows for a province, rebuilt by the sweeper every
DASHBOARD_TALLY_SECONDS (`tally_due`, registered with the sync sweeper's
periodic work). The board reads them while the newest build is at most
twice that old, for filters of whole months; other dates, or no recent
build (the sweeper stopped), are counted live as before.

A build writes its rows under its own `built_at` and readers take the newest
build only, so a reader never mixes two builds and two builders never add
up; older builds are deleted by the next.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import String, case, cast, delete, func, insert, select

from .extensions import db
from .models import ProjectFlag, SupervisionFlagTally, SupervisionProject, SupervisionTally


def month_of(column):
    """'2026-03' of a timestamp, in SQL (SQLite keeps timestamps as text)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(cast(column, String), 1, 7)


def rebuild(session, now: dt.datetime | None = None) -> int:
    """Count every project again; how many rows were written. The counting
    reads first, the writing is a short transaction after it."""
    built_at = now or dt.datetime.now()
    sp = SupervisionProject
    month = month_of(sp.filed_at)
    projects = session.execute(
        select(sp.region_code, month, sp.procurement_method, sp.stage, func.count(),
               # flag_count is the number of the plan's project_flag rows.
               func.sum(case((sp.flag_count > 0, 1), else_=0)),
               func.sum(sp.budget), func.sum(sp.award_amount), func.sum(sp.contract_amount))
        .group_by(sp.region_code, month, sp.procurement_method, sp.stage)).all()
    flags = session.execute(
        select(sp.region_code, month, ProjectFlag.flag_id,
               func.count(func.distinct(ProjectFlag.plan_id)))
        .select_from(ProjectFlag).join(sp, sp.plan_id == ProjectFlag.plan_id)
        .group_by(sp.region_code, month, ProjectFlag.flag_id)).all()
    # The reading transaction ends first: on SQLite a write begun from an
    # older read snapshot fails if another writer committed meanwhile.
    session.commit()
    if projects:
        session.execute(insert(SupervisionTally), [
            {"region_code": region, "month": key, "procurement_method": method, "stage": stage,
             "projects": n, "flagged": flagged, "budget": budget or 0, "award_amount": award,
             "contract_amount": contract, "built_at": built_at}
            for region, key, method, stage, n, flagged, budget, award, contract in projects])
    if flags:
        session.execute(insert(SupervisionFlagTally), [
            {"region_code": region, "month": key, "flag_id": flag_id, "projects": n,
             "built_at": built_at} for region, key, flag_id, n in flags])
    session.execute(delete(SupervisionTally).where(SupervisionTally.built_at < built_at))
    session.execute(delete(SupervisionFlagTally).where(SupervisionFlagTally.built_at < built_at))
    session.commit()
    return len(projects) + len(flags)


def forget(session) -> None:
    """Drop every build, in the caller's transaction: for a change the
    counts would misplace (a unit moved to another region)."""
    session.execute(delete(SupervisionTally))
    session.execute(delete(SupervisionFlagTally))


def _newest() -> dt.datetime | None:
    return db.session.scalar(select(func.max(SupervisionTally.built_at)))


def tally_due(now: dt.datetime | None = None) -> int:
    """The sweeper's pass: rebuild once the newest build is
    DASHBOARD_TALLY_SECONDS old (0: never)."""
    seconds = current_app.config["DASHBOARD_TALLY_SECONDS"]
    if seconds <= 0 or not current_app.extensions.get("supervision"):
        return 0  # a trading site (one process may serve tests of both)
    now = now or dt.datetime.now()
    built = _newest()
    if built is not None and (now - built).total_seconds() < seconds:
        return 0
    return rebuild(db.session, now)


def newest_build(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the build the board may read was made; None if there is none
    recent enough (twice DASHBOARD_TALLY_SECONDS)."""
    seconds = current_app.config["DASHBOARD_TALLY_SECONDS"]
    if seconds <= 0:
        return None
    built = _newest()
    now = now or dt.datetime.now()
    if built is None or (now - built).total_seconds() > 2 * seconds:
        return None
    return built


def whole_months(start: dt.date | None, end: dt.date | None) -> tuple[str, str] | None:
    """The months [first, last] that the days start..end cover exactly, as
    '2026-03' (open ends: the widest); None if a day cuts a month."""
    if start is not None and start.day != 1:
        return None
    if end is not None and (end + dt.timedelta(days=1)).day != 1:
        return None
    return (start.strftime("%Y-%m") if start else "0000-00",
            end.strftime("%Y-%m") if end else "9999-99")


def figures(built_at: dt.datetime, regions, months: tuple[str, str], late_flags) -> dict:
    """The board's five figures from the build `built_at`, for the projects
    of `regions` (a subquery of region codes, or None: all) in `months`:
    the same rows the live GROUP BYs give."""
    t, f = SupervisionTally, SupervisionFlagTally
    first, last = months

    def where(table):
        parts = [table.built_at == built_at, table.month >= first, table.month <= last]
        if regions is not None:
            parts.append(table.region_code.in_(regions))
        return parts

    return {
        "as_of": built_at.replace(microsecond=0),
        "flagged": db.session.scalar(select(func.coalesce(func.sum(t.flagged), 0))
                                     .where(*where(t))),
        "stages": [tuple(row) for row in db.session.execute(
            select(t.stage, func.sum(t.projects), func.sum(t.budget)).where(*where(t))
            .group_by(t.stage))],
        "amounts": [tuple(row) for row in db.session.execute(
            select(t.procurement_method, t.month, func.sum(t.projects), func.sum(t.budget),
                   func.sum(t.award_amount), func.sum(t.contract_amount))
            .where(*where(t)).group_by(t.procurement_method, t.month))],
        "flags": [tuple(row) for row in db.session.execute(
            select(f.flag_id, f.region_code, func.sum(f.projects)).where(*where(f))
            .group_by(f.flag_id, f.region_code))],
        "late": [tuple(row) for row in db.session.execute(
            select(f.flag_id, f.month, func.sum(f.projects))
            .where(*where(f), f.flag_id.in_(late_flags)).group_by(f.flag_id, f.month))],
    }


def init_app() -> None:
    """GPS only (with app/supervision.py): the sweeper rebuilds the counts."""
    from .sync import registry

    registry.register_periodic(tally_due)
