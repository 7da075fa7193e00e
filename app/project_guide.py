"""The 项目向导 of 项目监督 (docs/supervision.md): where a filed plan's project
stands, stage by stage, and who did what when — read-only, for the
regulators of its region and above.

`stages()` walks the stages in the order of the GPS manual, each with its
state (未开始 / 进行中 / 已完成 / 不适用), dates, responsible organisation, the
records' own pages (which apply their own scope) and the 预警 raised on it.
GPS's own records are linked; what the trading platform sent (lot.status,
committee.formed, project.status) has no GPS page and is shown inline.

`timeline()`: GPS's audit rows for the project's records and the messages
its platform sent, in Chinese, newest first, capped.

Drawn experts are sealed until the 评审时间 (app/expert_draw.py): before
it, this page says how many were drawn, never who, and neither does the
committee (its members are the drawn experts).
"""
from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext, lazy_pgettext
from sqlalchemy import or_

from .committee import member_text
from .extensions import db
from .rules.flags import by_id
from .views.common.formatting import money
from .views.common.stored_words import word
from .models import (AuditLog, CommitteeReplica, Contract, DrawnExpert, ExpertRequest, InboxMessage,
                     LotStatusReplica, Notice, Organisation, OrgUser, Plan, Platform, ProjectFlag,
                     ProjectReplica, WinnerChange, PROJECT_STAGES)

NOT_STARTED, RUNNING, DONE, NOT_APPLICABLE = "未开始", "进行中", "已完成", "不适用"
STATES = (NOT_STARTED, RUNNING, DONE, NOT_APPLICABLE)
STAGES = ("计划备案/推送", "进场受理", "标段推送", "采购公告", "变更公告", "招标文件/开评标配置",
          "质疑", "开标", "专家抽取", "组建评委会", "评标", "结果公告", "结果更正公告",
          "合同公告及备案", "中标结果变更备案", "终止")
TIMELINE_CAP = 200

# Where a 预警 belongs (ids and wording: app/rules/flags.py, docs/supervision.md).
# YJ01/YJ02 are raised either from a notice or from the platform's lot plan.
FLAG_STAGE = {"YJ01": "采购公告", "YJ02": "采购公告", "YJ03": "结果公告", "YJ04": "合同公告及备案",
              "YJ05": "合同公告及备案", "YJ06": "合同公告及备案", "YJ07": "合同公告及备案",
              "YJ08": "合同公告及备案", "YJ09": "结果公告", "YJ10": "变更公告", "YJ11": "开标",
              "YJ12": "组建评委会", "YJ13": "专家抽取", "YJ14": "中标结果变更备案"}
# "公告" alone is the menu's "Notices"; one record here is a "Notice".
AUDITED = {"Plan": lazy_gettext("采购计划"), "Notice": lazy_pgettext("时间线", "公告"),
           "ExpertRequest": lazy_gettext("专家抽取申请"), "ExpertDraw": lazy_gettext("专家抽取"),
           "Contract": lazy_gettext("合同公告及备案"),
           "WinnerChange": lazy_gettext("中标结果变更备案"), "ProjectReplica": lazy_gettext("交易项目")}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return value.isoformat()


def _stage(name, state, organisation=None, dates=(), links=(), lines=()) -> dict:
    return {"name": name, "state": state, "organisation": organisation,
            "dates": [{"label": label, "value": _iso(value)} for label, value in dates
                      if value is not None],
            "links": [{"label": label, "url": url} for label, url in links],
            "lines": list(lines), "flags": []}


def _platform_name(code) -> str | None:
    if not code:
        return None
    platform = db.session.get(Platform, code)
    return platform.name if platform else code


def project_of(plan: Plan) -> ProjectReplica | None:
    return (db.session.query(ProjectReplica).filter_by(plan_id=plan.id)
            .order_by(ProjectReplica.received_at).first())


def _published(notices, kind):
    return [n for n in notices if n.notice_type == kind and n.state == "已发布"]


def _notice_stage(name, notices, organisation, optional=True) -> dict:
    if not notices:
        return _stage(name, NOT_APPLICABLE if optional else NOT_STARTED, organisation)
    return _stage(name, DONE, organisation,
                  dates=[(_("%(key)s 发布", key=n.notice_key), n.published_at) for n in notices],
                  links=[(f"{n.notice_key} {n.title}", f"/notice-publish/notice/{n.id}")
                         for n in notices])


