"""What every model view whose records move along an approval chain shares:
the show page with its timeline, 【提交】, and the review page (【进入审批】 →
审批结果, 审批意见 → 【审核】).

A view mixes in ApprovalViews, names its chain and says when an item may be
edited; 【待办任务】 finds such views to link each waiting item.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import Length

from .stored_words import word
from ...workflows.engine import OpinionRefused, Refused, take, timeline

RESULTS = {"通过": "approve", "退回": "reject"}


class ReviewForm(FlaskForm):
    result = RadioField(_("审批结果"), choices=[("通过", _("通过")), ("退回", _("退回"))],
                        default="通过")
    opinion = TextAreaField(_("审批意见"), validators=[Length(max=500)],
                            description=_("退回时必须填写审批意见"))
    version = HiddenField()


class ApprovalViews:
    """Mixin for a ReadWriteModelView (put it first): /show, /review/<pk>,
    【提交】. The view's edit_refusal() also decides whether 修改 is offered."""

    chain = None  # the workflows.engine.Chain subclass
    show_template = "approval/show.html"
    review_template = "approval/review.html"

    def timeline(self, item):
        return timeline(self.chain.key, item.id)

    def consequences(self, item) -> dict:
        """审批结果 → what the confirmation dialog says it does: where the
        item goes next, and that the decision stays on record."""
        said = {}
        state = next((s for s in self.chain.states if s.value == item.state), None)
        for transition in (state.transitions if state else ()):
            target = transition.target.value
            actor = self.chain.next_actor(target)
            if transition.event == "approve":
                said["通过"] = (f"审核通过后，该事项将变为“{target}”，由{actor.role}审核。"
                              if actor else f"审核通过后，该事项将变为“{target}”，审批流程结束。")
            elif transition.event == "reject":
                said["退回"] = f"退回后，该事项将变为“{target}”，由{actor.role}修改后重新提交。"
        return {result: text + "审批结果和审批意见将记入审批记录，不能修改或撤回。"
                for result, text in said.items()}

    def _chain_context(self, item) -> dict:
        return {"item": item, "records": self.timeline(item), "chain_title": self.chain.title,
                "consequences": self.consequences(item),
                "may_review": self.chain.may_take(g.user, item, "approve"),
                "may_edit": (self.edit_refusal(item) is None
                             and self.appbuilder.sm.has_access("can_edit",
                                                               self.class_permission_name))}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        item = self._scoped(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk, item),
            related_views=self._related_views, **self._chain_context(item))

    @expose("/review/<pk>", methods=["GET", "POST"])
    @has_access
    def review(self, pk):
        item = self._scoped(pk)
        form = ReviewForm(version=item.version)
        if request.method == "POST" and form.validate_on_submit():
            try:
                take(self.chain, item, RESULTS.get(form.result.data, ""), g.user,
                     opinion=form.opinion.data, seen_version=form.version.data)
            except Refused as refused:
                flash(str(refused), "danger")
            else:
                flash(gettext("“%(item)s”已%(result)s，当前状态：%(state)s", item=item,
                              result=word(form.result.data), state=word(item.state)), "success")
                return redirect(url_for("TodoView.list"))
        elif request.method == "POST":
            # WTForms' own messages are English and the radio list shows none.
            said = {"result": "请选择审批结果（通过或退回）", "opinion": "审批意见不能超过500个字",
                    "csrf_token": "页面已过期，请刷新页面后重新审核"}
            for name in form.errors:
                flash(said.get(name, "审核内容有误，请检查后重新提交"), "danger")
        return self.render_template(
            self.review_template, title=_("审核") + " · " + self.chain.title, pk=pk,
            form=form, widgets=self._show(pk, item), related_views=self._related_views,
            **self._chain_context(item))

    # A list action (as the manuals have it: tick, then 【提交】), not a
    # show-page button that would also appear on items under review.
    @action("submit", _("提交"), _("提交后进入审核，审核期间不能修改或删除。"),
            "fa-paper-plane", multiple=True, single=False)
    def submit(self, items):
        items = items if isinstance(items, list) else [items]
        for item in items:
            # FAB's action endpoint loads rows without base_filters.
            scoped = item and self.datamodel.get(item.id, self._base_filters)
            if scoped is None:
                abort(404)
            try:
                take(self.chain, scoped, "submit", g.user)
            except Refused as refused:
                flash(str(refused), "danger")
            else:
                actor = self.chain.next_actor(scoped.state)
                flash(gettext("“%(item)s”已提交，等待%(role)s审核", item=scoped, role=actor.role),
                      "success")
        return redirect(request.referrer or url_for(".list"))


# Permission verbs of ApprovalApi's endpoints, for the API's method_permission_name.
APPROVAL_API_VERBS = {"submit": "submit", "review": "review", "records": "read"}


class ApprovalApi:
    """Mixin for a ReadWriteApi (put it first): /<pk>/submit, /<pk>/review and
    /<pk>/records, checked by the chain exactly as the pages are."""

    chain = None  # the workflows.engine.Chain subclass

    def _scoped(self, pk):
        return self.datamodel.get(pk, self._base_filters)

    @api_expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    def submit(self, pk):
        return self._take(pk, "submit", "", None)

    @api_expose("/<int:pk>/review", methods=["POST"])
    @protect()
    @safe
    def review(self, pk):
        """Body: {"result": "通过"|"退回", "opinion": "...", "version": n}."""
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}  # a list, a string, a number: no result
        result = body.get("result")
        if not isinstance(result, str) or result not in RESULTS:
            return self.response_422(message={"result": "审批结果只能是“通过”或“退回”"})
        opinion = body.get("opinion") or ""
        if not isinstance(opinion, str) or len(opinion) > 500:
            return self.response_422(message={"opinion": "审批意见须为不超过500字的文本"})
        return self._take(pk, RESULTS[result], opinion, body.get("version"))

    @api_expose("/<int:pk>/records", methods=["GET"])
    @protect()
    @safe
    def records(self, pk):
        """The item's approval records, oldest first."""
        item = self._scoped(pk)
        if item is None:
            return self.response_404()
        return self.response(200, result=[
            {"step": r.step, "result": r.result, "opinion": r.opinion, "user": r.user_name,
             "role": r.role, "organisation": r.organisation_name,
             "at": r.at.isoformat(timespec="seconds")}
            for r in timeline(self.chain.key, item.id)])

    def _take(self, pk, event, opinion, version):
        item = self._scoped(pk)
        if item is None:
            return self.response_404()
        try:
            take(self.chain, item, event, g.user, opinion=opinion, seen_version=version)
        except OpinionRefused as refused:
            return self.response_422(message={"opinion": str(refused)})
        except Refused as refused:
            return self.response(409, message=str(refused))
        return self.response(200, message=f"当前状态：{item.state}", state=item.state,
                             version=item.version)
