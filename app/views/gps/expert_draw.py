"""The draw page of an approved 专家抽取申请: /expert-draw/<request_id>.

The region's regulators press 【抽取】, record each call, 【补抽】 and
【验证】. The applicant and its agency open the same page and, before the
评审时间, see only “已抽取 N 人，结果将于评审时间推送”; from it, the names,
specialities and work units (never a 身份证号 or mobile number).
"""
import datetime as dt
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _

from ... import expert_draw
from ...extensions import db
from ...models import DrawnExpert, ExpertDraw, ExpertNeed, ExpertRequest

PERMISSIONS = {"show": "read", "verify": "draw", "draw": "draw", "supplement": "draw",
               "attendance": "draw"}


def _request_or_404(request_id: int) -> ExpertRequest:
    item = db.session.get(ExpertRequest, request_id)
    # Out of scope looks the same as absent: no probing for other units' numbers.
    if item is None or not expert_draw.may_open(g.user, item):
        abort(404)
    return item


def _rows(item: ExpertRequest, names: bool) -> list[dict]:
    """Per need row: 正选 and 备选 in order (names only when visible)."""
    drawn = db.session.query(DrawnExpert).filter_by(request_id=item.id).all()
    rows = []
    for need in item.needs:
        mine = [d for d in drawn if d.need_id == need.id]
        main = sorted((d for d in mine if d.role == "正选"), key=lambda d: d.position)
        coming = sum(1 for d in main if d.attendance not in expert_draw.DECLINED)
        rows.append({
            "need": need, "main": main,
            "spare": sorted((d for d in mine if d.role == "备选"), key=lambda d: d.position),
            # Declines past the reserves leave the panel short until a 补抽.
            "short": max(need.count - coming, 0) if mine else 0, "coming": coming,
        } if names else {"need": need})
    return rows


class ExpertDrawView(BaseView):
    route_base = "/expert-draw"
    class_permission_name = "ExpertDraw"
    method_permission_name = PERMISSIONS
    list_title = _("专家抽取")  # how 角色 and 功能 pages name this view
    default_view = "show"

    def _page(self, item: ExpertRequest, verification=None, verified_draw=None,
              supplement_form=None):
        user = g.user
        now = dt.datetime.now()
        names = expert_draw.visible(item, user, now)
        operator = expert_draw.operates(user, item)
        return self.render_template(
            "expert_draw/show.html", title=_("专家抽取"), item=item, names=names,
            operator=operator, may_mark=operator and names,
            show_mobile=operator and names, rows=_rows(item, names),
            mobile=lambda drawn: expert_draw.shown_mobile(drawn, item, user),
            summary=expert_draw.sealed_summary(item), draws=list(item.draws),
            refusal=expert_draw.draw_refusal(item, user, now) if operator else None,
            verification=verification, verified_draw=verified_draw,
            interconnected=expert_draw.interconnected(item),
            supplement_form=supplement_form or {}, marks=expert_draw.MARKS,
            confirm_draw=("抽取后不能撤销：随机种子、专家池和结果将被记录；结果在评审时间前"
                          "只有您可见，到评审时间自动推送交易平台。"))

    @expose("/<int:request_id>")
    @has_access
    def show(self, request_id):
        return self._page(_request_or_404(request_id))

    @expose("/<int:request_id>/draw", methods=["POST"])
    @has_access
    def draw(self, request_id):
        item = _request_or_404(request_id)
        try:
            expert_draw.draw(item, g.user)
            flash(str(_("抽取完成，结果已记录")), "success")
        except expert_draw.Refusal as refusal:
            flash(str(refusal), "danger")
        return redirect(url_for(".show", request_id=request_id))

    @expose("/<int:request_id>/supplement", methods=["POST"])
    @has_access
    def supplement(self, request_id):
        item = _request_or_404(request_id)
        need = None
        need_id = request.form.get("need_id", "")
        if re.fullmatch(r"[0-9]{1,9}", need_id):
            need = db.session.get(ExpertNeed, int(need_id))
        try:
            expert_draw.supplement(item, need, request.form.get("count", ""),
                                   request.form.get("reason", ""), g.user)
            flash(str(_("补抽完成，结果已记录")), "success")
        except expert_draw.Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "danger")
            return self._page(item, supplement_form=request.form), 400
        return redirect(url_for(".show", request_id=request_id))

    @expose("/<int:request_id>/attendance/<int:drawn_id>", methods=["POST"])
    @has_access
    def attendance(self, request_id, drawn_id):
        item = _request_or_404(request_id)
        drawn = db.session.get(DrawnExpert, drawn_id)
        if drawn is None or drawn.request_id != item.id:
            abort(404)
        try:
            promoted = expert_draw.mark_attendance(drawn, request.form.get("attendance", ""),
                                                   g.user, request.form.get("remark"))
            if promoted is not None:
                flash(str(_("已记录通知结果，备选专家已递补为正选")), "success")
            elif (drawn.attendance in expert_draw.DECLINED
                  and expert_draw.short_of(drawn.need)):
                flash(str(_("已记录通知结果；该专业已无备选专家递补，正选专家不足，请【补抽】")),
                      "warning")
            else:
                flash(str(_("已记录通知结果")), "success")
        except expert_draw.Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "danger")
        return redirect(url_for(".show", request_id=request_id))

    @expose("/<int:request_id>/verify/<int:draw_id>")
    @has_access
    def verify(self, request_id, draw_id):
        item = _request_or_404(request_id)
        found = db.session.get(ExpertDraw, draw_id)
        if found is None or found.request_id != item.id:
            abort(404)
        if not expert_draw.operates(g.user, item):
            flash(str(_("只有该申请所在地区（或上级）的监管部门可以验证抽取")), "danger")
            return redirect(url_for(".show", request_id=request_id))
        if not expert_draw.visible(item, g.user):
            # The seed and the pool replay the draw: sealed like its result.
            flash(str(_("抽取记录封存至评审时间，届时可验证")), "danger")
            return redirect(url_for(".show", request_id=request_id))
        return self._page(item, verification=expert_draw.verify(found), verified_draw=found)
