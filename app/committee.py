"""组建评委会 (trading manual §7): the experts GPS drew arrive by themselves
at the 评审时间 (experts.drawn); the agency adds the 采购人代表 with a 授权书,
replaces an absent expert from the synced reserves and marks the 评审组长
the members elected. Every change goes back to GPS (committee.formed),
where the 结果公告's 评审专家名单 is pre-filled from it.

The composition rules are app/rules/committee.py; 【开始评标】 asks
`refusals()` for every lot of the project (app/lot_settings.py).

Both message types are this module's: `register_sync()` adds them to the
sync registry when create_app() wires the app.
"""
from __future__ import annotations

import datetime as dt
import json

from flask import current_app

from . import attachments
from .audit import record
from .extensions import db
from .models import PROJECT_STAGES, CommitteeMember, CommitteeReplica, Lot, ProjectReplica
from .rules import committee as rules
from .rules.text import trimmed

DRAWN = "experts.drawn"
FORMED = "committee.formed"
OWNER_REP = rules.OWNER_REP
EXPERT = "抽取专家"
SEATED, RESERVE, ABSENT, REPLACED = "在册", "备选", "缺席", "已替换"
DEFAULT_CLOCK_SKEW = 120  # seconds: GPS's clock may run a little ahead of ours
WAITING_NOTE = "专家抽取结果将于评审时间由政府采购系统推送"


class Refusal(ValueError):
    """Why the committee was not changed (Chinese); nothing was changed."""


# --- reading --------------------------------------------------------------------------

def members(lot: Lot) -> list[CommitteeMember]:
    """Everyone who is or was on the committee (reserves not called excluded)."""
    with db.session.no_autoflush:
        rows = (db.session.query(CommitteeMember)
                .filter(CommitteeMember.lot_id == lot.id, CommitteeMember.state != RESERVE)
                .order_by(CommitteeMember.source == OWNER_REP, CommitteeMember.position,
                          CommitteeMember.id).all())
    return rows


def sitting(lot: Lot) -> list[CommitteeMember]:
    return [m for m in members(lot) if m.state == SEATED]


def reserves(lot: Lot) -> list[CommitteeMember]:
    """The synced reserves not yet called, in their drawn order."""
    with db.session.no_autoflush:
        return (db.session.query(CommitteeMember)
                .filter_by(lot_id=lot.id, state=RESERVE)
                .order_by(CommitteeMember.position, CommitteeMember.id).all())


def refusals(lot: Lot) -> list[str]:
    """Why this lot's committee may not start evaluating (empty: it may)."""
    if lot.experts_received_at is None:
        # Not WAITING_NOTE again: the page says it once (a walk counted four).
        return ["尚未收到政府采购系统推送的专家抽取结果"]
    project = lot.project
    return rules.check(project.procurement_method, project.budget,
                       project.technically_complex, project.wide_impact, sitting(lot))


def status(lot: Lot) -> str:
    """One line for the list of lots."""
    if lot.experts_received_at is None:
        return "待推送专家"
    found = refusals(lot)
    return "已组建" if not found else f"待完善（{len(found)}项）"


def lock_reason(lot: Lot | None) -> str | None:
    """Why the agency may not change this committee now."""
    if lot is None or lot.project is None:
        return "标段不存在"
    project = lot.project
    if project.state != "受理通过":
        return f"项目“{project.project_code}”{project.state}，受理通过后才能组建评委会"
    if lot.experts_received_at is None:
        return WAITING_NOTE
    if PROJECT_STAGES.index(project.stage) >= PROJECT_STAGES.index("评标中"):
        return f"项目已进入“{project.stage}”阶段，评委会不能再修改"
    return None


def flags_lock(lot: Lot) -> str | None:
    """The flags may be set before the experts arrive, not once evaluating."""
    reason = lock_reason(lot)
    return None if reason == WAITING_NOTE else reason


# --- experts.drawn (GPS → here) -----------------------------------------------------

