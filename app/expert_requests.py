"""专家抽取申请 (GPS manual §3): numbering, validation, saving, who may edit.

The form and any other caller hand in a plain dict of what the user typed
(strings, and lists of rows for 专家需求 and 回避单位); check() answers every
problem in Chinese by field, save() writes only what check() accepted, so a
refused form changes nothing. Moving an application along its chain is
app/workflows/expert_request.py.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from .audit import record
from .expert_draw import EVALUATED
from .extensions import db
from .models import (PROCUREMENT_METHODS, ExpertNeed, ExpertRequest, ExpertSpeciality,
                     LotReplica, Organisation, Plan, ProjectReplica, Region, RequestRecusal)
from .numbering import next_value
from .rules.credit_code import credit_code_error
from .rules.expert_needs import expert_count_error, review_time_error
from .rules.money import amount_error
from .rules.text import has_control, trimmed

EDITABLE_STATES = ("草稿", "已退回")
APPLICANT_TYPES = ("采购单位", "代理机构")
USER_RECUSAL_KINDS = ("投标人", "其他")
MAX_ROWS = 20  # 专家需求 / 回避单位 rows one form may carry
MAX_PER_ROW = 99


def next_request_no(year: int) -> str:
    """申请编号: ZJ<年度>-<4位流水号> (docs/experts.md)."""
    return f"ZJ{year}-{next_value(f'expert_request:{year}'):04d}"


def projects_for(user, search: str = ""):
    """选择项目: the interconnected projects (标段推送 to GPS) the user sees,
    newest first, that GPS knows the plan of, short of 评标结束 (whose
    committee has sat: no experts to draw)."""
    from .scope import project_replica_clause

    query = (db.session.query(ProjectReplica)
             .filter(project_replica_clause(user), ProjectReplica.plan_id.isnot(None),
                     ProjectReplica.stage != EVALUATED))
    if search:
        like = f"%{search}%"
        query = query.filter(ProjectReplica.project_code.like(like)
                             | ProjectReplica.project_name.like(like))
    return query.order_by(ProjectReplica.received_at.desc(), ProjectReplica.project_code)


def project_for(user, project_code) -> ProjectReplica | None:
    if not project_code or not isinstance(project_code, str):
        return None
    return projects_for(user).filter(ProjectReplica.project_code == project_code).one_or_none()


def purchaser_units(agency: Organisation):
    """For an agency typing a project by hand: the units that entrusted it
    with a plan (an agency acts only for those)."""
    entrusting = select(Plan.unit_id).where(Plan.agency_id == agency.id)
    return (db.session.query(Organisation)
            .filter(Organisation.org_type == "采购单位", Organisation.id.in_(entrusting))
            .order_by(Organisation.region_code, Organisation.name))


def regions():
    """专家抽取地区: experts come from the region chosen and those below it."""
    return db.session.query(Region).order_by(Region.path)


def specialities():
    """评审专业, as a tree in path order (the expert library seeds it)."""
    return db.session.query(ExpertSpeciality).order_by(ExpertSpeciality.path)


def edit_refusal(item: ExpertRequest) -> str | None:
    if item.state not in EDITABLE_STATES:
        return f"申请“{item.request_no}”{item.state}，只有草稿或已退回的申请可以修改"
    return None


def delete_refusal(item: ExpertRequest) -> str | None:
    if item.state != "草稿" or item.submitted_at is not None:
        return f"申请“{item.request_no}”{item.state}，只有未提交过的草稿可以删除"
    return None


# --- reading what was typed ---------------------------------------------------

def _text(value, limit: int) -> str:
    return trimmed(value)[:limit + 1] if isinstance(value, str) else ""


def _whole(value, label, low, high) -> tuple[int | None, str | None]:
    text = value.strip() if isinstance(value, str) else str(value if value is not None else "")
    if text == "":
        return None, f"请填写{label}"
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        return None, f"{label}须为{low}至{high}之间的整数，当前为“{text[:20]}”"
    return int(text), None


def _hours(value) -> tuple[Decimal | None, str | None]:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None, None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = None
    if hours is None or not hours.is_finite() or not Decimal("0.5") <= hours <= Decimal("99.9") \
            or hours != hours.quantize(Decimal("0.1")):
        return None, f"预计评审时长须为0.5至99.9之间的小时数（最多一位小数），当前为“{text[:20]}”"
    return hours, None


# As the forms' datetime-local fields read them (views/common/widgets.py).
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _parse_datetime(value) -> dt.datetime | None:
    text = value.strip() if isinstance(value, str) else ""
    for pattern in DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).replace(second=0, microsecond=0)
        except ValueError:
            continue
    return None


def _needs(rows, errors) -> list[dict]:
    found, seen = [], set()
    for number, row in enumerate(rows or [], 1):
        code = _text(row.get("speciality_code"), 16)
        count, reserve = row.get("count"), row.get("reserve_count")
        if not code and not (count or "").strip() and not (reserve or "").strip():
            continue  # a blank row of the form
        if number > MAX_ROWS:
            errors.setdefault("needs", f"专家需求最多{MAX_ROWS}行")
            break
        label = f"专家需求第{number}行"
        if not code:
            errors.setdefault("needs", f"{label}：请选择评审专业")
            continue
        speciality = db.session.get(ExpertSpeciality, code)
        if speciality is None:
            errors.setdefault("needs", f"{label}：评审专业“{code[:16]}”不存在，请从评审专业中选择")
            continue
        if code in seen:
            errors.setdefault("needs", f"{label}：评审专业“{speciality}”重复，请合并为一行")
            continue
        seen.add(code)
        count, error = _whole(count, "人数", 1, MAX_PER_ROW)
        if error:
            errors.setdefault("needs", f"{label}：{error}")
            continue
        reserve, error = _whole(reserve if (reserve or "").strip() else "0", "备选人数", 0,
                                MAX_PER_ROW)
        if error:
            errors.setdefault("needs", f"{label}：{error}")
            continue
        found.append({"speciality_code": code, "count": count, "reserve_count": reserve})
    if not found and "needs" not in errors:
        errors["needs"] = "请至少填写一行专家需求（评审专业、人数）"
    return found


def _recusals(rows, purchaser_name, errors) -> list[dict]:
    found, seen = [], {purchaser_name}
    for number, row in enumerate(rows or [], 1):
        name = _text(row.get("unit_name"), 128)
        code = _text(row.get("credit_code"), 18).upper()
        kind = row.get("kind") if isinstance(row.get("kind"), str) else ""
        if not name and not code:
            continue
        if number > MAX_ROWS:
            errors.setdefault("recusals", f"回避单位最多{MAX_ROWS}行")
            break
        label = f"回避单位第{number}行"
        if not name:
            errors.setdefault("recusals", f"{label}：请填写单位名称")
            continue
        if len(name) > 128:
            errors.setdefault("recusals", f"{label}：单位名称不能超过128个字")
            continue
        if kind not in USER_RECUSAL_KINDS:
            errors.setdefault("recusals", f"{label}：类型只能是“投标人”或“其他”（采购人自动回避）")
            continue
        if code and (message := credit_code_error(code)):
            errors.setdefault("recusals", f"{label}：{message}")
            continue
        if name in seen:
            continue  # the purchaser (always there) or a repeated row
        seen.add(name)
        found.append({"unit_name": name, "credit_code": code or None, "kind": kind})
    return found


def check(data: dict, user, now: dt.datetime | None = None) -> tuple[dict, dict]:
    """(clean values, errors by field). Values are usable only when errors is empty."""
    now = now or dt.datetime.now()
    errors, clean = {}, {}
    org = getattr(user, "organisation", None)
    if org is None or org.org_type not in APPLICANT_TYPES:
        return {}, {"unit": "只有采购单位或代理机构可以填报专家抽取申请"}
    clean["agency_id"] = org.id if org.org_type == "代理机构" else None

    project_code = data.get("project_code") or None
    if project_code:
        project = project_for(user, project_code)
        if project is None:
            errors["project_code"] = "所选项目不存在或不在您的可见范围内，请重新选择项目"
        else:
            _from_project(project, org, data, clean, errors)
    else:
        _typed_project(data, org, clean, errors)

    review_at = _parse_datetime(data.get("review_at"))
    typed = data.get("review_at") if isinstance(data.get("review_at"), str) else ""
    if review_at is None and typed.strip():
        errors["review_at"] = "请填写有效的评审时间，格式为“年-月-日 时:分”，例如 2026-12-24 09:30"
    elif message := review_time_error(review_at, now):
        errors["review_at"] = message
    clean["review_at"] = review_at
    place = _text(data.get("review_place"), 200)
    if not place:
        errors["review_place"] = "请填写评审地点"
    elif len(place) > 200:
        errors["review_place"] = "评审地点不能超过200个字"
    clean["review_place"] = place
    clean["duration_hours"], error = _hours(data.get("duration_hours"))
    if error:
        errors["duration_hours"] = error
    clean["remote_review"] = data.get("remote_review") in ("y", "on", "1", "true", True)
    region_code = data.get("expert_region_code") or clean.get("region_code")
    if not isinstance(region_code, str) or db.session.get(Region, region_code) is None:
        errors["expert_region_code"] = "请从列表中选择专家抽取地区"
    clean["expert_region_code"] = region_code

    clean["needs"] = _needs(data.get("needs"), errors)
    if clean["needs"] and clean.get("procurement_method") and "needs" not in errors:
        total = sum(need["count"] for need in clean["needs"])
        if message := expert_count_error(clean["procurement_method"], clean.get("budget"),
                                         total):
            errors["needs"] = message
    clean["recusals"] = _recusals(data.get("recusals"), clean.get("purchaser_name"), errors)
    for field, value in clean.items():  # what the form typed; a project's values were checked
        if field not in errors and _any_control(value):
            errors[field] = CONTROL_REFUSED
    return clean, errors


CONTROL_REFUSED = "含有不可见的控制字符或文字方向符（如从其他软件粘贴带入），请删除后重新填写"


def _any_control(value) -> bool:
    if isinstance(value, dict):
        return any(_any_control(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_any_control(inner) for inner in value)
    return has_control(value)


def _from_project(project, org, data, clean, errors):
    """选择项目: name, number, method, budget and purchaser come from the
    project and its plan; the user chooses one of its 标段."""
    plan = project.plan
    unit = plan.unit
    clean.update(project_code=project.project_code, platform_code=project.platform_code,
                 project_name=project.project_name, project_no=project.project_code,
                 procurement_method=plan.procurement_method, budget=plan.budget,
                 unit_id=unit.id, region_code=plan.region_code,
                 purchaser_name=unit.name, purchaser_credit_code=unit.credit_code)
    if org.org_type == "代理机构":
        clean["agency_id"] = org.id
    else:
        clean["agency_id"] = plan.agency_id
    lot_code = data.get("lot_code") if isinstance(data.get("lot_code"), str) else ""
    lot = db.session.get(LotReplica, lot_code) if lot_code else None
    if not lot_code:
        errors["lot_code"] = "请选择标段"
    elif lot is None or lot.project_code != project.project_code:
        errors["lot_code"] = f"标段“{lot_code[:40]}”不属于项目“{project.project_name}”，请重新选择标段"
    else:
        clean.update(lot_code=lot.code, lot_name=lot.name)


def _typed_project(data, org, clean, errors):
    """A project typed by hand: not interconnected, so nothing is pushed."""
    clean.update(project_code=None, platform_code=None, lot_code=None, lot_name=None)
    for field, label, limit in (("project_name", "项目名称", 200), ("project_no", "项目编号", 32)):
        value = _text(data.get(field), limit)
        if not value:
            errors[field] = f"请填写{label}，或点击“选择项目”选择互联互通项目"
        elif len(value) > limit:
            errors[field] = f"{label}不能超过{limit}个字"
        clean[field] = value
    lot_name = _text(data.get("lot_name"), 200)
    if len(lot_name) > 200:
        errors["lot_name"] = "标段名称不能超过200个字"
    clean["lot_name"] = lot_name or None
    method = data.get("procurement_method")
    if method not in PROCUREMENT_METHODS:
        errors["procurement_method"] = "请选择采购方式"
    clean["procurement_method"] = method if method in PROCUREMENT_METHODS else None
    budget = data.get("budget")
    if isinstance(budget, str) and budget.strip():
        if message := amount_error(budget.strip(), "预算金额"):
            errors["budget"] = message
        else:
            clean["budget"] = Decimal(budget.strip())
    else:
        clean["budget"] = None
    if org.org_type == "采购单位":
        unit = org
    else:
        unit_id = data.get("purchaser_unit_id")
        unit = (purchaser_units(org).filter(Organisation.id == int(unit_id)).one_or_none()
                if isinstance(unit_id, str) and re.fullmatch(r"[0-9]{1,9}", unit_id)
                else None)
        if unit is None:
            errors["purchaser_unit_id"] = "代理机构手工填写项目时，请选择采购单位"
            unit = None
    if unit is not None:
        clean.update(unit_id=unit.id, region_code=unit.region_code, purchaser_name=unit.name,
                     purchaser_credit_code=unit.credit_code)


# --- writing ------------------------------------------------------------------

SCALARS = ("unit_id", "agency_id", "region_code", "project_code", "platform_code",
           "project_name", "project_no", "lot_code", "lot_name", "procurement_method",
           "budget", "purchaser_name", "purchaser_credit_code", "review_at", "review_place",
           "duration_hours", "remote_review", "expert_region_code")


def save(clean: dict, user, item: ExpertRequest | None = None) -> ExpertRequest:
    """Write checked values (check() gave no errors); the purchaser is always
    the first 回避单位. The caller commits."""
    new = item is None
    if new:
        item = ExpertRequest(state="草稿", request_no=next_request_no(dt.date.today().year))
        db.session.add(item)
    for name in SCALARS:
        setattr(item, name, clean.get(name))
    if not new:
        # The old rows go first: (request, seq) is unique, and the unit of
        # work would insert the new rows before deleting the old.
        item.needs.clear()
        item.recusal_units.clear()
        db.session.flush()
    item.needs.extend(ExpertNeed(seq=seq, **need) for seq, need in enumerate(clean["needs"], 1))
    item.recusal_units.append(RequestRecusal(kind="采购人", unit_name=clean["purchaser_name"],
                                             credit_code=clean.get("purchaser_credit_code")))
    item.recusal_units.extend(RequestRecusal(**row) for row in clean["recusals"])
    db.session.flush()
    record(user, "增加" if new else "修改", item)
    return item


def submit_refusal(item: ExpertRequest, now: dt.datetime | None = None) -> str | None:
    """What 提交 checks again: time passes between 保存 and 提交."""
    if message := review_time_error(item.review_at, now or dt.datetime.now()):
        return message
    if not item.needs:
        return "请至少填写一行专家需求（评审专业、人数）"
    if item.project_code and not item.lot_code:
        return "互联互通项目请选择标段"
    return lot_taken(item)


# A lot's committee is formed from one application's draw: its platform
# takes one result per lot (committee._seated_requests) and refused a second
# application's, which GPS had still approved and drawn.
LOT_TAKING_STATES = ("待监管初审", "已通过")


def lot_taken(item: ExpertRequest) -> str | None:
    """Another application for the item's lot, under review or approved."""
    if not item.lot_code:
        return None
    other = (db.session.query(ExpertRequest.request_no, ExpertRequest.state)
             .filter(ExpertRequest.lot_code == item.lot_code, ExpertRequest.id != item.id,
                     ExpertRequest.state.in_(LOT_TAKING_STATES))
             .order_by(ExpertRequest.id).first())
    if other is None:
        return None
    return (f"标段“{item.lot_code}”已有专家抽取申请“{other[0]}”（{other[1]}），"
            "同一标段只抽取一次；如需增加专家，请由监管部门在该申请中【补抽】")

