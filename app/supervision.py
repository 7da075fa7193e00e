"""项目监督: the derived rows the regulator's list, the 项目向导 and the
dashboard read (docs/supervision.md). `supervision_project` (one row per
filed plan: where it stands, its amounts) and `project_flag` (its 预警,
app/rules/flags.py) are never typed: `refresh()` rebuilds them from the
records they summarise.

They stay current three ways:
- a session hook (`init_app`, GPS only): after a flush it notes the plans
  whose records changed; before the commit it rebuilds them, in the same
  transaction, so the list never disagrees with a committed record;
- the sweeper's periodic hook, once a day: flags that come with the passing
  of time (a contract still unsigned 30 days after the award) are raised
  without anyone touching the project (`refresh_due`, a batch of plans per
  sweeper pass until the day's round is complete);
- `flask supervision refresh [--all]`, e.g. after an upgrade.

A refresh loads a batch of plans with one query per table, never one per
plan: a province files tens of thousands of plans a year.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import event, func
from sqlalchemy.orm import Session, aliased, selectinload

from .models import (
    COMMITTEE_SOURCES, SUPERVISION_STAGES, CommitteeReplica, Contract, ContractLot, ExpertDraw,
    ExpertRequest, LotReplica, LotStatusReplica, Notice, NoticeLot, Organisation, Plan,
    ProjectFlag, ProjectReplica, SupervisionProject, WinnerChange,
)
from .rules import flags as rules

log = logging.getLogger(__name__)
BATCH = 500  # plans per round of queries (SQLite allows 999 bound parameters)
PENDING_KEY = "supervision_pending"
BUSY_KEY = "supervision_refreshing"
# The furthest stage counts; 终止 and 已撤回 are not steps but outcomes.
PROGRESS = SUPERVISION_STAGES[:7]
OPENED_STAGES = ("已开标", "评标中", "评标结束")
EVALUATING_STAGES = ("评标中", "评标结束")


@dataclass(frozen=True)
class Raised:
    """A flag as a rule raised it: the record it is about and since when."""

    flag_id: str
    record_type: str
    record_id: str
    record_label: str | None
    detail: str
    on: dt.date | None  # the day the rule was met (None: not known, today)


def _day(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _chunks(ids, size):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


# --- Loading a batch --------------------------------------------------------------

class _Batch:
    """Everything the rows of a batch of plans are built from, one query per table."""

    def __init__(self, session: Session, plan_ids: list[int]):
        unit, agency = aliased(Organisation), aliased(Organisation)
        self.plans = {plan.id: (plan, unit_name, agency_name) for plan, unit_name, agency_name in
                      session.query(Plan, unit.name, agency.name)
                      .join(unit, Plan.unit_id == unit.id)
                      .outerjoin(agency, Plan.agency_id == agency.id)
                      .filter(Plan.id.in_(plan_ids))}
        self.project = {}
        for project in (session.query(ProjectReplica).filter(ProjectReplica.plan_id.in_(plan_ids))
                        .order_by(ProjectReplica.received_at)):
            self.project[project.plan_id] = project  # the newest, if a plan went twice
        codes = [p.project_code for p in self.project.values()]
        self.lots = defaultdict(list)
        self.statuses = defaultdict(list)
        self.committees = defaultdict(list)
        self.requests = defaultdict(list)
        self.supplement_draws = {}
        if codes:
            for lot in (session.query(LotReplica).filter(LotReplica.project_code.in_(codes))
                        .order_by(LotReplica.seq)):
                self.lots[lot.project_code].append(lot)
            for status in (session.query(LotStatusReplica)
                           .filter(LotStatusReplica.project_code.in_(codes))
                           .order_by(LotStatusReplica.lot_code)):
                self.statuses[status.project_code].append(status)
            for row in (session.query(CommitteeReplica)
                        .filter(CommitteeReplica.project_code.in_(codes))
                        .order_by(CommitteeReplica.lot_code)):
                self.committees[row.project_code].append(row)
            for row in (session.query(ExpertRequest.id, ExpertRequest.request_no,
                                      ExpertRequest.project_code, ExpertRequest.approved_at)
                        .filter(ExpertRequest.project_code.in_(codes))
                        .order_by(ExpertRequest.id)):
                self.requests[row.project_code].append(row)
            # Per request: how many 补抽, and the last one's time.
            self.supplement_draws = {
                request_id: (count, last) for request_id, count, last in
                session.query(ExpertDraw.request_id, func.count(ExpertDraw.id),
                              func.max(ExpertDraw.drawn_at))
                .join(ExpertRequest, ExpertDraw.request_id == ExpertRequest.id)
                .filter(ExpertRequest.project_code.in_(codes), ExpertDraw.kind == "补抽")
                .group_by(ExpertDraw.request_id)}
        self.notices = defaultdict(list)
        self.notice_by_id = {}
        for notice in (session.query(Notice).options(selectinload(Notice.lots))
                       .filter(Notice.plan_id.in_(plan_ids), Notice.state == "已发布")
                       .order_by(Notice.published_at, Notice.id)):
            self.notices[notice.plan_id].append(notice)
            self.notice_by_id[notice.id] = notice
        # Filed contracts only: the regulator sees a contract from its 备案 on
        # (app/scope.py); one still with the unit raises nothing and shows nowhere.
        self.contracts = defaultdict(list)
        for contract in (session.query(Contract).options(selectinload(Contract.lots))
                         .filter(Contract.plan_id.in_(plan_ids), Contract.state == "已备案")
                         .order_by(Contract.id)):
            self.contracts[contract.plan_id].append(contract)
        self.winner_changes = defaultdict(list)
        # Not 草稿: a draft is the unit's own until submitted (the regulator
        # cannot see it, and it may be thrown away); from 提交 on it is a
        # 变更 under way, and a 已退回 one was still asked for.
        for change in (session.query(WinnerChange)
                       .filter(WinnerChange.plan_id.in_(plan_ids), WinnerChange.state != "草稿")
                       .order_by(WinnerChange.id)):
            self.winner_changes[change.plan_id].append(change)
        self.rows = {row.plan_id: row for row in session.query(SupervisionProject)
                     .filter(SupervisionProject.plan_id.in_(plan_ids))}
        self.flags = defaultdict(dict)
        for row in session.query(ProjectFlag).filter(ProjectFlag.plan_id.in_(plan_ids)):
            self.flags[row.plan_id][(row.flag_id, row.record_type, row.record_id)] = row


# --- What a project is: stage, amounts ---------------------------------------------

def _of_type(notices, *types):
    return [n for n in notices if n.notice_type in types]


def awards_in_force(notices) -> dict[str, tuple[NoticeLot, Notice]]:
    """Per lot code, the award in force: the 结果公告 as later 结果更正公告
    changed it, newest last (app/winner_changes.awards_in_force, on loaded rows)."""
    found = {}
    for notice in _of_type(notices, "结果公告", "结果更正公告"):
        for lot in notice.lots:
            if lot.supplier_name and lot.award_amount is not None:
                found[lot.lot_code] = (lot, notice)
    return found


def _terminated(notices, lots) -> Notice | None:
    """The 终止公告 that ended the project: once every lot is terminated."""
    ends = _of_type(notices, "终止公告")
    if not ends:
        return None
    ended = {lot.lot_code for notice in ends for lot in notice.lots}
    if any(not notice.lots for notice in ends) or {lot.code for lot in lots} <= ended:
        return ends[-1]
    return None


def stage_of(plan, project, lots, notices, statuses, committees, contracts):
    """(stage, since when): the furthest of SUPERVISION_STAGES reached."""
    if plan.state == "已撤回":
        return "已撤回", plan.withdrawn_at
    if ended := _terminated(notices, lots):
        return "终止", ended.published_at
    reached = {"计划备案": plan.filed_at}
    if project is not None:
        reached["进场受理"] = project.received_at
        if announcements := _of_type(notices, "采购公告"):
            reached["采购公告"] = announcements[0].published_at
        opened = [s.opened_at for s in statuses if s.opened_at]
        if opened or project.stage in OPENED_STAGES:
            reached["开标"] = min(opened) if opened else project.received_at
        if committees or project.stage in EVALUATING_STAGES:
            reached["评标"] = (min(c.received_at for c in committees) if committees
                              else project.received_at)
        if results := _of_type(notices, "结果公告"):
            reached["结果公告"] = results[0].published_at
        if filed := [c.filed_at for c in contracts if c.state == "已备案" and c.filed_at]:
            reached["合同备案"] = min(filed)
    stage = next(s for s in reversed(PROGRESS) if s in reached)
    return stage, reached[stage]


# --- The flags of a project ----------------------------------------------------------

def _times_in_force(announcement, notices):
    """The 采购公告's times as its published 变更公告 changed them, and the
    notice that set them last."""
    times = {k: getattr(announcement, k) for k in ("doc_start", "doc_end", "bid_deadline")}
    source = announcement
    for change in notices:
        if change.notice_type == "变更公告" and change.original_id == announcement.id:
            for key in times:
                if getattr(change, key) is not None:
                    times[key], source = getattr(change, key), change
    return times, source


def raised_flags(cal, today, plan, project, lots, notices, statuses, committees, requests,
                 supplement_draws, contracts, winner_changes, notice_by_id) -> list[Raised]:
    method = plan.procurement_method
    found = []

    def add(flag_id, record_type, record_id, label, detail, on):
        if detail:
            found.append(Raised(flag_id, record_type, str(record_id), label, detail, _day(on)))

    # YJ01, YJ02 on the notices' times, and on the times the platform set per lot.
    for announcement in _of_type(notices, "采购公告"):
        times, source = _times_in_force(announcement, notices)
        add("YJ01", "Notice", source.id, source.notice_key,
            rules.bid_period(cal, method, times["doc_start"], times["bid_deadline"]),
            source.published_at)
        add("YJ02", "Notice", source.id, source.notice_key,
            rules.docs_period(cal, method, times["doc_start"], times["doc_end"]),
            source.published_at)
    for status in statuses:
        add("YJ01", "LotStatus", status.lot_code, status.lot_code,
            rules.bid_period(cal, method, status.doc_issue_start, status.bid_deadline),
            status.configured_at or status.received_at)
        add("YJ02", "LotStatus", status.lot_code, status.lot_code,
            rules.docs_period(cal, method, status.doc_issue_start, status.doc_issue_end),
            status.configured_at or status.received_at)
        if status.opened_at or status.bids:
            add("YJ11", "LotStatus", status.lot_code, status.lot_code,
                rules.opening_bids(method, status.lot_code, len(status.bids or []),
                                   status.opened_at),
                status.opened_at or status.received_at)
    for result in _of_type(notices, "结果公告"):
        add("YJ03", "Notice", result.id, result.notice_key,
            rules.result_notice(cal, result.confirmed_on, result.published_at),
            result.published_at)
    changes = _of_type(notices, "变更公告")
    if project is not None and len(changes) > rules.CHANGES_MAX:
        third = changes[rules.CHANGES_MAX]
        add("YJ10", "ProjectReplica", project.project_code, project.project_code,
            rules.change_notices(len(changes), third.published_at), third.published_at)

    # Awards: above the ceiling (YJ09); signing (YJ04) and the amounts contracted (YJ07).
    awards = awards_in_force(notices)
    budgets = {lot.code: lot.budget for lot in lots}
    ceilings = {}
    for announcement in _of_type(notices, "采购公告"):
        for lot in announcement.lots:
            ceilings[lot.lot_code] = lot.max_price
    originals = [c for c in contracts if c.original_id is None]
    by_id = {c.id: c for c in contracts}
    for code, (award, result) in awards.items():
        add("YJ09", "Notice", result.id, result.notice_key,
            rules.award_over_budget(code, award.award_amount, budgets.get(code, award.budget),
                                    ceilings.get(code) or award.max_price, result.published_at),
            result.published_at)
        covering = [c for c in originals if any(part.lot_code == code for part in c.lots)]
        if covering:
            first = min(covering, key=lambda c: (c.signed_on, c.id))
            award_on = first.award_notice_on or _published_on(first, notice_by_id)
            add("YJ04", "Contract", first.id, first.filing_no,
                rules.signing(cal, award_on, first.signed_on, today), first.signed_on)
        else:
            award_on = _day(result.published_at)
            if award_on and (detail := rules.signing(cal, award_on, None, today)):
                add("YJ04", "LotReplica", code, code, detail,
                    rules.contracts.signing_deadline(award_on, cal) + dt.timedelta(days=1))
    amount_details = defaultdict(list)
    for code, (award, result) in awards.items():
        filed = [c for c in originals if c.state == "已备案"
                 and any(part.lot_code == code for part in c.lots)]
        if filed:
            total = sum((part.amount for c in filed for part in c.lots if part.lot_code == code),
                        Decimal(0))
            last = max(filed, key=lambda c: (c.filed_at or dt.datetime.min, c.id))
            if detail := rules.contract_amount(code, award.award_amount, total, last.filed_at):
                amount_details[last].append(detail)
    for contract, details in amount_details.items():
        add("YJ07", "Contract", contract.id, contract.filing_no, "；".join(details),
            contract.filed_at)

    # Each contract's clocks (YJ05, YJ06) and a filed original's supplements (YJ08).
    supplements, supplemented_at = defaultdict(Decimal), {}
    for contract in contracts:
        announced = contract.notice.published_at if contract.notice_id and contract.notice else None
        add("YJ05", "Contract", contract.id, contract.filing_no,
            rules.announcement(cal, contract.signed_on, announced, today),
            announced or _day_after(rules.contracts.announce_deadline, cal, contract.signed_on))
        add("YJ06", "Contract", contract.id, contract.filing_no,
            rules.filing(cal, contract.signed_on, contract.filed_at, today),
            contract.filed_at or _day_after(rules.contracts.filing_deadline, cal,
                                            contract.signed_on))
        if contract.original_id and contract.state == "已备案":
            supplements[contract.original_id] += contract.amount
            supplemented_at[contract.original_id] = max(
                filter(None, (supplemented_at.get(contract.original_id), contract.filed_at)),
                default=None)
    for original_id, total in supplements.items():
        original = by_id.get(original_id)
        if original is not None:
            add("YJ08", "Contract", original.id, original.filing_no,
                rules.supplements(original.amount, total, original.signed_on),
                supplemented_at.get(original_id))

    # People: the committee (YJ12, self-selected experts YJ13) and the draws (YJ13).
    for row in committees:
        add("YJ12", "CommitteeReplica", row.lot_code, row.lot_code,
            rules.chair(row.members, row.received_at), row.received_at)
        chosen = sum(1 for m in row.members or () if m.get("source") not in COMMITTEE_SOURCES)
        add("YJ13", "CommitteeReplica", row.lot_code, row.lot_code,
            rules.experts(row.lot_code, 0, chosen, row.received_at), row.received_at)
    for request in requests:
        count, last = supplement_draws.get(request.id, (0, None))
        add("YJ13", "ExpertRequest", request.id, request.request_no,
            rules.experts(request.request_no, count, 0, request.approved_at), last)
    for change in winner_changes:
        add("YJ14", "WinnerChange", change.id, change.filing_no,
            rules.winner_change(change.filing_no, change.original_supplier, change.new_supplier,
                                change.submitted_at), change.submitted_at)
    return found


def _day_after(deadline, cal, signed_on) -> dt.date | None:
    """The first day a clock not yet done is late: the day it was first met."""
    try:
        return deadline(cal, signed_on) + dt.timedelta(days=1)
    except (ValueError, OverflowError):  # NotCovered is a ValueError
        return None


def _published_on(contract, notice_by_id) -> dt.date | None:
    notice = notice_by_id.get(contract.result_notice_id)
    return _day(notice.published_at) if notice is not None else None


# --- Refresh -------------------------------------------------------------------------

def refresh(session: Session, plan_ids, today: dt.date | None = None, cal=None) -> int:
    """Rebuild the rows and flags of these plans (not committed). A plan not
    filed (or gone) loses its rows. Returns how many rows were written."""
    from . import holidays

    ids = sorted({int(i) for i in plan_ids if i is not None})
    if not ids:
        return 0
    today = today or dt.date.today()
    cal = cal or holidays.current()
    written = 0
    busy = session.info.get(BUSY_KEY)
    session.info[BUSY_KEY] = True
    try:
        with session.no_autoflush:
            for chunk in _chunks(ids, BATCH):
                written += _refresh_batch(session, chunk, today, cal)
    finally:
        session.info[BUSY_KEY] = busy
    return written


def _refresh_batch(session: Session, ids: list[int], today, cal) -> int:
    batch = _Batch(session, ids)
    now = dt.datetime.now()
    written = 0
    stale_flags, new_flags = [], []
    gone_rows = []
    for plan_id in ids:
        existing = batch.flags.get(plan_id, {})
        entry = batch.plans.get(plan_id)
        if entry is None or entry[0].filed_at is None:
            stale_flags.extend(existing.values())
            if plan_id in batch.rows:
                gone_rows.append(batch.rows[plan_id])
            continue
        plan, unit_name, agency_name = entry
        project = batch.project.get(plan_id)
        code = project.project_code if project else None
        lots = batch.lots.get(code, [])
        notices = batch.notices.get(plan_id, [])
        statuses = batch.statuses.get(code, [])
        committees = batch.committees.get(code, [])
        contracts = batch.contracts.get(plan_id, [])
        stage, stage_at = stage_of(plan, project, lots, notices, statuses, committees, contracts)
        awards = awards_in_force(notices)
        raised = raised_flags(cal, today, plan, project, lots, notices, statuses, committees,
                              batch.requests.get(code, []), batch.supplement_draws, contracts,
                              batch.winner_changes.get(plan_id, []), batch.notice_by_id)
        # One row per (flag, record): several lots' amounts on one contract are one 提示.
        merged = {}
        for item in raised:
            key = (item.flag_id, item.record_type, item.record_id)
            merged[key] = (item if key not in merged else
                           Raised(*key, item.record_label,
                                  merged[key].detail + "；" + item.detail, merged[key].on))
        row = batch.rows.get(plan_id)
        if row is None:
            row = SupervisionProject(plan_id=plan_id)
            session.add(row)
        values = dict(
            plan_no=plan.plan_no, project_code=code, project_name=plan.project_name,
            unit_id=plan.unit_id, unit_name=unit_name, agency_id=plan.agency_id,
            agency_name=agency_name, region_code=plan.region_code,
            platform_code=plan.platform_code, procurement_method=plan.procurement_method,
            category=plan.category, budget=plan.budget, filed_at=plan.filed_at, stage=stage,
            stage_at=stage_at,
            award_amount=(sum((lot.award_amount for lot, _ in awards.values()), Decimal(0))
                          if awards else None),
            contract_amount=(sum((c.amount for c in contracts if c.state == "已备案"), Decimal(0))
                             if any(c.state == "已备案" for c in contracts) else None),
            flag_count=len(merged), refreshed_at=now)
        for key, value in values.items():
            setattr(row, key, value)
        written += 1
        for key, item in merged.items():
            flag = existing.pop(key, None)
            if flag is None:
                new_flags.append(ProjectFlag(
                    plan_id=plan_id, flag_id=item.flag_id, record_type=item.record_type,
                    record_id=item.record_id, record_label=item.record_label,
                    detail=item.detail[:500], raised_on=min(item.on or today, today)))
            else:  # raised_on stays: the day it was first met
                flag.record_label, flag.detail = item.record_label, item.detail[:500]
        stale_flags.extend(existing.values())
    # Parents before children, children before parents: the flags point at the rows.
    for flag in stale_flags:
        session.delete(flag)
    session.flush()
    for row in gone_rows:
        session.delete(row)
    session.add_all(new_flags)
    session.flush()
    return written


def refresh_all(session: Session, batch: int = 1000, today: dt.date | None = None) -> int:
    """Every filed plan, `batch` at a time (and the rows of plans no longer filed)."""
    ids = [i for (i,) in session.query(Plan.id).filter(Plan.filed_at.isnot(None))
           .order_by(Plan.id)]
    ids += [i for (i,) in session.query(SupervisionProject.plan_id).join(Plan)
            .filter(Plan.filed_at.is_(None))]
    written = 0
    for chunk in _chunks(ids, batch):
        written += refresh(session, chunk, today)
    return written


# --- Reading (the list, the 项目向导, the REST API) ------------------------------------

@dataclass(frozen=True)
class FlagRow:
    flag_id: str
    name: str
    basis: str
    record_type: str
    record_id: str
    record_label: str | None
    detail: str
    raised_on: dt.date


def flags_of(session: Session, plan_id: int) -> list[FlagRow]:
    """A project's 预警, in the order of FLAGS, with their names and bases."""
    order = {flag.id: i for i, flag in enumerate(rules.FLAGS)}
    rows = session.query(ProjectFlag).filter_by(plan_id=plan_id).all()
    rows.sort(key=lambda r: (order.get(r.flag_id, len(order)), r.record_type, r.record_id))
    found = []
    for row in rows:
        flag = rules.by_id(row.flag_id)
        found.append(FlagRow(row.flag_id, flag.name if flag else row.flag_id,
                             flag.basis if flag else "", row.record_type, row.record_id,
                             row.record_label, row.detail, row.raised_on))
    return found


