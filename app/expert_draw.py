"""专家抽取: the regulator's 【抽取】, 【补抽】, 【验证】 and the record of each call,
and the sealed result's release to the project's platform at the 评审时间.

The pool of a need row: experts 正常, of the row's 评审专业 or below it, of the
application's expert region or below it, not 监管部门 staff, not employed by
the purchaser or a named 回避单位 (by credit code or name), without a declared
回避单位 among those, not drawn already for the same lot, nor by an earlier row
or draw of this application. The pool is sorted by id and recorded with the
seed (app/rules/expert_draw.py), so 【验证】 replays the draw exactly and also
says whether the library today still gives the same pool.

Sealing (docs/experts.md): before the 评审时间 a name is shown only to the
regulator who drew it; no outbox row carrying names exists before then, and
log lines and audit rows name drawn experts by their row id only.

`register()` (from create_app) adds release_due() to the sweeper's periodic
work, which guarantees the release if Redis lost the job scheduled for it.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app
from sqlalchemy import and_, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .audit import record
from .experts import display_mobile
from .extensions import db
from .models import (DrawnExpert, Expert, ExpertDraw, ExpertNeed, ExpertRecusal, ExpertRequest,
                     ExpertSpeciality, ProjectReplica, Region, expert_speciality_link)
from .rules import expert_draw as rules
from .rules.text import pasted_error, trimmed
from .rules.workdays import NotCovered

log = logging.getLogger(__name__)

MESSAGE = "experts.drawn"
REGULATOR_ROLES = ("监管初审岗", "监管复核岗", "监管处")
DECLINED = ("不参加", "请假")
EVALUATED = "评标结束"  # the last of PROJECT_STAGES: the committee has sat
MARKS = ("参加",) + DECLINED
SUPPLEMENT_MAX = 20
REASON_MAX = 500
SEALED_TEXT = "已抽取 {n} 人，结果将于评审时间推送"


class Refusal(ValueError):
    """Why nothing was drawn or changed (Chinese)."""


# --- who -----------------------------------------------------------------------

def _roles(user) -> set[str]:
    return {role.name for role in getattr(user, "roles", ())}


def _org(user):
    return getattr(user, "organisation", None)


def is_admin(user) -> bool:
    from .security import ADMIN

    return ADMIN in _roles(user)


def regulates(user, request: ExpertRequest) -> bool:
    """A regulator of the application's region or a region above it."""
    org = _org(user)
    return (bool(_roles(user) & set(REGULATOR_ROLES)) and org is not None
            and org.org_type == "监管部门" and request.region is not None
            and request.region.path.startswith(org.region.path))


def carries_on(user, request: ExpertRequest) -> bool:
    """A regulator who drew for the application, even if its unit has since
    moved to another region (organisations.carry_region): the names are
    theirs alone until the 评审时间, so no one else could call the experts,
    step a reserve in or 补抽."""
    return (user is not None and bool(_roles(user) & set(REGULATOR_ROLES))
            and user.id in drawers(request))


def operates(user, request: ExpertRequest) -> bool:
    """May draw, call, 补抽: the region's regulators, and the one who drew."""
    return regulates(user, request) or carries_on(user, request)


def may_open(user, request: ExpertRequest) -> bool:
    """Who may open the draw page at all (names or not): the applicant, its
    agency, the region's regulators (and the one who drew), Admin."""
    if user is None:
        return False
    if is_admin(user) or operates(user, request):
        return True
    org = _org(user)
    return org is not None and org.id in (request.unit_id, request.agency_id)


def drawers(request: ExpertRequest) -> set[int]:
    return {d.drawn_by_id for d in request.draws}


def visible(request: ExpertRequest, user, now: dt.datetime | None = None) -> bool:
    """May the user see the drawn names now? Before the 评审时间 only the
    regulator who drew them; from it, everyone who may open the page."""
    if not may_open(user, request):
        return False
    now = now or dt.datetime.now()
    if now >= request.review_at:
        return True
    return carries_on(user, request)