def apply_experts_drawn(envelope, payload) -> None:
    """Seat the drawn experts and keep the reserves in order. A later version
    (GPS replaced a declined expert) updates them; what the agency did (the
    采购人代表, the 评审组长, a replacement it made) stays."""
    from .sync.inbox import Refused

    skew = dt.timedelta(seconds=current_app.config.get("EXPERTS_CLOCK_SKEW",
                                                       DEFAULT_CLOCK_SKEW))
    now = dt.datetime.now()
    if payload["review_at"] > now + skew:
        # 425: the sender retries; the names must not be here before then.
        raise Refused(425, "too_early",
                      f"评审时间未到（{payload['review_at']:%Y-%m-%d %H:%M}），"
                      "专家抽取结果须在评审时间后接收", envelope["source"], envelope["id"])
    lot = db.session.query(Lot).filter_by(code=payload["lot_code"]).one_or_none()
    if lot is None or lot.project.project_code != payload["project_code"]:
        raise Refused(422, "unknown_lot",
                      f"本平台没有项目“{payload['project_code']}”的标段“{payload['lot_code']}”，"
                      "不能接收专家抽取结果", envelope["source"], envelope["id"])
    keys = [e["key"] for e in payload["experts"]]
    if len(set(keys)) != len(keys):
        raise Refused(422, "bad_payload", "专家抽取结果中同一专家出现多次，不能接收",
                      envelope["source"], envelope["id"])
    stage = lot.project.stage
    if PROJECT_STAGES.index(stage) >= PROJECT_STAGES.index("评标中"):
        # A sitting committee is not changed under the agency's feet; GPS
        # shows the refusal as 死信 in 【同步监控】 for an operator to look at.
        raise Refused(409, "committee_locked",
                      f"项目已进入“{stage}”阶段，评委会不能再修改，不能接收新的专家抽取结果",
                      envelope["source"], envelope["id"])
    seated_by = _seated_requests(lot)
    if others := seated_by - {envelope["entity"]}:
        # One lot seats the result of one application: a second one's list
        # would otherwise drop the first one's experts.
        other = sorted(others)[0].removeprefix("expert_request:")
        raise Refused(409, "other_request",
                      f"标段“{lot.code}”已接收专家抽取申请“{other}”的结果，"
                      "同一标段只接收一份抽取结果", envelope["source"], envelope["id"])
    if envelope["entity"] not in seated_by and _has_drawn_members(lot):
        # Experts seated here by no application's message (the demo's stages
        # seat them so): a first result would replace most of them and keep
        # the rest, a committee of more members than either list.
        raise Refused(409, "committee_seated",
                      f"标段“{lot.code}”的评委会已有抽取专家，不是由政府采购系统的专家抽取申请"
                      "产生的，不能再接收专家抽取结果", envelope["source"], envelope["id"])
    receive_experts(lot, payload["experts"], now,
                    f"{payload['request_no']} 第{envelope['entity_version']}版")


def _seated_requests(lot: Lot) -> set[str]:
    """The applications (their entity keys) whose experts.drawn this lot
    applied."""
    from .models import InboxMessage

    rows = (db.session.query(InboxMessage.entity_key, InboxMessage.body)
            .filter(InboxMessage.type == "experts.drawn", InboxMessage.result == "已应用",
                    InboxMessage.body.contains(lot.code)))
    seated = set()
    for key, body in rows:
        try:
            payload = json.loads(body).get("payload") or {}
        except ValueError:
            continue
        if payload.get("lot_code") == lot.code:
            seated.add(key)
    return seated


def _has_drawn_members(lot: Lot) -> bool:
    return db.session.query(CommitteeMember.id).filter(
        CommitteeMember.lot_id == lot.id, CommitteeMember.expert_key.isnot(None)).first() is not None


def receive_experts(lot: Lot, experts: list[dict], now: dt.datetime, label: str) -> bool:
    """The drawn experts (正选) and reserves (备选, in order) as GPS sent them.
    Returns whether anything changed (then GPS is sent the committee)."""
    with db.session.no_autoflush:
        drawn = {m.expert_key: m for m in db.session.query(CommitteeMember).filter(
            CommitteeMember.lot_id == lot.id, CommitteeMember.expert_key.isnot(None))}
    changed = False
    keys = set()
    for data in experts:
        keys.add(data["key"])
        row = drawn.get(data["key"])
        if row is None:
            row = CommitteeMember(lot=lot, source=EXPERT, expert_key=data["key"],
                                  added_by_name="政府采购系统")
            row.state = SEATED if data["role"] == "正选" else RESERVE
            db.session.add(row)
            changed = True
        elif data["role"] == "正选" and row.state == RESERVE:
            row.state = SEATED  # GPS called this reserve in a declined expert's place
            changed = True
        values = {"name": data["name"], "speciality": data["speciality"],
                  "work_unit": data["work_unit"], "position": data["position"]}
        for field, value in values.items():
            if getattr(row, field) != value:
                setattr(row, field, value)
                changed = True
    for key, row in drawn.items():
        # Dropped by GPS (declined before the 评审时间): off the committee,
        # unless the agency already relied on the row.
        if key not in keys and row.state in (SEATED, RESERVE) and not row.is_chair:
            if db.session.query(CommitteeMember.id).filter_by(replaces_id=row.id).first():
                continue
            db.session.delete(row)
            changed = True
    if lot.experts_received_at is None:
        lot.experts_received_at = now
        changed = True
    if changed:
        db.session.flush()
        _send(lot)
        record(None, "接收专家抽取结果", lot,
               f"{label}：正选{sum(1 for e in experts if e['role'] == '正选')}人，"
               f"备选{sum(1 for e in experts if e['role'] == '备选')}人")
    return changed


