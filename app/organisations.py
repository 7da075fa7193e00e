"""Organisations and regions as Admin edits them, and what their records
keep of them.

A unit's records hold a copy of its region (`region_code`) and are found by
it: a regulator sees the records of its region and the regions below it
(scope.py), through indexes on those copies. So when Admin moves a unit to
another region (组织机构 → 所属区划), its records go with it in the same
transaction; otherwise the old region's regulators would keep seeing them
and the new region's would not. A region moved under another parent takes
the regions below it along (their materialised paths).
"""
from sqlalchemy import exists, func, inspect, literal, select, update

from . import supervision_tally
from .extensions import db
from .models import (
    Contract, ExpertRequest, Notice, Organisation, Plan, Region, SupervisionProject, WinnerChange)

# Every record that copies its unit's region to be found by it.
UNIT_RECORDS = (Plan, Notice, WinnerChange, Contract, ExpertRequest, SupervisionProject)


def carry_region(org: Organisation) -> int:
    """Before an edit of an organisation is flushed: if it moves the unit to
    another region, move its records too. How many moved."""
    state = inspect(org)
    if state.transient or state.pending:
        return 0
    # The form and REST set the relation; the column follows it at the flush.
    code = org.region.code if org.region is not None else org.region_code
    history = state.attrs.region_code.history
    was = (history.deleted or history.unchanged or (None,))[0]
    if code == was:
        return 0
    moved = 0
    # Not flushed first: the edit itself is flushed where the view can answer
    # a refusal (a duplicate name) with a message, rolling these back too.
    with db.session.no_autoflush:
        for model in UNIT_RECORDS:
            # Not synchronised: a unit's plans may be hundreds of thousands,
            # and none of them is in this session (the request edits the unit).
            moved += db.session.execute(
                update(model).where(model.unit_id == org.id, model.region_code != code)
                .values(region_code=code).execution_options(synchronize_session=False)).rowcount
        if moved:
            # 【监督看板】's counts hold the old region: dropped, the board
            # counts live until the sweeper's next pass counts again.
            supervision_tally.forget(db.session)
    return moved


def type_refusal(org_id: int | None, was: str | None, becomes: str | None) -> str | None:
    """Why an organisation's 机构类型 may not change from `was` to `becomes`,
    or None.

    The type decides what its users may do and which records are theirs
    (scope.py: a 采购单位's own plans, an agency's entrusted ones, a
    regulator's region): a 采购单位 made 代理机构 lost every plan, contract
    and application to its own users. So the type is fixed once anything
    refers to the organisation: a user, or any record."""
    if org_id is None or was is None or becomes is None or was == becomes:
        return None
    with db.session.no_autoflush:
        for table in db.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table.name == Organisation.__tablename__ \
                        and table.name != Organisation.__tablename__ \
                        and db.session.execute(select(exists().where(fk.parent == org_id))).scalar():
                    return "该机构已有用户或业务记录，不能修改机构类型"
    return None


def type_change_refusal(org: Organisation) -> str | None:
    """type_refusal for an edit already applied to `org` (REST's pre_update)."""
    history = inspect(org).attrs.org_type.history
    return type_refusal(org.id, history.deleted[0], org.org_type) if history.deleted else None


def parent_refusal(region: Region, parent: Region | None) -> str | None:
    """Why the region may not be put under `parent`, or None."""
    if parent is None:
        return None
    if parent.code == region.code or (region.path and parent.path.startswith(region.path)):
        return "上级区划不能是本区划或其下级区划"
    return None


def place_region(region: Region) -> None:
    """Set the region's path from its parent, and carry a changed one to the
    regions below it."""
    old_path = region.path
    region.path = (region.parent.path if region.parent else "") + region.code + "/"
    if old_path and old_path != region.path:
        db.session.execute(
            update(Region).where(Region.path.like(old_path + "%"), Region.code != region.code)
            .values(path=literal(region.path).concat(func.substr(Region.path, len(old_path) + 1)))
            .execution_options(synchronize_session="fetch"))


# What 审计日志 names for an organisation's fields (stored in Chinese, as every detail).
_AUDITED = {"name": "机构名称", "org_type": "机构类型", "credit_code": "统一社会信用代码",
            "contact": "联系人", "phone": "联系电话", "address": "地址"}


def edit_detail(org: Organisation) -> tuple[list[str], str | None]:
    """Before an edit is flushed (and before carry_region): what it changes,
    字段：旧 → 新, for 审计日志, and the region move (旧 → 新) if any, which
    changes whose regulators see the unit's records."""
    state = inspect(org)
    parts = []
    for key, label in _AUDITED.items():
        history = state.attrs[key].history
        before = (history.deleted or history.unchanged or (None,))[0]
        after = (history.added or history.unchanged or (None,))[0]
        if history.added and before != after:
            parts.append(f"{label}：{before or '—'} → {after or '—'}")
    history = state.attrs.region_code.history
    was = (history.deleted or history.unchanged or (None,))[0]
    code = org.region.code if org.region is not None else org.region_code
    if code == was:
        return parts, None
    old = db.session.get(Region, was) if was else None
    return parts, (f"所属区划：{old.name if old else was} → "
                   f"{org.region.name if org.region is not None else code}")


def created_detail(org: Organisation) -> str:
    return f"{org.name}（{org.org_type}，{org.region.name if org.region else org.region_code}）"