def shown_mobile(drawn: DrawnExpert, request: ExpertRequest, user) -> str:
    """A drawn expert's 手机号码 on the draw page. The regulator who drew
    calls the experts (通知结果), from whatever region's library the
    application chose, so sees it whole; anyone else as the library shows
    it, whole only to a maintainer of the expert's region."""
    if user is not None and user.id in drawers(request):
        return drawn.expert.mobile
    return display_mobile(drawn.expert, user)


def short_of(need: ExpertNeed) -> int:
    """How many 正选 the row lacks: its 人数 less those not declined."""
    coming = (db.session.query(func.count(DrawnExpert.id))
              .filter(DrawnExpert.need_id == need.id, DrawnExpert.role == "正选",
                      DrawnExpert.attendance.notin_(DECLINED)).scalar())
    return max(need.count - coming, 0)


def drawn_count(request: ExpertRequest) -> int:
    return (db.session.query(DrawnExpert.id)
            .filter(DrawnExpert.request_id == request.id, DrawnExpert.role == "正选").count())


def sealed_summary(request: ExpertRequest) -> str:
    return SEALED_TEXT.format(n=drawn_count(request))


# --- the pool ------------------------------------------------------------------

def recusal_units(request: ExpertRequest) -> list[dict]:
    """The purchaser and every named 回避单位, once each."""
    units = [{"kind": "采购人", "name": request.purchaser_name,
              "credit_code": request.purchaser_credit_code or None}]
    units += [{"kind": u.kind, "name": u.unit_name, "credit_code": u.credit_code or None}
              for u in request.recusal_units]
    seen, unique = set(), []
    for unit in units:
        key = (unit["name"], unit["credit_code"])
        if key not in seen:
            seen.add(key)
            unique.append(unit)
    return unique


def _pool_select(request: ExpertRequest, need: ExpertNeed, before_seq: int | None = None):
    """The SELECT of a row's eligible expert ids, sorted by id. `before_seq`:
    only draws of this application before that seq count as already drawn
    (for 【验证】 of a later draw); None: every draw so far."""
    speciality = db.session.get(ExpertSpeciality, need.speciality_code)
    units = recusal_units(request)
    names = sorted({u["name"] for u in units if u["name"]})
    codes = sorted({u["credit_code"] for u in units if u["credit_code"]})
    of_speciality = (select(expert_speciality_link.c.expert_id)
                     .join(ExpertSpeciality,
                           ExpertSpeciality.code == expert_speciality_link.c.speciality_code)
                     .where(ExpertSpeciality.path.like(speciality.path + "%")))
    in_region = select(Region.code).where(Region.path.like(request.expert_region.path + "%"))
    declared = or_(ExpertRecusal.unit_name.in_(names),
                   ExpertRecusal.credit_code.in_(codes) if codes else false())
    own = (select(DrawnExpert.expert_id).join(ExpertDraw, ExpertDraw.id == DrawnExpert.draw_id)
           .where(ExpertDraw.request_id == request.id))
    if before_seq is not None:
        own = own.where(ExpertDraw.seq < before_seq)
    clauses = [
        Expert.state == "正常",
        Expert.is_regulator.is_(False),
        Expert.id.in_(of_speciality),
        Expert.region_code.in_(in_region),
        Expert.work_unit.not_in(names),
        or_(Expert.work_unit_credit_code.is_(None), Expert.work_unit_credit_code.not_in(codes))
        if codes else Expert.id.isnot(None),
        ~exists().where(and_(ExpertRecusal.expert_id == Expert.id, declared)),
        Expert.id.not_in(own),
    ]
    # The same lot: by its code when chosen, else as typed (项目编号 and 标段名称).
    same = ([ExpertRequest.lot_code == request.lot_code] if request.lot_code else
            [ExpertRequest.project_no == request.project_no,
             func.coalesce(ExpertRequest.lot_name, "") == (request.lot_name or "")])
    same_lot = (select(DrawnExpert.expert_id)
                .join(ExpertRequest, ExpertRequest.id == DrawnExpert.request_id)
                .where(*same, ExpertRequest.id != request.id))
    clauses.append(Expert.id.not_in(same_lot))
    return select(Expert.id).where(*clauses).order_by(Expert.id)


