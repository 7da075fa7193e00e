"""【专家管理】→【专家抽取申请】 (GPS manual §3): the list, 【新增】 with
“选择项目” → 【确定】, 标段, 专家需求 and 回避单位, 【保存】/【提交】, the show
page with its approval records, and the region's 监管初审岗's review.

The form is hand-made (rows of 专家需求 and 回避单位 are not one column each)
and needs no script: “选择项目” is a page of its own whose 【确定】 comes back
to the form with the project, and 【增加行】 posts the form back with more
blank rows. app/expert_requests.py checks and saves what was typed.
"""
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy.orm import joinedload, selectinload

from ..common.counting import CappedCount, capped_count
from ..common.typed_filters import TypedInterface
from ... import expert_requests
from ...audit import record
from ...extensions import db
from ...models import PROCUREMENT_METHODS, ExpertRequest, Plan, ProjectReplica
from ...scope import ExpertRequestScope
from ...workflows.engine import Refused, take
from ...workflows.expert_request import ExpertRequestChain
from ..common import formatting
from ..common.approval import ApprovalViews
from ..common.validation import DATE_MAX, DATE_MIN
from ..common.base import (API_VERBS, PAGE_SIZE, ReadWriteApi, ReadWriteModelView,
                           requested_page, text, when, yuan)

LABELS = {
    "request_no": _("申请编号"),
    "project_name": _("项目名称"),
    "project_no": _("项目编号"),
    "project_code": _("互联互通项目"),
    "platform_code": _("推送交易平台"),
    "lot_code": _("标段编号"),
    "lot_name": _("标段"),
    "procurement_method": _("采购方式"),
    "budget": _("预算金额（元）"),
    "purchaser_name": _("采购单位"),
    "purchaser_credit_code": _("采购单位统一社会信用代码"),
    "unit": _("采购单位"),
    "agency": _("代理机构"),
    "region": _("所属区划"),
    "review_at": _("评审时间"),
    "review_place": _("评审地点"),
    "duration_hours": _("预计评审时长（小时）"),
    "remote_review": _("异地评审"),
    "expert_region": _("专家抽取地区"),
    "state": _("状态"),
    "submitted_at": _("提交时间"),
    "approved_at": _("审核通过时间"),
    "last_opinion": _("退回意见"),
    "release_state": _("抽取状态"),
    "created_by": _("填报人"),
    "created_on": _("填报时间"),
}

BLANK_ROWS = 5  # blank 专家需求 / 回避单位 rows the form offers; 【增加行】 adds more
MAX_FORM_ROWS = 20
FIELDS = ("project_code", "project_name", "project_no", "lot_code", "lot_name",
          "procurement_method", "budget", "purchaser_unit_id", "review_at", "review_place",
          "duration_hours", "remote_review", "expert_region_code")


def _user_org():
    return getattr(g.user, "organisation", None)


def _typed() -> dict:
    """What the form posted, as expert_requests.check() reads it."""
    form = request.form
    data = {name: form.get(name, "") for name in FIELDS}
    data["needs"] = [{"speciality_code": s, "count": c, "reserve_count": r}
                     for s, c, r in zip(form.getlist("need_speciality")[:MAX_FORM_ROWS * 2],
                                        form.getlist("need_count"),
                                        form.getlist("need_reserve"))]
    data["recusals"] = [{"unit_name": n, "credit_code": c, "kind": k}
                        for n, c, k in zip(form.getlist("recusal_name")[:MAX_FORM_ROWS * 2],
                                           form.getlist("recusal_code"),
                                           form.getlist("recusal_kind"))]
    return data


def _of_item(item: ExpertRequest) -> dict:
    """The form's values for a saved application."""
    data = {name: getattr(item, name, None) for name in FIELDS}
    data.update(
        purchaser_unit_id=str(item.unit_id or ""),
        review_at=item.review_at.strftime("%Y-%m-%dT%H:%M") if item.review_at else "",
        budget="" if item.budget is None else f"{item.budget:.2f}",
        duration_hours="" if item.duration_hours is None else f"{item.duration_hours}",
        remote_review="y" if item.remote_review else "")
    data["needs"] = [{"speciality_code": n.speciality_code, "count": str(n.count),
                      "reserve_count": str(n.reserve_count)} for n in item.needs]
    data["recusals"] = [{"unit_name": r.unit_name, "credit_code": r.credit_code or "",
                         "kind": r.kind} for r in item.recusal_units if r.kind != "采购人"]
    return {k: ("" if v is None else v) for k, v in data.items()}