def _first_received(types, keys) -> dict:
    """When GPS first applied a message of these types, per payload value."""
    rows = (db.session.query(InboxMessage).filter(InboxMessage.type.in_(types),
                                                  InboxMessage.entity_key.in_(keys),
                                                  InboxMessage.result == "已应用")
            .order_by(InboxMessage.received_at, InboxMessage.id))
    found = {}
    for row in rows:
        payload = json.loads(row.body).get("payload", {})
        found.setdefault(payload.get("stage") or row.type, row.received_at)
    return found


def _lot_names(project) -> dict:
    return {lot.code: lot.name for lot in project.lots} if project else {}


def _planning_line(name, status: LotStatusReplica) -> str:
    parts = []
    if status.doc_issue_start or status.doc_issue_end:
        parts.append(_("文件获取 %(start)s 至 %(end)s", start=_iso(status.doc_issue_start) or "—",
                       end=_iso(status.doc_issue_end) or "—"))
    if status.bid_deadline:
        parts.append(_("投标截止 %(at)s", at=_iso(status.bid_deadline)))
    if status.open_time:
        parts.append(_("开标 %(at)s", at=_iso(status.open_time)))
    if status.evaluation_method:
        parts.append(_("评标办法 %(method)s", method=word(status.evaluation_method)))
    if status.committee_size:
        parts.append(_("评委会 %(n)s 人", n=status.committee_size))
    return _("%(lot)s：%(what)s", lot=name, what=_("，").join(parts) if parts else _("尚未配置"))


def _configured(status: LotStatusReplica | None) -> bool:
    return status is not None and all(
        getattr(status, name) is not None for name in ("bid_deadline", "open_time",
                                                       "evaluation_method", "committee_size"))


def _review_passed(requests, lot_code, now, evaluating=False) -> bool:
    """May names of this lot's experts show? Only once every 评审时间 of an
    application for the lot has come. A lot no application names (a request
    typed by hand, a committee from elsewhere) stays sealed until its platform
    says 评标 has begun: no 评审时间 here is no permission."""
    mine = [r for r in requests if r.lot_code == lot_code]
    if not mine:
        return evaluating
    return all(now >= r.review_at for r in mine)


