"""信息发布 on GPS: the notices of an interconnected project, drafted in the
【项目向导】 and published to the project's trading platform, which puts them
on its website (notice.published: app/sync/messages/notice.py, app/notice_sync.py).

- Which notice may be drafted when, and for which lots (`draftable`).
- What each type must say, after the 2020 national formats (财办库〔2020〕50号
  政府采购公告和公示信息格式规范): `problems` reports every missing or wrong
  field by name, like a validator, before anything is sent.
- The statutory periods (app/rules/deadlines.py) against the publication
  date: refused with the rule, the dates and the days missing; a late 结果公告
  is only warned, and its reason recorded.
- Working days come from 【节假日维护】 (app/holidays.py). A verdict that
  relied on a 暂定 year says so among the warnings, in the audit row, and in
  a ProvisionalJudgment that is taken again when the year is entered
  (`recheck_provisional`).
- A published notice never changes. A 变更公告 or 结果更正公告 refers to the
  notice it corrects (`original`).

Views and REST call these functions (app/views/gps/notices.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask import render_template

from . import holidays
from .audit import record
from .extensions import db
from .models import (CHANGE_ITEMS, NOTICE_TYPES, Contract, Notice, NoticeLot, Plan, ProjectReplica,
                     ProvisionalJudgment)
from .numbering import next_value
from .public.sanitise import clean_html
from .rules import deadlines, notice_text
from .rules.money import amount_error
from .rules.workdays import NotCovered

# The wizard's stages, in order (【项目向导】).
STAGES = ("计划备案", "标段推送", "采购公告", "变更公告", "专家抽取", "结果公告", "结果更正", "合同")
WAIT_FOR_LOTS = "请等待交易中心推送标段"

LABELS = {
    "title": "公告标题",
    "performance_period": "合同履行期限",
    "joint_bid": "是否接受联合体投标",
    "qualification_html": "申请人的资格要求",
    "doc_start": "获取采购文件开始时间",
    "doc_end": "获取采购文件截止时间",
    "doc_place": "获取采购文件地点",
    "doc_method": "获取采购文件方式",
    "doc_price": "采购文件售价（元）",
    "bid_deadline": "提交投标文件截止时间",
    "open_time": "开标时间",
    "open_place": "开标地点",
    "change_items": "更正事项",
    "change_html": "更正内容",
    "confirmed_on": "采购结果确定日期",
    "experts": "评审专家名单",
    "agency_fee": "代理服务收费标准及金额",
    "late_reason": "逾期发布原因",
    "reason": "项目终止的原因",
    "other_html": "其他补充事宜",
    "purchaser_name": "采购人名称",
    "purchaser_address": "采购人地址",
    "purchaser_phone": "采购人联系方式",
    "agency_name": "采购代理机构名称",
    "agency_address": "采购代理机构地址",
    "agency_phone": "采购代理机构联系方式",
    "project_contact": "项目联系人",
    "project_phone": "项目联系电话",
    "lots": "标段(包)",
}
LOT_LABELS = {
    "max_price": "最高限价（元）",
    "requirement_html": "采购需求",
    "supplier_name": "中标（成交）供应商名称",
    "supplier_address": "中标（成交）供应商地址",
    "award_amount": "中标（成交）金额（元）",
    "main_items": "主要标的信息",
}

CONTACTS = ("purchaser_name", "purchaser_address", "purchaser_phone",
            "project_contact", "project_phone")
AGENCY_CONTACTS = ("agency_name", "agency_address", "agency_phone")
# Fields each type must carry (财办库〔2020〕50号), besides the title and contacts.
REQUIRED = {
    "采购公告": ("performance_period", "qualification_html", "doc_start", "doc_end",
             "doc_place", "doc_method", "doc_price", "bid_deadline", "open_time", "open_place"),
    "变更公告": ("change_items", "change_html"),
    "结果公告": ("confirmed_on", "experts", "agency_fee"),
    "结果更正公告": ("change_html",),
    "终止公告": ("reason",),
}
AWARD = ("supplier_name", "supplier_address", "award_amount", "main_items")
LOT_REQUIRED = {"采购公告": ("requirement_html",), "结果公告": AWARD, "结果更正公告": AWARD}
# The type a correction refers to.
CORRECTS = {"变更公告": "采购公告", "结果更正公告": "结果公告"}
TITLE_SUFFIX = {"采购公告": "采购公告", "变更公告": "变更公告", "结果公告": "中标（成交）结果公告",
                "结果更正公告": "结果更正公告", "终止公告": "终止公告"}
RICH_TEXT = ("qualification_html", "change_html", "other_html")
# What a notice takes over from the project's previous notice of its type
# (a 采购公告 for the lots left out of the first one), besides the contacts.
CARRIED_WITHIN_TYPE = {
    "采购公告": ("performance_period", "joint_bid", "qualification_html", "doc_place",
             "doc_method", "doc_price", "open_place", "other_html"),
}


@dataclass(frozen=True)
class Problem:
    """One line of the validator report."""

    field: str  # a Notice column, or "lot:<code>:<column>"
    label: str
    message: str

    def __str__(self):
        return f"{self.label}：{self.message}"


# --- where a project stands --------------------------------------------------------

def project_of(plan: Plan) -> ProjectReplica | None:
    """The trading project that accepted the plan (标段推送), if any."""
    return db.session.query(ProjectReplica).filter_by(plan_id=plan.id).one_or_none()


def published(project_code: str, *types: str) -> list[Notice]:
    query = db.session.query(Notice).filter_by(project_code=project_code, state="已发布")
    if types:
        query = query.filter(Notice.notice_type.in_(types))
    return query.order_by(Notice.published_at, Notice.id).all()


def published_by_type(project_code: str | None) -> dict[str, list[Notice]]:
    """The project's published notices, oldest first, by type (one query);
    every type is a key, 合同公告 too (published from 【合同管理】)."""
    by_type = {kind: [] for kind in NOTICE_TYPES}
    for notice in published(project_code) if project_code else []:
        if notice.notice_type in by_type:  # not 合同公告: published from 合同管理
            by_type[notice.notice_type].append(notice)
    return by_type


def _lots_of(notices) -> set[str]:
    return {lot.lot_code for notice in notices for lot in notice.lots}


def draftable(project: ProjectReplica | None) -> dict[str, list]:
    """Per notice type drafted in the wizard: what it may cover now — lot
    replicas for 采购公告, 结果公告 and 终止公告; published notices it may
    correct for 变更公告 and 结果更正公告. An empty list: not now. 合同公告 is
    not among them: it is published when its contract is filed (app/contract_notice.py)."""
    if project is None or not project.lots:
        return {kind: [] for kind in TITLE_SUFFIX}
    by_type = published_by_type(project.project_code)
    announced = _lots_of(by_type["采购公告"])
    closed = _lots_of(by_type["结果公告"]) | _lots_of(by_type["终止公告"])
    open_lots = [lot for lot in project.lots if lot.code in announced and lot.code not in closed]
    return {
        "采购公告": [lot for lot in project.lots if lot.code not in announced],
        "变更公告": [notice for notice in by_type["采购公告"]
                 if {lot.lot_code for lot in notice.lots} - closed],
        "结果公告": open_lots,
        "结果更正公告": by_type["结果公告"],
        "终止公告": open_lots,
    }


def contracts_of(plan: Plan, with_unfiled: bool = False) -> list[Contract]:
    """The plan's contracts (合同公告及备案), oldest first: only those filed
    (whose 合同公告 is public) unless `with_unfiled` (the purchasing unit's
    own view: a draft contract is nobody else's business)."""
    query = db.session.query(Contract).filter_by(plan_id=plan.id)
    if not with_unfiled:
        query = query.filter_by(state="已备案")
    return query.order_by(Contract.id).all()


def _contract_state(contracts: list[Contract]) -> tuple[str, bool]:
    filed = sum(1 for contract in contracts if contract.state == "已备案")
    pending = len(contracts) - filed
    parts = ([f"已备案 {filed} 份"] if filed else []) + ([f"办理中 {pending} 份"] if pending else [])
    return ("，".join(parts) or "未开始", bool(filed))


def stages(plan: Plan, project: ProjectReplica | None,
           contracts: list[Contract] | None = None) -> list[dict]:
    """The wizard's stages in order: [{"name", "state" (shown), "done" (bool)}];
    the 合同 stage also carries "contracts" (`contracts`, default the filed ones)."""
    if contracts is None:
        contracts = contracts_of(plan)
    by_kind = published_by_type(project.project_code if project else None)

    def notices_state(kind):
        found = by_kind[kind]
        return (f"已发布 {len(found)} 条", True) if found else ("未发布", False)

    rows = [("计划备案", (f"已备案 {plan.filed_at:%Y-%m-%d}" if plan.filed_at else plan.state,
                      plan.state == "已备案")),
            ("标段推送", (f"已推送 {len(project.lots)} 个标段" if project and project.lots
                      else WAIT_FOR_LOTS, bool(project and project.lots))),
            ("采购公告", notices_state("采购公告")),
            ("变更公告", notices_state("变更公告")),
            ("专家抽取", ("未开始", False)),
            ("结果公告", notices_state("结果公告")),
            ("结果更正", notices_state("结果更正公告")),
            ("合同", _contract_state(contracts))]
    found = [{"name": name, "state": state, "done": done} for name, (state, done) in rows]
    found[-1]["contracts"] = contracts
    return found


# --- drafting ------------------------------------------------------------------------

class Refusal(ValueError):
    """Why a notice cannot be drafted, changed or published now (Chinese)."""


def start_draft(plan: Plan, project: ProjectReplica, kind: str, lot_codes: list[str],
                user, original: Notice | None = None) -> Notice:
    """Step one of 【起草公告】: a draft of `kind` for the chosen lots,
    pre-filled from the plan, the lots and (for a correction) the original."""
    if kind not in TITLE_SUFFIX:
        raise Refusal("请选择公告类型")
    allowed = draftable(project)[kind]
    if kind in CORRECTS:
        if original is None or original not in allowed:
            raise Refusal(f"请选择要更正的{CORRECTS[kind]}")
        choosable = {lot.lot_code: lot for lot in original.lots}
    else:
        if not allowed:
            raise Refusal(f"本项目当前没有可发布{kind}的标段")
        choosable = {lot.code: lot for lot in allowed}
    chosen = [code for code in dict.fromkeys(lot_codes) if code in choosable]
    if not chosen or len(chosen) != len(set(lot_codes)):
        raise Refusal("请选择公告涉及的标段（只能选择列出的标段）")
    notice = Notice(notice_type=kind, project=project, plan=plan, unit_id=plan.unit_id,
                    agency_id=plan.agency_id, region_code=plan.region_code,
                    platform_code=project.platform_code, original=original, state="草稿",
                    title=notice_text.notice_title(project.project_name, TITLE_SUFFIX[kind]))
    _prefill(notice, plan, project)
    if original is not None:
        _copy_from(notice, original)
    for seq, code in enumerate(chosen, 1):
        notice.lots.append(_notice_lot(seq, choosable[code]))
    if kind == "结果公告":
        from . import committee

        committee.prefill_experts(notice)  # 评审专家名单 from the platform's committee.formed
    notice.notice_key = f"{project.project_code}-{next_value(f'notice:{project.project_code}'):02d}"
    db.session.add(notice)
    record(user, f"起草{kind}", notice, "、".join(chosen))
    return notice


def _prefill(notice: Notice, plan: Plan, project: ProjectReplica) -> None:
    """Nothing the project already said is typed twice: the contacts of its
    newest published notice (the agency's only while it is the same agency),
    the common parts of its previous notice of the same type; whatever is
    still empty from the plan and the unit's and agency's records."""
    earlier = published(project.project_code)
    if earlier:
        latest = earlier[-1]
        carried = CONTACTS + (AGENCY_CONTACTS if latest.agency_id == notice.agency_id else ())
        _carry(notice, latest, carried)
    same_kind = [n for n in earlier if n.notice_type == notice.notice_type]
    if same_kind:
        _carry(notice, same_kind[-1], CARRIED_WITHIN_TYPE.get(notice.notice_type, ()))
    _fill_from_records(notice, plan)


def _carry(notice: Notice, source: Notice, columns) -> None:
    for column in columns:
        setattr(notice, column, getattr(source, column))


def _contact_line(org) -> str | None:
    return " ".join(filter(None, (org.contact, org.phone))) or None


def _fill_from_records(notice: Notice, plan: Plan) -> None:
    """The unit's and agency's organisation records and the plan's contact,
    for what the project's earlier notices did not give."""
    unit, agency = plan.unit, plan.agency
    found = {"purchaser_name": unit.name, "purchaser_address": unit.address,
             "purchaser_phone": _contact_line(unit),
             # The plan names the project's contact; else the agency that runs
             # the procurement, else the unit.
             "project_contact": plan.contact or (agency or unit).contact,
             "project_phone": plan.phone or (agency or unit).phone}
    if agency is not None:
        found.update(agency_name=agency.name, agency_address=agency.address,
                     agency_phone=_contact_line(agency))
    for column, value in found.items():
        if _blank(getattr(notice, column)):
            setattr(notice, column, value)


def _copy_from(notice: Notice, original: Notice) -> None:
    """A correction starts from what it corrects: a 变更公告 from the times in
    force, a 结果更正公告 from the award."""
    if notice.notice_type == "变更公告":
        times = current_times(original)
        (notice.doc_start, notice.doc_end, notice.bid_deadline,
         notice.open_time) = times
        notice.open_place = original.open_place
    else:
        notice.confirmed_on, notice.experts = original.confirmed_on, original.experts
        notice.agency_fee = original.agency_fee


def _notice_lot(seq: int, source) -> NoticeLot:
    """From a LotReplica (a fresh notice) or the original's NoticeLot."""
    if isinstance(source, NoticeLot):
        copy = NoticeLot(seq=seq, lot_code=source.lot_code, name=source.name,
                         budget=source.budget, max_price=source.max_price)
        for column in AWARD + ("supplier_credit_code",):
            setattr(copy, column, getattr(source, column))
        return copy
    return NoticeLot(seq=seq, lot_code=source.code, name=source.name, budget=source.budget,
                     requirement_html=clean_html(source.content) if source.content else None)


def current_times(announcement: Notice) -> tuple:
    """(doc_start, doc_end, bid_deadline, open_time) in force for a 采购公告:
    its own, as changed by its published 变更公告s, newest last."""
    times = [announcement.doc_start, announcement.doc_end, announcement.bid_deadline,
             announcement.open_time]
    changes = (db.session.query(Notice)
               .filter_by(original_id=announcement.id, state="已发布", notice_type="变更公告")
               .order_by(Notice.published_at, Notice.id))
    for change in changes:
        if "时间" in (change.change_items or []):
            for i, value in enumerate((None, change.doc_end, change.bid_deadline,
                                       change.open_time)):
                if value is not None:
                    times[i] = value
    return tuple(times)


def edit_refusal(notice: Notice) -> str | None:
    if notice.state != "草稿":
        return f"公告“{notice.title}”已发布，不能修改；如需更正请发布变更公告或结果更正公告"
    return None


def save_draft(notice: Notice, values: dict, lot_values: dict[str, dict], user) -> None:
    """保存草稿: take what the form sent; rich text is sanitised here.
    Checking is for 【发布】: a draft may be incomplete."""
    if refusal := edit_refusal(notice):
        raise Refusal(refusal)
    for column, value in values.items():
        if column in RICH_TEXT:
            value = clean_html(value) or None
        setattr(notice, column, value)
    for lot in notice.lots:
        for column, value in lot_values.get(lot.lot_code, {}).items():
            if column == "requirement_html":
                value = clean_html(value) or None
            setattr(lot, column, value)
    record(user, "保存公告草稿", notice)


def delete_draft(notice: Notice, user) -> None:
    if refusal := edit_refusal(notice):
        raise Refusal(refusal)
    record(user, "删除公告草稿", notice, notice.title)
    db.session.delete(notice)


# --- checking ----------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not clean_html(value).strip()) \
        or (isinstance(value, (list, tuple)) and not value)


def required_fields(notice: Notice) -> tuple[str, ...]:
    fields = ("title", *CONTACTS, *REQUIRED[notice.notice_type])
    if notice.agency_id is not None:
        fields += AGENCY_CONTACTS
    if notice.notice_type == "变更公告" and "时间" in (notice.change_items or []):
        fields += ("bid_deadline", "open_time")
    return fields


def problems(notice: Notice, today: dt.date) -> list[Problem]:
    """The validator report: every missing or wrong field, by name. Empty: it
    may be published on `today`."""
    if notice.notice_type not in REQUIRED:
        return [Problem("notice_type", "公告类型",
                        f"{notice.notice_type}不在项目向导中发布（见【合同管理】→【合同公告及备案】）")]
    found = [Problem(field, LABELS[field], "必填") for field in required_fields(notice)
             if _blank(getattr(notice, field))]
    found += _lot_problems(notice)
    found += _order_problems(notice)
    found += _period_problems(notice, today, holidays.current())
    if notice.notice_type == "变更公告" and notice.change_items:
        wrong = set(notice.change_items) - set(CHANGE_ITEMS)
        if wrong:
            found.append(Problem("change_items", LABELS["change_items"],
                                 "只能是" + "、".join(CHANGE_ITEMS)))
    return _dedupe(found)


def _dedupe(found: list[Problem]) -> list[Problem]:
    """One line per field: the first (a missing value before its rules)."""
    seen, kept = set(), []
    for problem in found:
        if problem.field not in seen:
            seen.add(problem.field)
            kept.append(problem)
    return kept


def _lot_problems(notice: Notice) -> list[Problem]:
    found = []
    if not notice.lots:
        found.append(Problem("lots", LABELS["lots"], "请至少选择一个标段"))
    for lot in notice.lots:
        prefix = f"标段“{lot.lot_code} {lot.name}”"
        for column in LOT_REQUIRED.get(notice.notice_type, ()):
            if _blank(getattr(lot, column)):
                found.append(Problem(f"lot:{lot.lot_code}:{column}",
                                     f"{prefix}{LOT_LABELS[column]}", "必填"))
        for column in ("max_price", "award_amount"):
            value = getattr(lot, column)
            if value is None:
                continue
            label = f"{prefix}{LOT_LABELS[column]}"
            if message := amount_error(value, LOT_LABELS[column]):
                found.append(Problem(f"lot:{lot.lot_code}:{column}", label, message))
            elif Decimal(value) > Decimal(lot.budget):
                found.append(Problem(f"lot:{lot.lot_code}:{column}", label,
                                     f"{value:,.2f} 元超过标段预算 {lot.budget:,.2f} 元"))
    if notice.doc_price is not None and (
            message := amount_error(notice.doc_price, LABELS["doc_price"], allow_zero=True)):
        found.append(Problem("doc_price", LABELS["doc_price"], message))
    return found


def _order_problems(notice: Notice) -> list[Problem]:
    """A notice comes in its place in the flow, and only for lots it may cover."""
    kind, project = notice.notice_type, notice.project
    allowed = draftable(project)[kind]
    if kind in CORRECTS:
        if notice.original not in allowed:
            return [Problem("original", "更正的原公告",
                            f"原{CORRECTS[kind]}不存在或已不能更正")]
        covered = {lot.lot_code for lot in notice.original.lots}
    else:
        covered = {lot.code for lot in allowed}
    stray = [lot.lot_code for lot in notice.lots if lot.lot_code not in covered]
    if stray:
        return [Problem("lots", LABELS["lots"],
                        f"{'、'.join(stray)} 当前不能发布{kind}（已发布过或尚未发布采购公告）")]
    return []


def _period_problems(notice: Notice, today: dt.date, cal) -> list[Problem]:
    """The statutory periods, on the calendar `cal`."""
    if notice.notice_type in ("采购公告", "变更公告"):
        return _time_problems(notice, today, cal)
    if notice.notice_type == "结果公告":
        return _result_problems(notice, today, cal)
    return []


def _time_problems(notice: Notice, today: dt.date, cal) -> list[Problem]:
    method = notice.plan.procurement_method
    if notice.notice_type == "采购公告":
        found = []
        if notice.doc_start and notice.doc_start.date() < today:
            found.append(Problem("doc_start", LABELS["doc_start"],
                                 f"{notice.doc_start:%Y-%m-%d} 早于公告发布日期 {today}"))
        times = deadlines.times_errors(cal, method, notice.doc_start, notice.doc_end,
                                       notice.bid_deadline, notice.open_time)
        return found + [Problem(field, LABELS[field], message) for field, message in times.items()]
    return _change_problems(notice, method, today, cal)


def _change_problems(notice: Notice, method: str, today: dt.date, cal) -> list[Problem]:
    original = notice.original
    if original is None:
        return []
    doc_start, doc_end, deadline, _open = current_times(original)
    if deadline is None:
        return []
    if deadline.date() < today:
        return [Problem("bid_deadline", LABELS["bid_deadline"],
                        f"投标截止时间 {deadline:%Y-%m-%d %H:%M} 已过，不能再发布变更公告；"
                        "请发布结果公告或终止公告")]
    found = []
    new_deadline = _new_deadline(notice)
    if new_deadline is not None:
        times = deadlines.times_errors(cal, method, doc_start, notice.doc_end or doc_end,
                                       new_deadline, notice.open_time)
        found += [Problem(field, LABELS[field], message) for field, message in times.items()]
    check = _preparation_check(notice, today, cal)
    if check is not None and check.error:
        found.append(Problem("bid_deadline", LABELS["bid_deadline"], check.error))
    return found


def _new_deadline(notice: Notice) -> dt.datetime | None:
    """The deadline a 变更公告 sets, when its 更正事项 include 时间."""
    return notice.bid_deadline if "时间" in (notice.change_items or []) else None


def _preparation_check(notice: Notice, today: dt.date, cal) -> deadlines.ChangeCheck | None:
    """A 变更公告 changing the documents affects bid preparation: the period
    before the deadline in force (or the one it sets). None: not such a change."""
    if notice.notice_type != "变更公告" or notice.original is None:
        return None
    deadline = current_times(notice.original)[2]
    if deadline is None or "文件" not in (notice.change_items or []):
        return None
    return deadlines.change_check(cal, notice.plan.procurement_method, today, deadline,
                                  _new_deadline(notice))


def postpone_to(notice: Notice, today: dt.date) -> dt.datetime | None:
    """顺延: the earliest lawful bid deadline for this 变更公告, when the one
    it gives (or the one in force) is too soon."""
    cal = holidays.current()
    check = _preparation_check(notice, today, cal)
    if check is None or check.earliest is None:
        return None
    try:
        return deadlines.postponed(cal, notice.plan.procurement_method, check.earliest,
                                   current_times(notice.original)[0])
    except NotCovered:
        return None  # the check says the calendar ends first


def _deadlines_in_force(notice: Notice) -> dict[str, dt.datetime]:
    """Bid deadline in force per lot of the notice, from its published 采购公告."""
    found = {}
    codes = {lot.lot_code for lot in notice.lots}
    for announcement in published(notice.project_code, "采购公告"):
        deadline = current_times(announcement)[2]
        for lot in announcement.lots:
            if lot.lot_code in codes and deadline is not None:
                found[lot.lot_code] = deadline
    return found


def _result_problems(notice: Notice, today: dt.date, cal) -> list[Problem]:
    """A result comes after the bids closed, and the result was confirmed
    then; a late one needs its reason."""
    deadlines_ = _deadlines_in_force(notice)
    open_bids = sorted(code for code, deadline in deadlines_.items() if deadline.date() > today)
    if open_bids:
        latest = max(deadlines_[code] for code in open_bids)
        return [Problem("lots", LABELS["lots"],
                        f"{'、'.join(open_bids)} 的投标截止时间（{latest:%Y-%m-%d %H:%M}）未到，"
                        "不能发布结果公告")]
    if notice.confirmed_on is None:
        return []
    closed = max(deadlines_.values(), default=None)
    if closed is not None and notice.confirmed_on < closed.date():
        return [Problem("confirmed_on", LABELS["confirmed_on"],
                        f"{notice.confirmed_on} 早于投标截止日期 {closed:%Y-%m-%d}")]
    if notice.confirmed_on > today:
        return [Problem("confirmed_on", LABELS["confirmed_on"],
                        f"{notice.confirmed_on} 晚于今天 {today}")]
    warning = deadlines.result_late_warning(cal, notice.confirmed_on, today)
    if warning and not (notice.late_reason or "").strip():
        return [Problem("late_reason", LABELS["late_reason"], warning)]
    return []


def warnings(notice: Notice, today: dt.date) -> list[str]:
    """What is allowed but recorded: a late 结果公告, and a verdict that
    relied on a 暂定 year of the calendar."""
    return [*_late_warnings(notice, today), *filter(None, [provisional_note(notice, today)])]


def _late_warnings(notice: Notice, today: dt.date) -> list[str]:
    if notice.notice_type == "结果公告" and notice.confirmed_on and notice.confirmed_on <= today:
        warning = deadlines.result_late_warning(holidays.current(), notice.confirmed_on, today)
        return [warning] if warning else []
    return []


def provisional_note(notice: Notice, today: dt.date) -> str | None:
    """“按法定节假日暂定计算…” when the periods' verdict relied on a year
    not yet entered in 【节假日维护】."""
    cal = holidays.current().recording()
    period_verdict(notice, today, cal)
    return cal.note()


def period_verdict(notice: Notice, today: dt.date, cal) -> str:
    """The statutory periods' verdict as one text ("" when lawful and in
    time): what a ProvisionalJudgment keeps and compares."""
    texts = [f"{p.label}：{p.message}" for p in _period_problems(notice, today, cal)]
    if (notice.notice_type == "结果公告" and notice.confirmed_on
            and notice.confirmed_on <= today and not texts):
        if late := deadlines.result_late_warning(cal, notice.confirmed_on, today):
            texts.append(late)
    return "；".join(texts)


def period_check(notice: Notice, today: dt.date) -> str | None:
    """For the draft page: the statutory periods' verdict as of `today` ("" =
    lawful), or None while the notice has no dates to judge yet."""
    if not any((notice.doc_start, notice.doc_end, notice.bid_deadline, notice.confirmed_on)):
        return None
    if notice.notice_type not in ("采购公告", "变更公告", "结果公告"):
        return None
    return period_verdict(notice, today, holidays.current())


def _provisional_judgment(notice: Notice, today: dt.date) -> str | None:
    """Keep a verdict given on 暂定 days, to take it again later; its note."""
    cal = holidays.current().recording()
    verdict = period_verdict(notice, today, cal)
    if not cal.consulted:
        return None
    dates = [value.date() if isinstance(value, dt.datetime) else value
             for value in (notice.doc_end, notice.bid_deadline, notice.open_time,
                           notice.confirmed_on) if value is not None]
    db.session.add(ProvisionalJudgment(
        notice=notice, years=",".join(str(y) for y in sorted(cal.consulted)),
        judged_on=today, until=max([today, *dates]), verdict=verdict))
    return cal.note()


def provisional_judgments(notice: Notice) -> list[ProvisionalJudgment]:
    """The 暂定 verdicts a published notice was given, and their re-checks."""
    if notice.id is None:
        return []
    return (db.session.query(ProvisionalJudgment).filter_by(notice_id=notice.id)
            .order_by(ProvisionalJudgment.id).all())


def recheck_provisional(year: int, cal) -> int:
    """After `year` changed in 【节假日维护】: take again the verdicts given
    on its 暂定 days for notices still in force. Returns how many changed."""
    today = dt.date.today()
    rows = (db.session.query(ProvisionalJudgment)
            .filter(ProvisionalJudgment.until >= today,
                    ProvisionalJudgment.years.contains(str(year))).all())
    changed = 0
    for row in rows:
        row.recheck_verdict = period_verdict(row.notice, row.judged_on, cal)
        row.rechecked_at = dt.datetime.now()
        row.changed = row.recheck_verdict != row.verdict
        changed += row.changed
    return changed


# --- publishing ----------------------------------------------------------------------

def render_body(notice: Notice) -> str:
    """The notice as the public reads it (预览, and the website's copy)."""
    if notice.notice_type == "合同公告":
        from . import contract_notice

        return contract_notice.render_body(notice)
    return render_template("notice/body.html", notice=notice, labels=LABELS,
                           lot_labels=LOT_LABELS, times=_times_in_force(notice),
                           qualification=notice_text.qualification_html(
                               notice.qualification_html))


def _times_in_force(notice: Notice):
    if notice.notice_type == "变更公告" and notice.original is not None:
        return current_times(notice.original)
    return None


def publish(notice: Notice, user, now: dt.datetime | None = None) -> list[Problem]:
    """【发布】: checked, then published and sent to the platform in the
    caller's transaction. Returns the report; non-empty means nothing changed."""
    now = now or dt.datetime.now()
    if refusal := edit_refusal(notice):
        raise Refusal(refusal)
    found = problems(notice, now.date())
    if found:
        return found
    late = _late_warnings(notice, now.date())
    note = _provisional_judgment(notice, now.date())
    notice.state, notice.published_at = "已发布", now.replace(microsecond=0)
    send_published(notice)
    detail = "；".join([f"标段：{'、'.join(lot.lot_code for lot in notice.lots)}",
                       *(f"{w}；原因：{notice.late_reason}" for w in late),
                       *filter(None, [note])])
    record(user, f"发布{notice.notice_type}", notice, detail)
    return []


def send_published(notice: Notice, documents: list[dict] | None = None) -> None:
    """notice.published for a notice just marked 已发布 (the wizard's and the
    合同公告's), in the caller's transaction: 待推送 until the platform answers."""
    from .sync import outbox
    from .sync.messages.notice import entity_key, payload_of

    notice.sync_state = "待推送"
    db.session.flush()  # the version the message carries
    outbox.send("notice.published", notice.platform_code, entity_key(notice.notice_key),
                notice.version, payload_of(notice, render_body(notice), documents))