def _padded(rows: list, extra: int = 0) -> list:
    """The rows typed, then blank ones: at least BLANK_ROWS in all and one
    spare, up to MAX_FORM_ROWS."""
    total = min(max(len(rows) + 1, BLANK_ROWS) + extra, MAX_FORM_ROWS)
    return rows[:MAX_FORM_ROWS] + [{}] * max(0, total - len(rows))


def _speciality_options():
    return [(s.code, "　" * (s.path.count("/") - 1) + str(s))
            for s in expert_requests.specialities()]


class ExpertRequestView(ApprovalViews, ReadWriteModelView):
    datamodel = CappedCount(ExpertRequest)
    chain = ExpertRequestChain
    class_permission_name = "ExpertRequest"
    extra_args = {"history_entity": "ExpertRequest"}  # 【历史】 on the detail page
    method_permission_name = {**ReadWriteModelView.method_permission_name,
                              "choose_project": "create", "submit": "submit",
                              "review": "review"}
    route_base = "/expert-requests"
    list_template = "expert_request/list.html"
    own_add_button = True  # its 【新增】/【增加】 above the list
    hide_refused_buttons = True
    show_template = "expert_request/show.html"
    review_template = "expert_request/review.html"

    list_title = _("专家抽取申请")
    show_title = _("专家抽取申请详情")
    add_title = _("新增专家抽取申请")
    edit_title = _("修改专家抽取申请")

    label_columns = LABELS
    list_columns = ["request_no", "project_name", "lot_name", "purchaser_name", "review_at",
                    "state", "release_state", "submitted_at"]
    show_fieldsets = [
        (_("项目信息"), {"fields": ["request_no", "project_name", "project_no", "lot_name",
                                  "lot_code", "platform_code", "procurement_method", "budget",
                                  "purchaser_name", "agency", "region"]}),
        (_("评审信息"), {"fields": ["review_at", "review_place", "duration_hours",
                                  "remote_review", "expert_region"]}),
        (_("办理情况"), {"fields": ["state", "submitted_at", "approved_at", "last_opinion",
                                  "release_state", "created_by", "created_on"]}),
    ]
    # Plain columns only: FAB's search form would load whole related tables.
    search_columns = ["request_no", "project_name", "project_no", "purchaser_name",
                      "review_at", "state"]
    base_order = ("id", "desc")
    base_filters = [["id", ExpertRequestScope, None]]
    formatters_columns = {"review_at": when, "submitted_at": when, "approved_at": when,
                          "created_on": when, "last_opinion": text, "budget": yuan,
                          "platform_code": lambda code: (formatting.platform_name(code) if code
                                                         else gettext("未选择项目（手工填写，不推送）"))}

    def edit_refusal(self, item):
        return expert_requests.edit_refusal(item)

    # --- 选择项目 ---------------------------------------------------------------

    @expose("/choose-project", methods=["GET"])
    @has_access
    def choose_project(self):
        """The user's interconnected projects; 【确定】 goes back to the form
        (新增, or the application being edited: ?pk=)."""
        pk = request.args.get("pk", "")
        if pk and (not re.fullmatch(r"[0-9]{1,9}", pk)
                   or self.datamodel.get(pk, self._base_filters) is None):
            abort(404)
        search = (request.args.get("q") or "").strip()[:100]
        query = expert_requests.projects_for(g.user, search)
        total = capped_count(query)  # a unit's or a city's, at a province's volume
        page, pages = requested_page(total)
        # Each row shows its plan's unit and 采购方式 and its lots: read with the page.
        rows = (query.options(joinedload(ProjectReplica.plan).joinedload(Plan.unit),
                              selectinload(ProjectReplica.lots))
                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).all())
        back = url_for(".edit", pk=pk) if pk else url_for(".add")
        return self.render_template("expert_request/choose_project.html", title=_("选择项目"),
                                    rows=rows, total=total, page=page, pages=pages,
                                    search=search, pk=pk, back=back)

    # --- the form -----------------------------------------------------------------

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return self._form(None)

    def edit_page(self, pk, item):
        return self._form(item)

    def _form(self, item):
        org = _user_org()
        if org is None or org.org_type not in expert_requests.APPLICANT_TYPES:
            flash(gettext("只有采购单位或代理机构可以填报专家抽取申请"), "warning")
            return redirect(url_for(".list"))
        errors, extra = {}, 0
        if request.method == "POST":
            data = _typed()
            action = request.form.get("action")
            if action == "增加行":
                extra = BLANK_ROWS
            else:
                response, errors = self._save(item, data, submit=action == "提交")
                if response is not None:
                    return response
        else:
            data = _of_item(item) if item is not None else {"needs": [], "recusals": []}
            if request.args.get("manual"):  # 改为手工填写: the project is no longer chosen
                data.update(project_code="", lot_code="")
            chosen = request.args.get("project")
            if chosen is not None:
                project = expert_requests.project_for(g.user, chosen)
                if project is None:
                    flash(gettext("所选项目不存在或不在您的可见范围内，请重新选择项目"), "danger")
                    return redirect(url_for(".choose_project", pk=item.id if item else ""))
                data.update(project_code=project.project_code,
                            project_name=project.project_name,
                            project_no=project.project_code, lot_code="",
                            expert_region_code=data.get("expert_region_code")
                            or project.plan.region_code)
        project = expert_requests.project_for(g.user, data.get("project_code"))
        if data.get("project_code") and project is None and "project_code" not in errors:
            errors["project_code"] = "所选项目不存在或不在您的可见范围内，请重新选择项目"
        if not data.get("expert_region_code"):
            data["expert_region_code"] = (project.plan.region_code if project
                                          else org.region_code)
        purchaser = (project.plan.unit if project else
                     org if org.org_type == "采购单位" else None)
        return self.render_template(
            "expert_request/form.html", title=self.edit_title if item else self.add_title,
            item=item, data=data, errors=errors, project=project, org=org,
            purchaser=purchaser, methods=PROCUREMENT_METHODS,
            units=(expert_requests.purchaser_units(org).all()
                   if org.org_type == "代理机构" and project is None else []),
            regions=expert_requests.regions().all(), specialities=_speciality_options(),
            need_rows=_padded(data.get("needs") or [], extra),
            recusal_rows=_padded(data.get("recusals") or [], extra),
            choose_url=url_for(".choose_project", pk=item.id if item else ""),
            # Bounded like every datetime-local field (NativeInput), so the
            # browser stops a year at four digits instead of taking 202612.
            review_min=f"{DATE_MIN:%Y-%m-%d}T00:00", review_max=f"{DATE_MAX:%Y-%m-%d}T23:59")

    def _save(self, item, data, submit):
        """(redirect, {}) when saved, else (None, errors); nothing is written
        on errors."""
        clean, errors = expert_requests.check(data, g.user)
        if errors:
            db.session.rollback()
            return None, errors
        if item is not None and clean.get("project_code") is None \
                and _user_org().org_type == "采购单位":
            clean["agency_id"] = item.agency_id  # an agency's hand entry stays in its sight
        seen = request.form.get("version")
        # A missing version is refused too (as a contract's): it would
        # overwrite changes the sender never saw.
        if item is not None and seen != str(item.version):
            db.session.rollback()
            return None, {"version": f"“{item}”已被他人修改，请刷新页面后重新填写"}
        saved = expert_requests.save(clean, g.user, item)
        db.session.commit()
        if not submit:
            flash(gettext("“%(item)s”已保存", item=saved), "success")
            return redirect(url_for(".show", pk=saved.id)), {}
        try:
            take(self.chain, saved, "submit", g.user)
        except Refused as refused:
            flash(gettext("已保存，但未能提交：%(reason)s", reason=refused), "danger")
        else:
            flash(gettext("“%(item)s”已提交，等待监管初审岗审核", item=saved), "success")
        return redirect(url_for(".show", pk=saved.id)), {}

    def delete_refusal(self, item):
        return expert_requests.delete_refusal(item)

    def pre_delete(self, item):
        if refusal := self.delete_refusal(item):
            raise ValueError(refusal)

    def post_delete(self, item):
        record(g.user, "删除", item)
        db.session.commit()


class ExpertRequestApi(ReadWriteApi):
    """Read-only: an application is filed through its form (rows of needs
    and 回避单位), reviewed in 【待办任务】."""

    resource_name = "expert_request"
    datamodel = TypedInterface(ExpertRequest)
    class_permission_name = "ExpertRequest"
    method_permission_name = API_VERBS
    include_route_methods = {"get", "get_list", "info"}
    base_filters = [["id", ExpertRequestScope, None]]
    base_order = ("id", "desc")
    label_columns = LABELS
    list_columns = ["id", "request_no", "project_code", "project_name", "project_no",
                    "lot_code", "lot_name", "purchaser_name", "review_at", "state",
                    "release_state", "submitted_at", "approved_at", "version"]
    show_columns = list_columns + [
        "procurement_method", "budget", "review_place", "duration_hours", "remote_review",
        "expert_region_code", "region_code", "last_opinion",
        "needs.speciality_code", "needs.count", "needs.reserve_count",
        "recusal_units.kind", "recusal_units.unit_name", "recusal_units.credit_code"]
    search_columns = ["request_no", "project_name", "state"]