def stages(session, plan: Plan, user=None, now: dt.datetime | None = None) -> list[dict]:
    """The ordered stages of the plan's project (see the module's docstring)."""
    del session, user  # the module's queries use db.session; scope is the caller's
    now = now or dt.datetime.now()
    project = project_of(plan)
    code = project.project_code if project else None
    lot_names = _lot_names(project)
    unit = plan.unit.name if plan.unit else None
    agency = plan.agency.name if plan.agency else (project.agency_name if project else None)
    platform = _platform_name(project.platform_code if project else plan.pushed_to)
    notices = (db.session.query(Notice).filter_by(plan_id=plan.id)
               .order_by(Notice.published_at, Notice.id).all())
    statuses = (db.session.query(LotStatusReplica).filter_by(project_code=code)
                .order_by(LotStatusReplica.lot_code).all()) if code else []
    by_lot = {s.lot_code: s for s in statuses}
    requests = (db.session.query(ExpertRequest).filter_by(project_code=code)
                .order_by(ExpertRequest.id).all()) if code else []
    committees = (db.session.query(CommitteeReplica).filter_by(project_code=code)
                  .order_by(CommitteeReplica.lot_code).all()) if code else []
    contracts = (db.session.query(Contract).filter_by(plan_id=plan.id)
                 .order_by(Contract.id).all())
    changes = (db.session.query(WinnerChange).filter(WinnerChange.plan_id == plan.id,
                                                     WinnerChange.state != "草稿")
               .order_by(WinnerChange.id).all())
    received = _first_received(("project.accepted", "project.status"),
                               [f"project:{code}"]) if code else {}
    reached = PROJECT_STAGES.index(project.stage) if project and project.stage in PROJECT_STAGES \
        else -1
    result = []

    # 计划备案/推送
    filed = plan.state != "草稿"
    pushed = plan.push_state if plan.push_state != "不推送" else None
    result.append(_stage(
        "计划备案/推送", DONE if filed else RUNNING, unit,
        dates=[(_("备案"), plan.filed_at),
               (_("推送（%(state)s）", state=word(pushed)) if pushed else _("推送"),
                plan.push_state_at if pushed else None)],
        links=[(plan.plan_no, f"/plans/show/{plan.id}")],
        lines=[_("计划已撤回：%(reason)s", reason=plan.withdraw_reason)
               if plan.withdraw_reason else _("计划已撤回")]
        if plan.state == "已撤回" else []))

    # 进场受理, 标段推送
    trading = plan.interconnected and (plan.pushed_to or project is not None)
    if project is not None:
        accepted_at = received.get("project.accepted", project.received_at)
        link = [(code, f"/trading-projects/show/{code}")]
        result.append(_stage("进场受理", DONE, platform, dates=[(_("受理"), accepted_at)],
                             links=link, lines=[_("项目编号 %(code)s，代理机构 %(agency)s",
                                                  code=code, agency=agency or "—")]))
        result.append(_stage("标段推送", DONE if project.lots else RUNNING, platform,
                             dates=[(_("推送"), accepted_at)], links=link,
                             lines=[f"{lot.code} {lot.name}" for lot in project.lots]))
    else:
        waiting = RUNNING if trading and plan.push_state == "已推送" else (
            NOT_STARTED if trading else NOT_APPLICABLE)
        result.append(_stage("进场受理", waiting, platform))
        result.append(_stage("标段推送", NOT_STARTED if trading else NOT_APPLICABLE, platform))

    # 采购公告, 变更公告
    result.append(_notice_stage("采购公告", _published(notices, "采购公告"), agency or unit,
                                optional=False))
    result.append(_notice_stage("变更公告", _published(notices, "变更公告"), agency or unit))

    # 招标文件/开评标配置 (lot.status)
    if not trading:
        result.append(_stage("招标文件/开评标配置", NOT_APPLICABLE, agency))
    else:
        done = lot_names and all(_configured(by_lot.get(c)) for c in lot_names)
        some = any(s.configured_at for s in statuses)
        result.append(_stage(
            "招标文件/开评标配置", DONE if done else RUNNING if some else NOT_STARTED, agency,
            dates=[(_("最近配置"), max((s.configured_at for s in statuses if s.configured_at),
                                default=None))],
            lines=[_planning_line(lot_names.get(s.lot_code, s.lot_code), s) for s in statuses]))

    # 质疑
    objections = [(s.lot_code, o) for s in statuses for o in (s.objections or [])]
    if not objections:
        result.append(_stage("质疑", NOT_APPLICABLE, agency))
    else:
        open_ = any(o.get("reply_date") is None for _c, o in objections)
        result.append(_stage(
            "质疑", RUNNING if open_ else DONE, agency,
            lines=[_("%(lot)s：%(day)s 收到质疑，%(reply)s 答复", lot=lot_names.get(c, c),
                     day=o["received_on"], reply=o["reply_date"]) if o.get("reply_date")
                   else _("%(lot)s：%(day)s 收到质疑，尚未答复", lot=lot_names.get(c, c),
                          day=o["received_on"])
                   for c, o in objections]))

    # 开标
    opened = [s for s in statuses if s.bids]
    if opened or reached >= PROJECT_STAGES.index("已开标"):
        every = lot_names and all(by_lot.get(c) is not None and by_lot[c].bids
                                  for c in lot_names)
        lines = []
        for s in opened:
            lines.append(_("%(lot)s：%(n)s 家投标", lot=lot_names.get(s.lot_code, s.lot_code),
                           n=len(s.bids)))
            # Prices arrive as the platform's strings ("986000.00"): shown as every amount is.
            lines += ["　" + (_("%(bidder)s %(price)s 元（超过最高限价）", bidder=b["bidder"],
                                price=money(b["price"], unit=False)) if b["over_ceiling"]
                             else _("%(bidder)s %(price)s 元", bidder=b["bidder"],
                                    price=money(b["price"], unit=False))) for b in s.bids]
        result.append(_stage(
            "开标", DONE if every or not statuses else RUNNING, agency,
            dates=[(_("开标"), min((s.opened_at for s in opened), default=None)
                    or received.get("已开标"))], lines=lines))
    else:
        result.append(_stage("开标", NOT_STARTED if trading else NOT_APPLICABLE, agency))

    # 专家抽取: names only from the 评审时间
    if not requests:
        result.append(_stage("专家抽取", NOT_STARTED if trading else NOT_APPLICABLE, None))
    else:
        lines, links, drawn_all = [], [], True
        for r in requests:
            count = (db.session.query(DrawnExpert.id)
                     .filter_by(request_id=r.id, role="正选").count())
            drawn_all = drawn_all and count > 0
            text = _("%(no)s（%(state)s）：评审时间 %(at)s", no=r.request_no, state=word(r.state),
                     at=_iso(r.review_at))
            if count:
                text += _("，已抽取 %(n)s 人", n=count)
                if now >= r.review_at:
                    names = [d.expert.name for d in db.session.query(DrawnExpert).filter_by(
                        request_id=r.id, role="正选").order_by(DrawnExpert.position)]
                    text += _("：%(names)s", names=_("、").join(names))
                else:
                    text += _("，结果将于评审时间公开")
            lines.append(text)
            links.append((r.request_no, f"/expert-requests/show/{r.id}"))
            if count:
                links.append((_("%(no)s 抽取结果", no=r.request_no), f"/expert-draw/{r.id}"))
        region = requests[0].region.name if requests[0].region else None
        result.append(_stage("专家抽取", DONE if drawn_all else RUNNING,
                             _("%(region)s监管部门", region=region) if region else None,
                             dates=[(_("评审时间"), min(r.review_at for r in requests))],
                             links=links, lines=lines))

    # 组建评委会 (committee.formed): members are the drawn experts, sealed alike
    if not committees:
        result.append(_stage("组建评委会", NOT_STARTED if trading else NOT_APPLICABLE, agency))
    else:
        every = lot_names and all(c in {r.lot_code for r in committees} for c in lot_names)
        lines = []
        for c in committees:
            name = lot_names.get(c.lot_code, c.lot_code)
            if _review_passed(requests, c.lot_code, now,
                              evaluating=reached >= PROJECT_STAGES.index("评标中")):
                members = member_text(c.members, chair=_("（组长）"), owner=_("（采购人代表）"),
                                      sep=_("、"))
                lines.append(_("%(lot)s：%(members)s", lot=name, members=members or "—"))
            else:
                lines.append(_("%(lot)s：已组建，名单于评审时间后显示", lot=name))
        result.append(_stage("组建评委会", DONE if every else RUNNING, agency,
                             dates=[(_("最近更新"), max(c.received_at for c in committees))],
                             lines=lines))

    # 评标 (project.status)
    if reached >= PROJECT_STAGES.index("评标结束"):
        state = DONE
    elif reached >= PROJECT_STAGES.index("评标中"):
        state = RUNNING
    else:
        state = NOT_STARTED if trading else NOT_APPLICABLE
    result.append(_stage("评标", state, agency, dates=[(_("开始评标"), received.get("评标中")),
                                                        (_("评标结束"), received.get("评标结束"))]))

    # 结果公告, 结果更正公告
    result.append(_notice_stage("结果公告", _published(notices, "结果公告"), agency or unit,
                                optional=False))
    result.append(_notice_stage("结果更正公告", _published(notices, "结果更正公告"),
                                agency or unit))

    # 合同公告及备案: the regulator reads filed contracts only (【合同备案查询】,
    # app/scope.py): one still with the unit (草稿, 待单位审核, 已退回) is the
    # unit's own business until its 备案.
    seen = [c for c in contracts if c.state == "已备案"]
    if not seen:
        result.append(_stage("合同公告及备案", NOT_STARTED, unit))
    else:
        result.append(_stage(
            "合同公告及备案", DONE, unit,
            dates=[(_("%(no)s 签订", no=c.filing_no), c.signed_on) for c in seen]
            + [(_("%(no)s 备案", no=c.filing_no), c.filed_at) for c in seen],
            links=[(f"{c.filing_no} {c.contract_name}", f"/contract-filings/show/{c.id}")
                   for c in seen],
            lines=[(_("%(no)s：补充合同，%(state)s，合同金额 %(amount)s 元", no=c.filing_no,
                      state=word(c.state), amount=f"{c.amount:,.2f}") if c.is_supplement
                    else _("%(no)s：%(state)s，合同金额 %(amount)s 元", no=c.filing_no,
                           state=word(c.state), amount=f"{c.amount:,.2f}")) for c in seen]))

    # 中标结果变更备案
    if not changes:
        result.append(_stage("中标结果变更备案", NOT_APPLICABLE, unit))
    else:
        result.append(_stage(
            "中标结果变更备案",
            DONE if all(w.state == "流程完成" for w in changes) else RUNNING, unit,
            dates=[(_("%(no)s 提交", no=w.filing_no), w.submitted_at) for w in changes]
            + [(_("%(no)s 完成", no=w.filing_no), w.completed_at) for w in changes],
            links=[(w.filing_no, f"/winner-changes/show/{w.id}") for w in changes],
            lines=[_("%(no)s：%(old)s → %(new)s（%(state)s）", no=w.filing_no,
                     old=w.original_supplier, new=w.new_supplier, state=word(w.state))
                   for w in changes]))

    # 终止: a published 终止公告, or the plan withdrawn
    ended = _published(notices, "终止公告")
    if ended:
        result.append(_notice_stage("终止", ended, agency or unit))
    elif plan.state == "已撤回":
        result.append(_stage("终止", DONE, unit, dates=[(_("计划撤回"), plan.withdrawn_at)],
                             links=[(plan.plan_no, f"/plans/show/{plan.id}")],
                             lines=[_("计划已撤回")]))
    else:
        result.append(_stage("终止", NOT_APPLICABLE, None))

    by_name = {s["name"]: s for s in result}
    for flag in flags(plan):
        by_name[flag["stage"]]["flags"].append(flag)
    return result


