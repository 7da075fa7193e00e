"""The review page (【进入审批】 → 审批结果, 审批意见, 【审核】) shared by every
model view whose records move along an approval chain.

A view mixes in ApprovalViews and names its chain; 【待办任务】 finds such
views to link each waiting item to its review page.
"""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import Length

from ...workflows.engine import Refused, take, timeline

RESULTS = {"通过": "approve", "退回": "reject"}


class ReviewForm(FlaskForm):
    result = RadioField(_("审批结果"), choices=[("通过", _("通过")), ("退回", _("退回"))],
                        default="通过")
    opinion = TextAreaField(_("审批意见"), validators=[Length(max=500)],
                            description=_("退回时必须填写审批意见"))
    version = HiddenField()


class ApprovalViews:
    """Mixin for a ModelView: /review/<pk> and the timeline on the show page."""

    chain = None  # the workflows.engine.Chain subclass
    review_template = "approval/review.html"

    def timeline(self, item):
        return timeline(self.chain.key, item.id)

    def _scoped(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

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
                flash(f"“{item}”已{form.result.data}，当前状态：{item.state}", "success")
                return redirect(url_for("TodoView.list"))
        return self.render_template(
            self.review_template, title=_("审核") + " · " + self.chain.title, pk=pk,
            item=item, form=form, records=self.timeline(item), widgets=self._show(pk),
            may_act=self.chain.may_act(g.user, item))