def pool_ids(request: ExpertRequest, need: ExpertNeed, before_seq: int | None = None) -> list[int]:
    return list(db.session.execute(_pool_select(request, need, before_seq)).scalars())


def pool_refusal(request: ExpertRequest) -> str | None:
    """What 审核通过 asks (workflows/expert_request.py), so that an approved
    application, which nothing can change, can be drawn for: each row's pool
    holds its 人数 and 备选人数, and the rows' pools together hold them all
    (a draw takes no one twice). Asked again before a draw (draw_refusal):
    experts suspended since can leave it short."""
    union, total = set(), 0
    for need in request.needs:
        pool = pool_ids(request, need)
        reserves = need.reserve_count or 0
        if refusal := rules.too_small(str(need.speciality), need.count, reserves, len(pool)):
            return refusal
        union.update(pool)
        total += need.count + reserves
    if len(union) < total:
        return f"各评审专业共需 {total} 人（含备选），符合条件的专家只有 {len(union)} 人"
    return None


def _filters(request: ExpertRequest) -> dict:
    return {"expert_region": request.expert_region_code,
            "expert_region_path": request.expert_region.path,
            "lot_code": request.lot_code, "units": recusal_units(request),
            "rules": ["状态正常", "评审专业及其下级专业", "专家所在地区及其下级地区",
                      "非监管部门工作人员", "非采购人及回避单位人员", "未申报与上述单位回避",
                      "未被同一标段抽取", "未被本次及之前抽取选中"],
            "rows": []}


def _pick_rows(request: ExpertRequest, needs, counts, rng, before_seq=None):
    """Draw each row over its pool minus what earlier rows took. Returns the
    filters' rows, the DrawnExpert specs and every pooled id."""
    taken, rows, picks, pooled = set(), [], [], set()
    for need, (count, reserves) in zip(needs, counts):
        pool = [i for i in pool_ids(request, need, before_seq) if i not in taken]
        refusal = rules.too_small(str(need.speciality), count, reserves, len(pool))
        if refusal:
            raise Refusal(refusal)
        main, spare = rules.pick(pool, count, reserves, rng)
        taken.update(main + spare)
        pooled.update(pool)
        rows.append({"need_id": need.id, "need_seq": need.seq,
                     "speciality": need.speciality_code,
                     "speciality_path": need.speciality.path, "count": count,
                     "reserves": reserves, "pool_size": len(pool),
                     "pool_hash": rules.pool_hash(pool), "pool": pool})
        picks.append((need, main, spare))
    return rows, picks, pooled


def _display_name(user) -> str:
    org = _org(user)
    name = f"{user.first_name or ''}{user.last_name or ''}".strip() or user.username
    return f"{name}（{org.name}）" if org is not None else name


def _record_draw(request, user, kind, seq, seed, filters, picks, pooled, reason=None,
                 start_positions=None):
    order = [i for _, main, spare in picks for i in main + spare]
    draw = ExpertDraw(request=request, seq=seq, kind=kind, seed=seed, filters=filters,
                      pool_size=len(pooled), pool_hash=rules.pool_hash(pooled),
                      result_hash=rules.result_hash(order), reason=reason,
                      drawn_by_id=user.id, drawn_by_name=_display_name(user),
                      drawn_at=dt.datetime.now())
    db.session.add(draw)
    made = []
    for need, main, spare in picks:
        first_main, first_spare = (start_positions or {}).get(need.id, (1, 1))
        for n, expert_id in enumerate(main):
            made.append(DrawnExpert(draw=draw, request_id=request.id, need_id=need.id,
                                    expert_id=expert_id, role="正选",
                                    position=first_main + n))
        for n, expert_id in enumerate(spare):
            made.append(DrawnExpert(draw=draw, request_id=request.id, need_id=need.id,
                                    expert_id=expert_id, role="备选",
                                    position=first_spare + n))
    db.session.add_all(made)
    return draw, made