def _flag_stage(row: ProjectFlag) -> str:
    if row.flag_id in ("YJ01", "YJ02") and row.record_type == "LotStatus":
        return "招标文件/开评标配置"
    return FLAG_STAGE.get(row.flag_id, "计划备案/推送")


def _flag_link(row: ProjectFlag) -> str | None:
    """The page of the record that raised the flag, where GPS has one."""
    if not (row.record_id or "").isdigit():
        return None
    return {"Notice": "/notice-publish/notice/{}", "Contract": "/contract-filings/show/{}",
            "WinnerChange": "/winner-changes/show/{}", "ExpertRequest": "/expert-requests/show/{}",
            "Plan": "/plans/show/{}"}.get(row.record_type, "").format(row.record_id) or None


def flags(plan: Plan) -> list[dict]:
    """The 预警 of the plan (project_flag, kept by app/supervision.py)."""
    rows = (db.session.query(ProjectFlag).filter_by(plan_id=plan.id)
            .order_by(ProjectFlag.flag_id, ProjectFlag.id))
    found = []
    for row in rows:
        rule = by_id(row.flag_id)
        name, basis = (rule.name, rule.basis) if rule else (row.flag_id, "")
        found.append({"flag_id": row.flag_id, "name": name, "basis": basis,
                      "detail": row.detail, "raised_on": _iso(row.raised_on),
                      "record_type": row.record_type, "record_id": row.record_id,
                      "record_label": row.record_label, "url": _flag_link(row),
                      "stage": _flag_stage(row)})
    return found


