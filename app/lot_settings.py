"""What the agency sets up per lot on a trading site once the project is
accepted, and the trading stages GPS is told about. Views and REST both call
these functions (app/views/trading/lot_settings/); messages are Chinese.

- 资费定义: 文件费, 投标保证金 (≤ 2% of the lot budget, 《政府采购法实施条例》
  第三十三条), 平台服务费.
- 招标文件规划 and 开评标配置: editable once the lot's 采购公告 has arrived
  from GPS (`Lot.notice_received_at`); statutory periods checked on the
  working-day calendar (app/rules/workdays.py).
- 评分标准 (weights per lot and category sum to 100), 符合性审查.
- 项目质疑: warnings for the 7-working-day periods of 《政府采购质疑和投诉办法》.
- 开标记录: the first one moves the project to 已开标; the agency then takes
  开始评标 → 评标中 and 评标结束 → 评标结束, in that order. Each stage goes to
  GPS as project.status (projects.set_stage).

Everything here requires the project to be 受理通过. What the bidders rely on
(fees, documents plan, scoring, compliance checklist) is frozen once the lot
has an opening record; opening records are frozen once evaluation starts.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import (
    PROCUREMENT_METHODS,
    PROJECT_STAGES,
    SCORING_CATEGORIES,
    ComplianceItem,
    Lot,
    Objection,
    OpeningBid,
    ScoringItem,
    TradingProject,
)
from . import committee, holidays
from .projects import set_stage
from .rules.bid_ceiling import ceiling_warning as _ceiling_warning
from .rules.credit_code import credit_code_error
from .rules.money import amount_error
from .rules import deadlines
from .rules.workdays import NotCovered

# Sections, as named in the trading platform's manual (§2, §4, §6).
FEES = "资费定义"
PLANNING = "招标文件规划与开评标配置"
SCORING = "评分标准"
COMPLIANCE = "符合性审查"
OBJECTIONS = "项目质疑"
OPENING = "开标记录"

NEEDS_NOTICE = (PLANNING, SCORING, COMPLIANCE, OPENING)
FROZEN_AT_OPENING = (FEES, PLANNING, SCORING, COMPLIANCE)

BOND_RATE = Decimal("0.02")
FULL_WEIGHT = Decimal(100)
CENT = Decimal("0.01")
BIG_BUDGET = Decimal(10000000)  # 1000万元: 评标委员会 7人以上

# 评标办法 allowed per 采购方式 (87号令第五十二条; 非招标采购方式管理办法;
# 竞争性磋商暂行办法第二十三条; 财政部令第110号第十条).
TENDER = deadlines.TENDER
EVALUATION_METHODS = ("综合评分法", "最低评标价法", "最低价成交", "价格优先法", "质量优先法")
METHODS_FOR = {
    "公开招标": ("综合评分法", "最低评标价法"),
    "邀请招标": ("综合评分法", "最低评标价法"),
    "竞争性磋商": ("综合评分法",),
    "竞争性谈判": ("最低价成交",),
    "询价": ("最低价成交",),
    "框架协议采购": ("价格优先法", "质量优先法"),
}
assert set(METHODS_FOR) <= set(PROCUREMENT_METHODS)

RAISE_WORKDAYS = 7  # 质疑期: 知道或应知之日起7个工作日 (办法第十条)
REPLY_WORKDAYS = 7  # 答复期: 收到质疑函后7个工作日 (办法第十三条)
REPLY_NEAR = 2  # warn when this many working days or fewer remain


def _fmt(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _sum(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _weight_text(value: Decimal) -> str:
    """80.50 → "80.5", 100.00 → "100"."""
    return f"{Decimal(value).normalize():f}"


# --- locks ----------------------------------------------------------------------

def has_opening(lot: Lot) -> bool:
    if lot.id is None:
        return False
    with db.session.no_autoflush:
        return db.session.query(exists().where(OpeningBid.lot_id == lot.id)).scalar()


def stage_index(stage: str | None) -> int:
    return PROJECT_STAGES.index(stage) if stage in PROJECT_STAGES else 0


def lock_reason(lot: Lot | None, section: str) -> str | None:
    """Why `section` of this lot may not be changed now (None: it may)."""
    if lot is None:
        return "请选择标段"
    project = lot.project
    if project is None:
        return "标段不属于任何项目"
    if project.state != "受理通过":
        return f"项目“{project.project_code}”{project.state}，受理通过后才能编辑{section}"
    if section in NEEDS_NOTICE and lot.notice_received_at is None:
        return f"该标段尚未收到政府采购系统的采购公告，暂不能编辑{section}"
    if section in FROZEN_AT_OPENING and has_opening(lot):
        return f"该标段已开标，{section}不能再修改"
    if section == OPENING and stage_index(project.stage) >= stage_index("评标中"):
        return f"项目已进入“{project.stage}”阶段，开标记录不能再修改"
    return None


# --- 资费定义 ---------------------------------------------------------------------

def fee_error(value, label: str) -> str | None:
    """A fee in yuan, optional: may be 0, not negative, at most two decimals."""
    if value is None or value == "":
        return None
    return amount_error(value, label, allow_zero=True)


FEE_FIELDS = (("doc_fee", "文件费"), ("bid_bond", "投标保证金"), ("service_fee", "平台服务费"))


def bond_cap(budget) -> Decimal:
    """The largest 投标保证金 allowed, to the 分 (rounded down)."""
    return (Decimal(budget) * BOND_RATE).quantize(CENT, rounding=ROUND_DOWN)


def bond_error(bond, budget) -> str | None:
    if bond is None or bond == "" or budget is None:
        return None
    bond, budget = Decimal(str(bond)), Decimal(budget)
    if bond > budget * BOND_RATE:
        return (f"投标保证金 {_fmt(bond)} 元超过标段预算 {_fmt(budget)} 元的2％，最多 "
                f"{_fmt(bond_cap(budget))} 元（《政府采购法实施条例》第三十三条）")
    return None


def fee_errors(lot: Lot) -> dict[str, str]:
    found = {}
    for field, label in FEE_FIELDS:
        if message := fee_error(getattr(lot, field), label):
            found[field] = message
    if "bid_bond" not in found and (message := bond_error(lot.bid_bond, lot.budget)):
        found["bid_bond"] = message
    return found


# --- 招标文件规划与开评标配置 ------------------------------------------------------

def committee_minimum(project: TradingProject) -> tuple[int, str]:
    method = project.procurement_method
    if method in TENDER:
        if project.budget is not None and Decimal(project.budget) >= BIG_BUDGET:
            return 7, "采购预算金额在1000万元以上的，评标委员会成员应为7人以上单数（87号令第四十七条）"
        return 5, "评标委员会成员应为5人以上单数（87号令第四十七条）"
    return 3, "评审小组成员应为3人以上单数"


# The lot's names for the times app/rules/deadlines.py checks.
LOT_FIELD = {"doc_start": "doc_issue_start", "doc_end": "doc_issue_end"}


def planning_errors(lot: Lot, cal=None) -> dict[str, str]:
    """The document plan and opening/evaluation settings: order of the times,
    the statutory periods, 评标办法 and 评委会人数. Blank fields are allowed
    (the plan is filled in over time); what is missing is reported by
    `completeness`."""
    project = lot.project
    method = project.procurement_method if project is not None else None
    times = deadlines.times_errors(cal or holidays.current(), method, lot.doc_issue_start,
                                   lot.doc_issue_end, lot.bid_deadline, lot.open_time)
    found = {LOT_FIELD.get(field, field): message for field, message in times.items()}
    if lot.evaluation_method:
        allowed = METHODS_FOR.get(method, EVALUATION_METHODS)
        if lot.evaluation_method not in EVALUATION_METHODS:
            found["evaluation_method"] = "评标办法只能是：" + "、".join(EVALUATION_METHODS)
        elif lot.evaluation_method not in allowed:
            found["evaluation_method"] = (f"{method}项目的评标办法只能是：" + "、".join(allowed))
    if lot.committee_size is not None:
        size = lot.committee_size
        minimum, rule = committee_minimum(project) if project else (3, "")
        if not isinstance(size, int) or size < minimum or size % 2 == 0 or size > 99:
            found["committee_size"] = f"评委会人数 {size} 人不符合要求：{rule}"
    return found


# --- 评分标准 ---------------------------------------------------------------------

def weight_error(value) -> str | None:
    if value is None or value == "":
        return "请填写权重"
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        return "权重必须是数字"
    if not weight.is_finite():
        return "权重必须是数字"
    if weight <= 0:
        return "权重必须大于0"
    if weight > FULL_WEIGHT:
        return "权重不能超过100"
    if weight.as_tuple().exponent < -2:
        return "权重最多保留两位小数"
    return None


def category_total(lot_id: int, category: str, without_id: int | None = None) -> Decimal:
    """Weights of the saved items of one lot and category (the item being
    added or edited is not flushed: it is the one being checked)."""
    query = (db.session.query(func.coalesce(func.sum(ScoringItem.weight), 0))
             .filter(ScoringItem.lot_id == lot_id, ScoringItem.category == category))
    if without_id is not None:
        query = query.filter(ScoringItem.id != without_id)
    with db.session.no_autoflush:
        return _sum(query.scalar())


def weight_sum_error(lot_id, category, weight, without_id=None) -> str | None:
    """Refuse a weight that would push the category over 100."""
    if lot_id is None or category not in SCORING_CATEGORIES or weight_error(weight):
        return None
    others = category_total(lot_id, category, without_id)
    total = others + Decimal(str(weight))
    if total > FULL_WEIGHT:
        return (f"“{category}”类权重合计将为 {_weight_text(total)}，超过100"
                f"（该标段“{category}”类其他评分项已有 {_weight_text(others)}，"
                f"最多还能设置 {_weight_text(FULL_WEIGHT - others)}）")
    return None


def scoring_item_errors(item: ScoringItem) -> dict[str, str]:
    found = {}
    if item.lot is None and item.lot_id is None:
        found["lot"] = "请选择标段"
    if item.category not in SCORING_CATEGORIES:
        found["category"] = "评分类别只能是：" + "、".join(SCORING_CATEGORIES)
    if not (item.name or "").strip():
        found["name"] = "请填写评分项名称"
    if message := weight_error(item.weight):
        found["weight"] = message
    else:
        lot_id = item.lot_id if item.lot_id is not None else item.lot.id if item.lot else None
        if message := weight_sum_error(lot_id, item.category, item.weight, item.id):
            found["weight"] = message
    return found


def category_totals(lot_id: int) -> dict[str, tuple[int, Decimal]]:
    """category → (number of items, total weight), for categories in use."""
    with db.session.no_autoflush:
        rows = (db.session.query(ScoringItem.category, func.count(ScoringItem.id),
                                 func.sum(ScoringItem.weight))
                .filter(ScoringItem.lot_id == lot_id)
                .group_by(ScoringItem.category).all())
    return {category: (count, _sum(total)) for category, count, total in rows}


def category_message(category: str, total: Decimal) -> str | None:
    if total == FULL_WEIGHT:
        return None
    if total < FULL_WEIGHT:
        return (f"“{category}”类权重合计 {_weight_text(total)}，尚差 "
                f"{_weight_text(FULL_WEIGHT - total)} 才满100")
    return f"“{category}”类权重合计 {_weight_text(total)}，超过100"


def scoring_check(lot: Lot) -> dict:
    """检查评分标准: every category in use sums to exactly 100; a lot
    evaluated by 综合评分法 (or not yet told its method) needs items."""
    totals = category_totals(lot.id) if lot.id is not None else {}
    problems = [message for category in SCORING_CATEGORIES if category in totals
                and (message := category_message(category, totals[category][1]))]
    if not totals and lot.evaluation_method in (None, "", "综合评分法"):
        problems.insert(0, "尚未设置评分标准")
    return {
        "lot": lot.code,
        "evaluation_method": lot.evaluation_method,
        "categories": [{"category": c, "items": totals[c][0] if c in totals else 0,
                        "total": _weight_text(totals[c][1]) if c in totals else None,
                        "complete": c in totals and totals[c][1] == FULL_WEIGHT}
                       for c in SCORING_CATEGORIES],
        "problems": problems,
        "complete": not problems,
    }


# The 评分标准 and 开标记录 banners look at this many of the newest lots in
# the user's scope. A lot being set up or opened is a new one (an opening
# record needs complete scoring, and freezes it), while a city's centre at
# a province's volume holds ~600,000 lots with ~2,400,000 scoring items:
# grouping them all took 4 s a page (docs/benchmarks.md).
BANNER_LOTS = 2000


def _newest_lots(lot_ids_select):
    return lot_ids_select.order_by(Lot.id.desc()).limit(BANNER_LOTS).scalar_subquery()


def incomplete_categories(lot_ids_select, limit: int = 20) -> list[tuple[Lot, str]]:
    """(lot, message) for categories in use whose weights are not 100,
    newest lot first, among the newest BANNER_LOTS lots the given SELECT of
    ids names (the user's scope)."""
    newest = _newest_lots(lot_ids_select)
    total = func.sum(ScoringItem.weight)
    with db.session.no_autoflush:
        rows = (db.session.query(ScoringItem.lot_id, ScoringItem.category, total)
                .filter(ScoringItem.lot_id.in_(newest))
                .group_by(ScoringItem.lot_id, ScoringItem.category)
                # Rounded as _sum rounds: SQLite adds weights as floats.
                .having(func.round(total, 2) != FULL_WEIGHT)
                .order_by(ScoringItem.lot_id.desc(), ScoringItem.category)
                .limit(limit).all())
    found = [(lot_id, message) for lot_id, category, total in rows
             if (message := category_message(category, _sum(total)))]
    lots = {lot.id: lot for lot in db.session.query(Lot).filter(
        Lot.id.in_({lot_id for lot_id, _ in found}))} if found else {}
    return [(lots[lot_id], message) for lot_id, message in found]


def category_warning(lot_id: int, category: str) -> str | None:
    """After an item is saved: say what is still missing in its category."""
    message = category_message(category, category_total(lot_id, category))
    return f"评分标准尚未完成：{message}" if message else None


# --- 符合性审查 -------------------------------------------------------------------

def compliance_item_errors(item: ComplianceItem) -> dict[str, str]:
    found = {}
    name = (item.name or "").strip()
    if not name:
        found["name"] = "请填写审查项名称"
    lot_id = item.lot_id if item.lot_id is not None else item.lot.id if item.lot else None
    if name and lot_id is not None:
        query = db.session.query(ComplianceItem.id).filter(
            ComplianceItem.lot_id == lot_id, ComplianceItem.name == name)
        if item.id is not None:
            query = query.filter(ComplianceItem.id != item.id)
        with db.session.no_autoflush:
            if query.first():
                found["name"] = f"该标段已有符合性审查项“{name}”"
    return found


# --- completeness -----------------------------------------------------------------

PLANNING_FIELDS = (("doc_issue_start", "文件获取开始时间"), ("doc_issue_end", "文件获取截止时间"),
                   ("bid_deadline", "投标截止时间"), ("open_time", "开标时间"),
                   ("evaluation_method", "评标办法"), ("committee_size", "评委会人数"))


def completeness(lot: Lot) -> list[str]:
    """What is still missing or wrong before the lot's set-up is complete."""
    problems = []
    if lot.bid_bond is None:
        problems.append("资费定义：尚未设置投标保证金")
    problems += [f"资费定义：{m}" for m in fee_errors(lot).values()]
    missing = [label for field, label in PLANNING_FIELDS if getattr(lot, field) in (None, "")]
    if missing:
        problems.append("招标文件规划与开评标配置：尚未填写" + "、".join(missing))
    problems += [f"招标文件规划与开评标配置：{m}" for m in planning_errors(lot).values()]
    problems += [f"评分标准：{m}" for m in scoring_check(lot)["problems"]]
    with db.session.no_autoflush:
        if lot.id is None or not db.session.query(
                exists().where(ComplianceItem.lot_id == lot.id)).scalar():
            problems.append("符合性审查：尚未设置审查项")
    return problems


def planning_note(lot: Lot) -> str | None:
    """The 暂定 note when the lot's periods were judged on a year not yet
    entered in 【节假日维护】."""
    cal = holidays.current().recording()
    planning_errors(lot, cal)
    return cal.note()


# --- 项目质疑 ---------------------------------------------------------------------

def objection_errors(item: Objection, today: dt.date) -> dict[str, str]:
    found = {}
    if not (item.objector or "").strip():
        found["objector"] = "请填写质疑人"
    if not (item.content or "").strip():
        found["content"] = "请填写质疑内容"
    if item.known_on is None:
        found["known_on"] = "请填写质疑人知道或应知权益受损的日期"
    if item.received_on is None:
        found["received_on"] = "请填写收到质疑日期"
    elif item.received_on > today:
        found["received_on"] = "收到质疑日期不能晚于今天"
    elif item.known_on is not None and item.received_on < item.known_on:
        found["received_on"] = "收到质疑日期不能早于知道或应知权益受损的日期"
    has_reply = bool((item.reply or "").strip())
    if item.reply_date is not None:
        if not has_reply:
            found["reply"] = "填写答复日期时请填写答复内容"
        if item.reply_date > today:
            found["reply_date"] = "答复日期不能晚于今天"
        elif item.received_on is not None and item.reply_date < item.received_on:
            found["reply_date"] = "答复日期不能早于收到质疑日期"
    elif has_reply:
        found["reply_date"] = "填写答复内容时请填写答复日期"
    return found


def raise_deadline(known_on: dt.date, cal=None) -> dt.date:
    return (cal or holidays.current()).add_workdays(known_on, RAISE_WORKDAYS)


def reply_deadline(received_on: dt.date, cal=None) -> dt.date:
    return (cal or holidays.current()).add_workdays(received_on, REPLY_WORKDAYS)


def reply_deadline_text(received_on: dt.date) -> str:
    """The reply deadline to show, with the 暂定 note when it relied on a
    year not yet entered in 【节假日维护】, or why it cannot be computed."""
    cal = holidays.current().recording()
    try:
        due = str(reply_deadline(received_on, cal))
    except NotCovered as exc:
        return str(exc)
    return f"{due}（{note}）" if (note := cal.note()) else due


def objection_warnings(item: Objection, today: dt.date, cal=None) -> list[str]:
    """Warnings, not refusals: the agency records what happened. A date the
    calendar does not cover gives its message as the warning; a verdict on
    暂定 days says so."""
    if item.known_on is None or item.received_on is None:
        return []
    cal = (cal or holidays.current()).recording()
    try:
        found = _objection_warnings(item, today, cal)
    except NotCovered as exc:
        return [str(exc)]
    return [*found, note] if found and (note := cal.note()) else found


def _objection_warnings(item: Objection, today: dt.date, cal) -> list[str]:
    warnings = []
    workdays_between = cal.workdays_between
    last_day = raise_deadline(item.known_on, cal)
    if item.received_on > last_day:
        late = workdays_between(last_day, item.received_on)
        warnings.append(
            f"质疑于 {item.received_on} 收到，已超过法定质疑期：自知道或应知权益受损之日"
            f"（{item.known_on}）起7个工作日，截至 {last_day}，逾期 {late} 个工作日"
            f"（《政府采购质疑和投诉办法》第十条）")
    due = reply_deadline(item.received_on, cal)
    if item.reply_date is not None:
        if item.reply_date > due:
            warnings.append(
                f"答复日期 {item.reply_date} 晚于答复期限 {due}（收到质疑后7个工作日内，"
                f"《政府采购质疑和投诉办法》第十三条）")
    elif today > due:
        warnings.append(f"尚未答复，已超过答复期限 {due}（收到质疑后7个工作日内，"
                        f"逾期 {workdays_between(due, today)} 个工作日）")
    else:
        left = workdays_between(today, due)
        if today == due:
            warnings.append(f"尚未答复，今天（{due}）是答复期限的最后一天")
        elif left <= REPLY_NEAR:
            warnings.append(f"尚未答复，答复期限为 {due}，仅剩 {left} 个工作日")
    return warnings


def objections_needing_attention(scope, today: dt.date, limit: int = 20):
    """Unreplied objections with a warning, of those the clause `scope` (on
    Objection) admits, oldest first."""
    rows = (db.session.query(Objection).options(joinedload(Objection.lot))  # the banner names it
            .filter(scope, Objection.reply_date.is_(None))
            .order_by(Objection.received_on, Objection.id).limit(200).all())
    found = [(row, warnings) for row in rows if (warnings := objection_warnings(row, today))]
    return found[:limit]


# --- 开标记录 and the trading stages ------------------------------------------------

def opening_errors(bid: OpeningBid, now: dt.datetime) -> dict[str, str]:
    found = {}
    lot = bid.lot
    if not (bid.bidder or "").strip():
        found["bidder"] = "请填写投标人名称"
    if bid.bidder_credit_code and (message := credit_code_error(bid.bidder_credit_code)):
        found["bidder_credit_code"] = message
    if message := amount_error(bid.price, "投标报价"):
        found["price"] = message
    if bid.opened_at is None:
        found["opened_at"] = "请填写开标时间"
    elif bid.opened_at > now + dt.timedelta(minutes=5):
        found["opened_at"] = "开标时间不能晚于当前时间：开标后再录入开标记录"
    elif lot is not None and lot.bid_deadline and bid.opened_at < lot.bid_deadline:
        found["opened_at"] = f"开标时间不能早于该标段的投标截止时间 {lot.bid_deadline:%Y-%m-%d %H:%M}"
    if lot is not None and lot.id is not None and "bidder" not in found:
        query = db.session.query(OpeningBid.id).filter(
            OpeningBid.lot_id == lot.id, OpeningBid.bidder == bid.bidder.strip())
        if bid.id is not None:
            query = query.filter(OpeningBid.id != bid.id)
        with db.session.no_autoflush:
            if query.first():
                found["bidder"] = f"投标人“{bid.bidder.strip()}”在该标段已有开标记录"
    if lot is not None and bid.id is None:
        check = scoring_check(lot)
        if not check["complete"]:
            found["lot"] = ("该标段评分标准尚未完成（" + "；".join(check["problems"])
                            + "），请先完成评分标准再录入开标记录")
    return found


def ceiling_warning(bid: OpeningBid) -> str | None:
    """A price above the lot's 最高限价 (or budget) is recorded, not refused:
    the warning says the committee treats it as 无效投标 (app/rules/bid_ceiling.py)."""
    lot = bid.lot
    if lot is None:
        return None
    method = lot.project.procurement_method if lot.project is not None else None
    return _ceiling_warning(bid.price, lot.budget, lot.max_price, method)


def project_bids_over_ceiling(project: TradingProject) -> list[OpeningBid]:
    return bids_over_ceiling(select(Lot.id).where(Lot.project_id == project.id))


def bids_over_ceiling(lot_ids_select, limit: int = 50) -> list[OpeningBid]:
    """Opening records flagged above the ceiling, newest lot first, among
    the newest BANNER_LOTS lots the given SELECT of ids names: the bids a
    committee is about to evaluate (at a province's volume, 1,800,000
    records, walking an agency's for the flagged ones took 128 ms a page).
    Each with its lot, which the banner names."""
    newest = _newest_lots(lot_ids_select)
    return (db.session.query(OpeningBid).options(joinedload(OpeningBid.lot))
            .filter(OpeningBid.lot_id.in_(newest), OpeningBid.ceiling_warning.isnot(None))
            .order_by(OpeningBid.lot_id.desc(), OpeningBid.id).limit(limit).all())


def opened(project: TradingProject, user) -> bool:
    """An opening record was added: 已开标 unless the project is past it.
    Returns whether the stage changed (and project.status was queued)."""
    if stage_index(project.stage) < stage_index("已开标"):
        set_stage(project, "已开标", user)
        return True
    return False


# action → (stage it starts from, stage it leads to, button, what must come first)
STAGE_ACTIONS = {
    "start_evaluation": ("已开标", "评标中", "开始评标", "开标（录入开标记录）"),
    "finish_evaluation": ("评标中", "评标结束", "评标结束", "开始评标"),
}


def stage_refusal(project: TradingProject, action: str) -> str | None:
    before, _after, label, first = STAGE_ACTIONS[action]
    if project.state != "受理通过":
        return f"项目“{project.project_code}”{project.state}，受理通过后才能{label}"
    current = project.stage
    if stage_index(current) < stage_index(before):
        return f"项目当前阶段为“{current}”，须先{first}，才能{label}"
    if current != before:
        return f"项目当前阶段为“{current}”，不能再{label}"
    if action == "start_evaluation":
        return committee_refusal(project)
    return None


def committee_refusal(project: TradingProject) -> str | None:
    """开始评标 waits until the 评委会 of every lot that was opened (has bids
    to evaluate) is lawfully composed (app/rules/committee.py, via
    app/committee.py)."""
    found = [f"标段“{lot.code}”：" + "；".join(problems) for lot in project.lots
             if has_opening(lot) and (problems := committee.refusals(lot))]
    if found:
        return "评委会尚未组建完成，不能开始评标（【组建评委会】）：" + "　".join(found)
    return None


def advance(project: TradingProject, action: str, user) -> str:
    """开始评标 / 评标结束. Raises ValueError with the refusal."""
    if refusal := stage_refusal(project, action):
        raise ValueError(refusal)
    after = STAGE_ACTIONS[action][1]
    set_stage(project, after, user)
    return after


def among_lots(column, lot_ids_select):
    """The row's lot (`column`) is one the SELECT of Lot.id names, asked of
    each row: as `IN`, SQLite lists every lot the SELECT names before
    reading a row, ~450 ms for a city's centre at 625,000 lots
    (bench/trading_list_bench.py) even with no rows to check. The SELECT's
    lot is its own, never one of the enclosing statement."""
    return lot_ids_select.where(Lot.id == column).correlate_except(Lot).exists()