# --- what the agency does -----------------------------------------------------------

def _check_open(lot: Lot) -> None:
    if reason := lock_reason(lot):
        raise Refusal(reason)


def _text(value, label: str, limit: int, required=True) -> str | None:
    text = (trimmed(value or "") if isinstance(value, str) or value is None
            else None)
    if text is None:
        raise Refusal(f"{label}格式不正确")
    if not text:
        if required:
            raise Refusal(f"请填写{label}")
        return None
    if len(text) > limit:
        raise Refusal(f"{label}不能超过{limit}个字")
    if any(not ch.isprintable() for ch in text):
        raise Refusal(f"{label}含有不可见字符，请重新填写")
    return text


def add_owner_rep(lot: Lot, name, work_unit, filename, data: bytes, user) -> CommitteeMember:
    """【添加采购人代表】 with the 授权书 (PDF, checked as every upload)."""
    _check_open(lot)
    name = _text(name, "姓名", 32)
    work_unit = _text(work_unit, "工作单位", 128)
    if message := attachments.pdf_error(filename, data, "授权书"):
        raise Refusal(message)
    stored = attachments.store_pdf(filename, data, user)
    member = CommitteeMember(lot=lot, source=OWNER_REP, state=SEATED, name=name,
                             work_unit=work_unit, authorization=stored, position=0,
                             added_by_name=_display_name(user), added_at=dt.datetime.now())
    db.session.add(member)
    _changed(lot, user, "添加采购人代表", f"{name}（{work_unit}）")
    return member


def remove_owner_rep(member: CommitteeMember, user) -> None:
    _check_open(member.lot)
    if member.source != OWNER_REP:
        raise Refusal("只能删除手动录入的采购人代表；抽取的专家缺席时请从备选专家中替换")
    lot = member.lot
    db.session.delete(member)
    _changed(lot, user, "删除采购人代表", member.name)


def replace(member: CommitteeMember, reserve: CommitteeMember, user) -> CommitteeMember:
    """【替换】: an absent drawn expert by one of the lot's synced reserves."""
    _check_open(member.lot)
    if member.source == OWNER_REP or member.expert_key is None:
        raise Refusal("采购人代表不能从备选专家中替换；如需更换请删除后重新添加")
    if member.state != SEATED:
        raise Refusal(f"{member.name}当前为“{member.state}”，只能替换在册的专家")
    if (reserve is None or reserve.lot_id != member.lot_id or reserve.state != RESERVE
            or reserve.expert_key is None):
        raise Refusal("只能从本标段政府采购系统推送的备选专家中选择替换人员")
    member.state = REPLACED
    was_chair, member.is_chair = member.is_chair, False
    reserve.state = SEATED
    reserve.replaces = member
    detail = f"{member.name}缺席，由备选专家{reserve.name}替换"
    if was_chair:
        detail += "；原评审组长缺席，请重新设定评审组长"
    _changed(member.lot, user, "替换缺席专家", detail)
    return reserve


def set_chair(member: CommitteeMember, user) -> None:
    """【设为评审组长】: the one the members elected (never the 采购人代表)."""
    _check_open(member.lot)
    if member.source == OWNER_REP:
        raise Refusal(f"{member.name}是采购人代表，采购人代表不得担任评审组长（{rules.ART_CHAIR}）")
    if member.state != SEATED:
        raise Refusal(f"{member.name}当前为“{member.state}”，只能从在册的评审专家中设定评审组长")
    if member.is_chair:
        raise Refusal(f"{member.name}已是评审组长")
    for other in sitting(member.lot):
        other.is_chair = False
    member.is_chair = True
    _changed(member.lot, user, "设定评审组长", member.name)


def set_flags(lot: Lot, technically_complex: bool, wide_impact: bool, user) -> None:
    """技术复杂 / 社会影响较大 (87号令第四十七条: 7人以上). Set on the project, from
    the committee page of any of its lots, while no committee is evaluating."""
    if reason := flags_lock(lot):
        raise Refusal(reason)
    project = lot.project
    technically_complex, wide_impact = bool(technically_complex), bool(wide_impact)
    if (project.technically_complex, project.wide_impact) == (technically_complex, wide_impact):
        raise Refusal("项目情形没有变化")
    project.technically_complex, project.wide_impact = technically_complex, wide_impact
    record(user, "设定项目情形", project,
           f"技术复杂：{'是' if technically_complex else '否'}；"
           f"社会影响较大：{'是' if wide_impact else '否'}")


def _display_name(user) -> str:
    if user is None:
        return "政府采购系统"
    name = f"{user.first_name or ''}{user.last_name or ''}".strip()
    return name or user.username