# --- timeline ----------------------------------------------------------------------------

def _keys(plan: Plan, project) -> tuple[list[str], list[str]]:
    """The audit keys of the plan's records, and the inbox keys of its platform's messages."""
    code = project.project_code if project else None
    audit = {plan.plan_no}
    # Drafts are the unit's (or agency's) own until they are sent on: a
    # notice from its publication, a filing from its 提交.
    audit |= {k for (k,) in db.session.query(Notice.notice_key)
              .filter(Notice.plan_id == plan.id, Notice.state != "草稿")}
    # A contract's rows once it is filed: before its 备案 it is the unit's alone.
    audit |= {k for (k,) in db.session.query(Contract.filing_no)
              .filter_by(plan_id=plan.id, state="已备案")}
    audit |= {k for (k,) in db.session.query(WinnerChange.filing_no)
              .filter(WinnerChange.plan_id == plan.id, WinnerChange.state != "草稿")}
    inbox = set()
    if code:
        audit.add(code)
        audit |= {k for (k,) in db.session.query(ExpertRequest.request_no)
                  .filter(ExpertRequest.project_code == code, ExpertRequest.state != "草稿")}
        lots = [lot.code for lot in project.lots]
        inbox = {f"project:{code}"} | {f"lot_status:{c}" for c in lots} \
            | {f"committee:{c}" for c in lots}
        inbox |= {f"notice:{k}" for k in audit}
    return sorted(audit), sorted(inbox)