# --- Keeping the rows current ----------------------------------------------------------

def _note(session: Session, kind: str, value) -> None:
    if value is not None:
        session.info.setdefault(PENDING_KEY, defaultdict(set))[kind].add(value)


def _collect(session: Session, flush_context) -> None:
    """After a flush: which plans the flushed rows belong to (resolved at commit)."""
    if session.info.get(BUSY_KEY) or not _watching():
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        _note_object(session, obj)


def _note_object(session, obj) -> None:
    if isinstance(obj, Plan):
        _note(session, "plan", obj.id)
    elif isinstance(obj, (Notice, Contract, WinnerChange)):
        _note(session, "plan", obj.plan_id)
    elif isinstance(obj, ProjectReplica):
        _note(session, "plan", obj.plan_id)
        _note(session, "project", obj.project_code)
    elif isinstance(obj, (LotReplica, LotStatusReplica, CommitteeReplica, ExpertRequest)):
        _note(session, "project", obj.project_code)
    elif isinstance(obj, NoticeLot):
        _note(session, "notice", obj.notice_id)
    elif isinstance(obj, ContractLot):
        _note(session, "contract", obj.contract_id)
    elif isinstance(obj, ExpertDraw):
        _note(session, "request", obj.request_id)


def _watching() -> bool:
    return has_app_context() and current_app.extensions.get("supervision") is True