def _changed(lot: Lot, user, action: str, detail: str) -> None:
    db.session.flush()
    _send(lot)
    record(user, action, lot, detail)


# --- committee.formed (here → GPS) ---------------------------------------------------

def entity_key(lot_code: str) -> str:
    return f"committee:{lot_code}"


def payload_of(lot: Lot) -> dict:
    return {"project_code": lot.project.project_code, "lot_code": lot.code,
            "members": [{"name": m.name, "source": m.source, "speciality": m.speciality,
                         "work_unit": m.work_unit, "is_chair": bool(m.is_chair),
                         "state": m.state} for m in members(lot)]}


def _send(lot: Lot) -> None:
    """The version always moves; only a project GPS knows (from a plan) is told."""
    lot.committee_version = (lot.committee_version or 0) + 1
    if lot.project.from_plan:
        from .sync import outbox

        outbox.send(FORMED, "gps", entity_key(lot.code), lot.committee_version,
                    payload_of(lot))


def apply_committee_formed(envelope, payload) -> None:
    """GPS: keep the lot's committee as its platform last sent it."""
    from .sync.inbox import Refused

    project = db.session.get(ProjectReplica, payload["project_code"])
    # As for lot.status: not here yet is 425 (retried), another platform's 422.
    if project is None:
        raise Refused(425, "unknown_project",
                      f"政府采购系统尚未收到平台{envelope['source']}的项目"
                      f"“{payload['project_code']}”，评委会稍后重试", envelope["source"],
                      envelope["id"])
    if project.platform_code != envelope["source"]:
        raise Refused(422, "unknown_project",
                      f"政府采购系统没有平台{envelope['source']}的项目“{payload['project_code']}”，"
                      "不能接收评委会", envelope["source"], envelope["id"])
    if payload["lot_code"] not in {lot.code for lot in project.lots}:
        raise Refused(425, "unknown_lot",
                      f"政府采购系统尚未收到项目“{payload['project_code']}”的标段"
                      f"“{payload['lot_code']}”，评委会稍后重试", envelope["source"], envelope["id"])
    replica = db.session.get(CommitteeReplica, payload["lot_code"])
    if replica is not None and replica.version >= envelope["entity_version"]:
        return
    if replica is None:
        replica = CommitteeReplica(lot_code=payload["lot_code"])
        db.session.add(replica)
    replica.project_code = payload["project_code"]
    replica.members = [dict(m) for m in payload["members"]]
    replica.version = envelope["entity_version"]
    replica.received_at = dt.datetime.now()


def member_text(members_: list[dict], chair="（组长）", owner="（采购人代表）", sep="、") -> str:
    """“张三（组长）、李四、王五（采购人代表）”: those sitting, chair first. The
    words may be given in the reader's language (a page; a notice's are Chinese)."""
    seated = [m for m in members_ if m.get("state") == SEATED]
    seated.sort(key=lambda m: (not m.get("is_chair"), m.get("source") == OWNER_REP))
    return sep.join(m["name"] + (chair if m.get("is_chair") else "")
                    + (owner if m.get("source") == OWNER_REP else "")
                    for m in seated)


def experts_text(lots) -> str | None:
    """评审专家名单 for a 结果公告 of these lots (objects with lot_code and name),
    from the committees GPS holds; None when it holds none of them."""
    lots = list(lots)
    replicas = {r.lot_code: r for r in db.session.query(CommitteeReplica).filter(
        CommitteeReplica.lot_code.in_([lot.lot_code for lot in lots]))}
    parts = [(lot, member_text(replicas[lot.lot_code].members)) for lot in lots
             if lot.lot_code in replicas]
    parts = [(lot, text) for lot, text in parts if text]
    if not parts:
        return None
    if len(lots) == 1:
        return parts[0][1]
    return "；".join(f"{lot.name}：{text}" for lot, text in parts)


def prefill_experts(notice) -> bool:
    """A 结果公告 draft whose 评审专家名单 is empty takes it from the committees."""
    if notice.notice_type != "结果公告" or notice.state != "草稿" \
            or (notice.experts or "").strip():
        return False
    text = experts_text(notice.lots)
    if text:
        notice.experts = text
        return True
    return False


def register_sync() -> None:
    from .sync import registry
    from .sync.messages.experts import (
        CommitteeFormedPayload,
        ExpertsDrawnPayload,
        committee_entity,
        experts_entity,
    )

    registry.register(DRAWN, ExpertsDrawnPayload, apply_experts_drawn, entity=experts_entity,
                      receiver="trading")
    registry.register(FORMED, CommitteeFormedPayload, apply_committee_formed,
                      entity=committee_entity, receiver="gps")