def _changed_parts(before: dict | None, after: dict) -> str:
    parts = []
    planning = ("doc_issue_start", "doc_issue_end", "bid_deadline", "open_time",
                "evaluation_method", "committee_size")
    if before is None or any(before.get(k) != after.get(k) for k in planning):
        if any(after.get(k) is not None for k in planning):
            parts.append(_("招标文件规划/开评标配置"))
    if (before or {}).get("objections", []) != after.get("objections", []):
        parts.append(_("项目质疑"))
    if (before or {}).get("bids", []) != after.get("bids", []):
        parts.append(_("开标记录"))
    return _("、").join(parts) or _("标段状态")


def _message_sentence(row: InboxMessage, payload: dict, before: dict | None,
                      lot_names: dict) -> str:
    def lot_label(code):
        return f"{lot_names[code]} {code}" if code in lot_names else code

    kind = row.type
    if kind == "project.accepted":
        return _("项目已受理，标段已推送（项目 %(code)s）", code=payload.get("project_code"))
    if kind == "project.updated":
        return _("项目及标段已更新（项目 %(code)s）", code=payload.get("project_code"))
    if kind == "project.status":
        return _("项目阶段变为“%(stage)s”", stage=word(payload.get("stage")))
    if kind == "project.info_changed":
        return _("立项信息已更正（项目 %(code)s）", code=payload.get("project_code"))
    if kind == "committee.formed":
        return _("评委会已更新（标段 %(lot)s）", lot=lot_label(payload.get("lot_code")))
    if kind == "lot.status":
        return _("%(what)s已更新（标段 %(lot)s）", what=_changed_parts(before, payload),
                 lot=lot_label(payload.get("lot_code")))
    if kind == "notice.online":
        return _("公告已在交易平台网站发布（%(key)s）", key=payload.get("notice_key"))
    return f"{kind}（{row.entity_key}）"


def timeline(session, plan: Plan, limit: int = TIMELINE_CAP) -> dict:
    """Who did what and when, newest first: {"events": [...], "total", "capped"}."""
    del session
    project = project_of(plan)
    audit_keys, inbox_keys = _keys(plan, project)
    lot_names = _lot_names(project)
    events = []
    audits = (db.session.query(AuditLog).filter(AuditLog.entity_key.in_(audit_keys))
              .order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit + 1).all())
    orgs = {o.id: o.name for o in db.session.query(Organisation).filter(
        Organisation.id.in_({a.organisation_id for a in audits if a.organisation_id}))}
    users = {u.id: u for u in db.session.query(OrgUser).filter(
        OrgUser.id.in_({a.user_id for a in audits if a.user_id}))}
    for row in audits:
        user = users.get(row.user_id)
        name = (f"{user.first_name or ''}{user.last_name or ''}".strip() or user.username) \
            if user else None
        # The action is a stored word (新增, 提交, …): shown in English where one exists.
        what = _("%(action)s（%(record)s %(key)s）", action=_(row.action) if row.action else "",
                 record=str(AUDITED.get(row.entity, row.entity)), key=row.entity_key)
        events.append({"at": row.at, "source": _("政府采购系统"), "user": name,
                       "organisation": orgs.get(row.organisation_id),
                       "text": what + (_("：") + row.detail if row.detail else "")})
    if inbox_keys:
        messages = (db.session.query(InboxMessage)
                    .filter(or_(InboxMessage.entity_key.in_(inbox_keys),
                                InboxMessage.entity_key.like(
                                    f"project-info:{project.project_code}:%")))
                    .order_by(InboxMessage.received_at, InboxMessage.id).all())
        platform = _platform_name(project.platform_code) or project.platform_code
        last = {}
        translated = []
        for row in messages:
            payload = json.loads(row.body).get("payload", {})
            if row.result != "已应用":
                continue
            text = _message_sentence(row, payload, last.get(row.entity_key), lot_names)
            last[row.entity_key] = payload
            translated.append({"at": row.received_at, "source": platform, "user": None,
                               "organisation": platform, "text": platform + _("：") + text})
        events += translated
    events.sort(key=lambda e: e["at"], reverse=True)
    total = len(events)
    shown = events[:limit]
    for event in shown:
        event["at"] = _iso(event["at"])
    return {"events": shown, "total": total, "capped": total > limit}