def pending_plan_ids(session: Session, pending) -> set[int]:
    ids = set(pending.get("plan", ()))
    if codes := pending.get("project"):
        ids |= {i for (i,) in session.query(ProjectReplica.plan_id)
                .filter(ProjectReplica.project_code.in_(codes))}
    if notice_ids := pending.get("notice"):
        ids |= {i for (i,) in session.query(Notice.plan_id).filter(Notice.id.in_(notice_ids))}
    if contract_ids := pending.get("contract"):
        ids |= {i for (i,) in session.query(Contract.plan_id)
                .filter(Contract.id.in_(contract_ids))}
    if request_ids := pending.get("request"):
        ids |= {i for (i,) in session.query(ProjectReplica.plan_id)
                .join(ExpertRequest, ExpertRequest.project_code == ProjectReplica.project_code)
                .filter(ExpertRequest.id.in_(request_ids))}
    return {i for i in ids if i is not None}


def _before_commit(session: Session) -> None:
    """Rebuild the noted plans' rows in the committing transaction."""
    if session.info.get(BUSY_KEY) or not _watching():
        return
    # The commit's own flush comes after this hook: flush first so that
    # what is still unflushed is noted too.
    session.flush()
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    # In a savepoint of its own: the user's record is what matters, and a
    # refresh that fails (a bug, or on PostgreSQL the daily rebuild inserting
    # the same flag at the same moment) must not fail it. The rows stay as
    # they were until the next commit on the plan or the daily rebuild.
    session.info[BUSY_KEY] = True  # the savepoint's own commit runs this hook again
    try:
        with session.begin_nested():
            with session.no_autoflush:
                ids = pending_plan_ids(session, pending)
            refresh(session, ids)
    except Exception:  # noqa: BLE001 - logged; the daily rebuild mends the rows
        log.exception("supervision: refresh of plan(s) %s failed; the user's commit goes on",
                      sorted(pending.get("plan", ())))
    finally:
        session.info[BUSY_KEY] = False