def _touch(request: ExpertRequest, user, **values) -> bool:
    """Bump the application's optimistic lock (with `values`) if nobody did
    since it was read. A Core UPDATE names who changed it explicitly: FAB's
    AuditMixin would write NULL outside a web request (the sweeper, a job)."""
    done = db.session.execute(
        update(ExpertRequest)
        .where(ExpertRequest.id == request.id, ExpertRequest.version == request.version)
        .values(version=ExpertRequest.version + 1, changed_on=dt.datetime.now(),
                changed_by_fk=user.id, **values)
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


def _touch_or_refuse(request: ExpertRequest, user, message: str, **values) -> None:
    # The UPDATE first flushes what this call added: a second 【抽取】 fails
    # here on UNIQUE (request, seq), or finds the lock already bumped.
    try:
        touched = _touch(request, user, **values)
    except (IntegrityError, StaleDataError):
        touched = False
    if not touched:
        db.session.rollback()
        raise Refusal(message)


def _commit_or_refuse(message: str) -> None:
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Refusal(message) from None


def evaluated_refusal(request: ExpertRequest) -> str | None:
    """An interconnected project whose platform has sent 评标结束 needs no
    more experts: its committee sat (a browser walk drew for one whose
    contract was already filed)."""
    if not request.project_code:
        return None
    stage = (db.session.query(ProjectReplica.stage)
             .filter_by(project_code=request.project_code).scalar())
    if stage == EVALUATED:
        return f"项目“{request.project_code}”已进入“{EVALUATED}”阶段，不能再抽取专家"
    return None


def draw_refusal(request: ExpertRequest, user, now: dt.datetime | None = None) -> str | None:
    if not operates(user, request):
        return "只有该申请所在地区（或上级）的监管部门可以抽取专家"
    if request.state != "已通过":
        return f"专家抽取申请“{request.request_no}”{request.state}，审核通过后才能抽取"
    if request.draws:
        if user is not None and user.id in drawers(request):
            return "您已抽取过该申请，请查看抽取结果；如需增加专家，请使用【补抽】"
        return "该申请已由他人抽取，请刷新页面查看抽取结果"
    if not request.needs:
        return "该申请没有专家需求，无法抽取"
    if refusal := evaluated_refusal(request):
        return refusal
    # Checked at 审核通过, but experts suspended since can leave it short; 已通过
    # is final, so the way out is the library: say so before 【抽取】 is pressed.
    if refusal := pool_refusal(request):
        return (f"{refusal}，暂不能抽取；请在【专家管理】→【专家库】中补充或恢复"
                "（取消暂停）符合条件的专家后再抽取")
    from . import holidays

    now = now or dt.datetime.now()
    try:
        return rules.timing_refusal(now, request.review_at, request.procurement_method,
                                    bool(request.remote_review), holidays.current().is_workday)
    except NotCovered as uncounted:  # a 评审时间 saved before the form refused it
        return str(uncounted)


def draw(request: ExpertRequest, user) -> ExpertDraw:
    """【抽取】: seq 1 over every need row. Of two regulators pressing it at
    once, the UNIQUE (request, seq) lets one insert; the other is refused."""
    refusal = draw_refusal(request, user)
    if refusal:
        raise Refusal(refusal)
    seed = secrets.token_hex(32)
    filters = _filters(request)
    needs = list(request.needs)
    rows, picks, pooled = _pick_rows(request, needs,
                                     [(n.count, n.reserve_count or 0) for n in needs],
                                     rules.rng_for(seed))
    filters["rows"] = rows
    made_draw, made = _record_draw(request, user, "抽取", 1, seed, filters, picks, pooled)
    _touch_or_refuse(request, user, "该申请已由他人抽取，请刷新页面查看抽取结果",
                     release_state="已抽取")
    # The pool and a 补抽's reason (which names whoever declined) are sealed
    # with the names (the draw page says so), and audit rows are read by
    # more than the drawer (【审计日志】, 【项目监督】's timeline): they stay
    # in the draw record, shown from the 评审时间.
    record(user, "专家抽取", request,
           f"申请 {request.request_no} 第 1 次抽取，{len(made)} 人（含备选）")
    _commit_or_refuse("该申请已由他人抽取，请刷新页面查看抽取结果")
    _schedule_release(request)
    for drawn in made:
        if drawn.role == "正选":
            notifier().notify(drawn)
    return made_draw


def supplement(request: ExpertRequest, need: ExpertNeed, count, reason, user) -> ExpertDraw:
    """【补抽】: `count` more 正选 for the row, from what remains, as a draw of its own."""
    if not operates(user, request) or not visible(request, user):
        raise Refusal("只有抽取该申请的监管部门人员可以补抽")
    if not request.draws:
        raise Refusal("尚未抽取，请先【抽取】")
    if refusal := evaluated_refusal(request):
        raise Refusal(refusal)
    if need is None or need.request_id != request.id:
        raise Refusal("请选择本申请的评审专业")
    try:
        count = int(str(count).strip())
    except ValueError:
        raise Refusal("补抽人数须为整数") from None
    if not 1 <= count <= SUPPLEMENT_MAX:
        raise Refusal(f"补抽人数须在 1 至 {SUPPLEMENT_MAX} 人之间")
    reason = trimmed(reason) if isinstance(reason, str) else ""
    if not reason:
        raise Refusal("请填写补抽原因")
    if len(reason) > REASON_MAX:
        raise Refusal(f"补抽原因不能超过 {REASON_MAX} 字")
    if message := pasted_error("补抽原因", reason):
        raise Refusal(message)
    seq = max(d.seq for d in request.draws) + 1
    seed = secrets.token_hex(32)
    filters = _filters(request)
    rows, picks, pooled = _pick_rows(request, [need], [(count, 0)], rules.rng_for(seed))
    filters["rows"] = rows
    last = (db.session.query(DrawnExpert.position)
            .filter_by(need_id=need.id, role="正选").order_by(DrawnExpert.position.desc())
            .limit(1).scalar() or 0)
    made_draw, made = _record_draw(request, user, "补抽", seq, seed, filters, picks, pooled,
                                   reason=reason, start_positions={need.id: (last + 1, 1)})
    record(user, "专家补抽", request,
           f"申请 {request.request_no} 第 {seq} 次抽取（补抽），{count} 人（原因见抽取记录）")
    _commit_or_refuse("他人刚刚补抽了该申请，请刷新页面后再试")
    for drawn in made:
        notifier().notify(drawn)
    rerelease(request)
    return made_draw


# --- the calls -----------------------------------------------------------------

class Notifier(Protocol):
    """Where an SMS or voice gateway plugs in (app.extensions["expert_notifier"])."""

    def notify(self, drawn: DrawnExpert) -> None: ...


class LoggingNotifier:
    """Logs that a call is due. The drawn expert's row id only: a name or a
    mobile number in a log line would break the seal."""

    def notify(self, drawn: DrawnExpert) -> None:
        log.info("expert draw: call due for drawn_expert %s (request %s)",
                 drawn.id, drawn.request_id)


def notifier() -> Notifier:
    return current_app.extensions.get("expert_notifier") or LoggingNotifier()


def mark_attendance(drawn: DrawnExpert, attendance: str, user, remark=None) -> DrawnExpert | None:
    """Record the call's outcome; a decline brings in the row's next 备选 as
    正选. Returns the reserve brought in, if any."""
    request = db.session.get(ExpertRequest, drawn.request_id)
    if not operates(user, request) or not visible(request, user):
        raise Refusal("只有抽取该申请的监管部门人员可以记录通知结果")
    if attendance not in MARKS:
        raise Refusal("请选择 参加、不参加 或 请假")
    if drawn.role != "正选":
        raise Refusal("备选专家递补为正选后才能记录通知结果")
    if drawn.attendance in DECLINED:
        raise Refusal(f"该专家已记录为“{drawn.attendance}”，不能更改")
    remark = trimmed(remark) if isinstance(remark, str) else ""
    if len(remark) > 200:
        raise Refusal("备注不能超过 200 字")
    if message := pasted_error("备注", remark):
        raise Refusal(message)
    drawn.attendance = attendance
    drawn.called_at = dt.datetime.now()
    drawn.called_by_name = _display_name(user)
    drawn.remark = remark or None
    promoted = None
    detail = f"申请 {request.request_no} 抽取记录 #{drawn.id}：{attendance}"
    if attendance in DECLINED:
        promoted = (db.session.query(DrawnExpert)
                    .filter_by(need_id=drawn.need_id, role="备选")
                    .order_by(DrawnExpert.position).first())
        if promoted is not None:
            last = (db.session.query(DrawnExpert.position)
                    .filter_by(need_id=drawn.need_id, role="正选")
                    .order_by(DrawnExpert.position.desc()).limit(1).scalar() or 0)
            promoted.role, promoted.position = "正选", last + 1
            detail += f"，备选 #{promoted.id} 递补为正选"
        else:
            detail += "，备选专家已用完"
    record(user, "专家通知结果", request, detail)
    # Touching the application bumps its optimistic lock: two calls recorded
    # at once on the same application cannot both promote the same reserve.
    _touch_or_refuse(request, user, "该申请刚被他人修改，请刷新页面后再试")
    _commit_or_refuse("该申请刚被他人修改，请刷新页面后再试")
    if promoted is not None:
        notifier().notify(promoted)
    rerelease(request)
    return promoted


# --- 【验证】 ----------------------------------------------------------------------

@dataclass
class Verification:
    matches: bool
    lines: list[str] = field(default_factory=list)
    pool_unchanged: bool = True


def verify(draw_row: ExpertDraw) -> Verification:
    """Re-run the draw from its record: the seed over the recorded pools must
    give the recorded experts in the recorded order. Also says whether the
    library would give the same pools today (it may have changed since)."""
    result = Verification(matches=True)
    rows = (draw_row.filters or {}).get("rows") or []
    rng = rules.rng_for(draw_row.seed)
    order, pooled = [], set()
    for row in rows:
        pool = row.get("pool") or []
        pooled.update(pool)
        if rules.pool_hash(pool) != row.get("pool_hash"):
            result.matches = False
            result.lines.append(f"第 {row.get('need_seq')} 行的专家池与记录的哈希不一致")
        try:
            main, spare = rules.pick(pool, row["count"], row["reserves"], rng)
        except (KeyError, ValueError):
            result.matches = False
            result.lines.append(f"第 {row.get('need_seq')} 行的记录不完整，无法重演")
            continue
        order += main + spare
    recorded = [d.expert_id for d in sorted(draw_row.experts, key=lambda d: d.id)]
    if rules.pool_hash(pooled) != draw_row.pool_hash or len(pooled) != draw_row.pool_size:
        result.matches = False
        result.lines.append("记录的专家池人数或哈希与专家池明细不一致")
    if order == recorded and rules.result_hash(order) == draw_row.result_hash:
        result.lines.append(f"按记录的随机种子重演第 {draw_row.seq} 次抽取，结果与记录一致"
                            f"（{len(order)} 人，顺序相同）")
    else:
        result.matches = False
        result.lines.append(f"按记录的随机种子重演第 {draw_row.seq} 次抽取，结果与记录不一致")
    if not _pools_unchanged(draw_row, rows):
        result.pool_unchanged = False
        result.lines.append("注意：专家库此后有变化，按同样条件今天得到的专家池与记录不同"
                            "（重演使用记录的专家池）")
    else:
        result.lines.append("按同样条件今天得到的专家池与记录相同")
    return result


def _pools_unchanged(draw_row: ExpertDraw, rows) -> bool:
    """Today's pools by the recorded conditions, with what earlier rows of
    the same draw took removed as the draw did."""
    request = draw_row.request
    needs = {n.id: n for n in request.needs}
    taken: set[int] = set()
    by_row = {}
    for d in sorted(draw_row.experts, key=lambda d: d.id):
        by_row.setdefault(d.need_id, []).append(d.expert_id)
    for row in rows:
        need = needs.get(row.get("need_id"))
        if need is None:
            return False
        today = [i for i in pool_ids(request, need, before_seq=draw_row.seq) if i not in taken]
        if rules.pool_hash(today) != row.get("pool_hash"):
            return False
        taken.update(by_row.get(need.id, []))
    return True


# --- release at the 评审时间 ------------------------------------------------------

def entity_key(request_no: str) -> str:
    return f"expert_request:{request_no}"


def payload_of(request: ExpertRequest) -> dict:
    """experts.drawn as docs/experts.md says: per need row, the 正选 not
    declined (参加, or 待通知 when the call is not yet recorded), then the
    remaining 备选 in order."""
    experts = []
    rows = (db.session.query(DrawnExpert).filter_by(request_id=request.id).all())
    for need in request.needs:
        mine = [d for d in rows if d.need_id == need.id]
        main = sorted((d for d in mine if d.role == "正选" and d.attendance not in DECLINED),
                      key=lambda d: d.position)
        spare = sorted((d for d in mine if d.role == "备选"), key=lambda d: d.position)
        for d in main + spare:
            experts.append({"key": str(d.expert_id), "name": d.expert.name,
                            "speciality": str(need.speciality),
                            "work_unit": d.expert.work_unit, "role": d.role,
                            "position": d.position, "attendance": d.attendance})
    return {"request_no": request.request_no, "project_code": request.project_code,
            "lot_code": request.lot_code,
            "review_at": request.review_at.isoformat(timespec="seconds"),
            "review_place": request.review_place, "experts": experts}


def interconnected(request: ExpertRequest) -> bool:
    return bool(request.project_code and request.platform_code)


def release(request: ExpertRequest, now: dt.datetime | None = None) -> bool:
    """Write experts.drawn (a new version) to the outbox, once the 评审时间 has
    come. A conditional UPDATE on release_version makes two releases at once
    write one message. True when this call wrote it."""
    from .sync import outbox

    now = now or dt.datetime.now()
    if now < request.review_at or not request.draws or not interconnected(request):
        return False
    current = request.release_version or 0
    done = db.session.execute(
        update(ExpertRequest)
        .where(ExpertRequest.id == request.id, ExpertRequest.release_version == current)
        .values(release_version=current + 1, release_state="已推送", released_at=now,
                version=ExpertRequest.version + 1,
                # The sweeper has no user: keep who last changed it (not NULL).
                changed_by_fk=ExpertRequest.changed_by_fk,
                changed_on=ExpertRequest.changed_on)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        return False
    outbox.send(MESSAGE, request.platform_code, entity_key(request.request_no), current + 1,
                payload_of(request))
    record(None, "专家抽取结果推送", request,
           f"申请 {request.request_no} 第 {current + 1} 版推送至 {request.platform_code}")
    db.session.commit()
    db.session.expire(request)
    return True


def rerelease(request: ExpertRequest) -> bool:
    """After a change to a result already sent: the next version."""
    db.session.refresh(request)
    if request.release_state != "已推送":
        return False
    return release(request)


def release_due(now: dt.datetime | None = None) -> int:
    """Every drawn, interconnected application whose 评审时间 has come and
    that was not yet sent (the sweeper runs this on every pass)."""
    now = now or dt.datetime.now()
    ids = [i for (i,) in db.session.query(ExpertRequest.id).filter(
        ExpertRequest.release_state == "已抽取", ExpertRequest.project_code.isnot(None),
        ExpertRequest.platform_code.isnot(None), ExpertRequest.review_at <= now)]
    sent = 0
    for request_id in ids:
        request = db.session.get(ExpertRequest, request_id)
        if request is not None and request.release_state == "已抽取":
            sent += release(request, now)
    return sent


def _schedule_release(request: ExpertRequest) -> None:
    """An RQ job at the 评审时间; if Redis loses it, the sweeper still releases."""
    from .sync import queues
    from .sync.tasks import periodic_job

    if not interconnected(request):
        return
    try:
        queue = queues.Queue(queues.sweep_queue_name(), connection=queues.connection())
        queue.enqueue_at(request.review_at.astimezone(), periodic_job,
                         current_app.config["SITE_ID"], job_timeout=120,
                         result_ttl=600, failure_ttl=86400)
    except Exception as exc:  # noqa: BLE001 - the sweeper releases it anyway
        log.warning("could not schedule the release of request %s: %s (the sweeper will)",
                    request.id, exc)


def register() -> None:
    """From create_app: the sweeper's periodic release."""
    from .sync import registry

    registry.register_periodic(release_due)