def _forget(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; the transaction's own changes still count
    session.info.pop(PENDING_KEY, None)


# The daily job: the sweeper calls `refresh_due` on every pass. All plans,
# rather than a guess at which flags time could have raised: YJ04–YJ06 turn
# on with the date for any contract or award, and a whole rebuild also mends
# any row a failed hook left behind. DAILY_BATCH plans per pass (in id
# order, from where the last pass stopped), so that a province's year does
# not hold up the sweeper's deliveries; the position is this process's (a
# restarted worker begins the day's round again, which is harmless).
DAILY_KEY = "supervision_daily"
DAILY_BATCH = 2000


def refresh_due(today: dt.date | None = None, batch: int = DAILY_BATCH) -> int:
    """One pass of the day's rebuild; 0 once the day's round is complete."""
    from .extensions import db

    if not _watching():
        return 0
    today = today or dt.date.today()
    day, after = current_app.extensions.get(DAILY_KEY) or (None, 0)
    if day != today:
        after = 0
    elif after is None:
        return 0  # done for today
    ids = [i for (i,) in db.session.query(Plan.id).filter(Plan.filed_at.isnot(None),
                                                           Plan.id > after)
           .order_by(Plan.id).limit(batch)]
    stale = [] if after else [  # the rows of plans no longer filed, on the first pass
        i for (i,) in db.session.query(SupervisionProject.plan_id).join(Plan)
        .filter(Plan.filed_at.is_(None))]
    written = refresh(db.session, ids + stale, today)
    db.session.commit()
    current_app.extensions[DAILY_KEY] = (today, ids[-1] if len(ids) == batch else None)
    log.info("supervision: %s project(s) refreshed for %s", written, today)
    return written


def init_app(app) -> None:
    """GPS only: keep the rows current on every commit; the daily refresh."""
    from .sync import registry

    app.extensions["supervision"] = True
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)
    registry.register_periodic(refresh_due)
