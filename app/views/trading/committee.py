"""【项目管理】→【组建评委会】: per lot, the experts GPS pushed at the 评审时间,
the 采购人代表 the agency adds (with a 授权书), replacements from the synced
reserves, the 评审组长, and the live composition check (app/committee.py).

Only the lot's agency (its project's 代理机构) changes a committee; the
region's 中心业务科室 reads; anyone else is answered 404 by the scope filter.
The project's 技术复杂 / 社会影响较大 (7人以上, 87号令第四十七条) are set here,
on the committee page, where they matter.
"""
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _

from ..common.counting import CappedCount
from ... import attachments
from ... import committee as domain
from ...extensions import db
from ...models import CommitteeMember, Lot
from ...rules import committee as rules
from ...scope import ProjectScope
from ..common.base import VIEW_VERBS, ReadWriteModelView, text
from .lot_settings.common import LOT_LABELS, AcceptedLots

# rules/committee.py is pure: the bodies' names, as the page says them.
BODY_NAMES = {"评标委员会": _("评标委员会"), "竞争性谈判小组": _("竞争性谈判小组"),
              "询价小组": _("询价小组"), "磋商小组": _("磋商小组"), "评审小组": _("评审小组")}

WRITES = ("add_owner_rep", "remove_owner_rep", "replace", "set_chair", "set_flags")
CONFIRMATIONS = {
    "replace": _("该专家将记为“已替换”（缺席），所选备选专家进入评委会；替换结果将同步至政府采购系统，不能撤销。"),
    "remove_owner_rep": _("该采购人代表将从评委会中删除。"),
}


def _status(lot_id):
    lot = db.session.get(Lot, lot_id)
    return domain.status(lot) if lot is not None else ""


def _received(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else text(None)


class CommitteeView(ReadWriteModelView):
    datamodel = CappedCount(Lot)
    class_permission_name = "Committee"
    method_permission_name = {**VIEW_VERBS, "authorization": "read",
                              **{name: "edit" for name in WRITES}}
    base_permissions = ["can_read", "can_edit"]
    # Only these pages: can_edit here is about the committee, never FAB's
    # edit form of the lot itself.
    include_route_methods = {"list", "show", "authorization", *WRITES}
    route_base = "/committee"
    show_template = "committee/show.html"
    list_title = _("组建评委会")
    show_title = _("组建评委会")
    label_columns = {**LOT_LABELS, "experts_received_at": _("收到专家时间"),
                     "id": _("评委会状态"), "project.procurement_method": _("采购方式")}
    # "id" stands for the committee's status (a lot has no such column; the
    # status is worked out from its members, app/committee.py status()).
    list_columns = ["code", "name", "project", "project.procurement_method",
                    "experts_received_at", "id"]
    # 评委会状态 is worked out per lot, not sorted by the lot's id.
    order_columns = ["code", "name", "experts_received_at"]
    show_columns = ["project", "code", "name", "budget", "experts_received_at"]
    search_columns = ["code", "name", "project"]
    base_filters = [["id", AcceptedLots, None]]
    base_order = ("id", "desc")  # newest lots first
    search_form_query_rel_fields = {"project": [["id", ProjectScope, None]]}
    searched_relations = {"project": ("project_code", "project_name")}
    formatters_columns = {"experts_received_at": _received, "id": _status}

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            lot = self.datamodel.get(kwargs["pk"], self._base_filters)
            if lot is not None:
                kwargs.update(self._committee(lot))
        return super().render_template(template, **kwargs)

    @staticmethod
    def _committee(lot) -> dict:
        project = lot.project
        return {
            "lot": lot, "project": project,
            "members": domain.members(lot), "reserves": domain.reserves(lot),
            "refusals": domain.refusals(lot), "lock_reason": domain.lock_reason(lot),
            "flags_lock": domain.flags_lock(lot),
            "waiting_note": domain.WAITING_NOTE,
            "body_name": BODY_NAMES.get(rules.body_name(project.procurement_method),
                                        rules.body_name(project.procurement_method)),
            "minimum": rules.minimum(project.procurement_method, project.budget,
                                     project.technically_complex, project.wide_impact),
            "confirmations": CONFIRMATIONS,
        }

    # --- the agency's actions -----------------------------------------------------

    def _member(self, member_id) -> CommitteeMember:
        member = db.session.get(CommitteeMember, member_id)
        if member is None:
            abort(404)
        self._scoped(member.lot_id)  # in the user's scope, or 404
        return member

    def _done(self, lot_id, call, success):
        """Run a domain call; a refusal is flashed and nothing is kept."""
        if request.method != "POST":
            return redirect(url_for(".show", pk=lot_id))
        try:
            message = call()
            db.session.commit()
        except domain.Refusal as refused:
            db.session.rollback()
            flash(str(refused), "danger")
        else:
            flash(message or success, "success")
        return redirect(url_for(".show", pk=lot_id))

    @expose("/add_owner_rep/<int:pk>", methods=["GET", "POST"])
    @has_access
    def add_owner_rep(self, pk):
        """【添加采购人代表】: 姓名, 工作单位, 授权书 (PDF)."""
        lot = self._scoped(pk)

        def call():
            filename, data = attachments.read_upload(request.files.get("authorization"))
            member = domain.add_owner_rep(lot, request.form.get("name"),
                                          request.form.get("work_unit"), filename, data, g.user)
            return f"已添加采购人代表{member.name}，将同步至政府采购系统"
        return self._done(lot.id, call, "")

    @expose("/remove_owner_rep/<int:member_id>", methods=["GET", "POST"])
    @has_access
    def remove_owner_rep(self, member_id):
        member = self._member(member_id)
        lot_id = member.lot_id

        def call():
            domain.remove_owner_rep(member, g.user)
            return f"已删除采购人代表{member.name}"
        return self._done(lot_id, call, "")

    @expose("/replace/<int:member_id>", methods=["GET", "POST"])
    @has_access
    def replace(self, member_id):
        """【替换】 an absent expert with a chosen reserve of the same lot."""
        member = self._member(member_id)

        def call():
            chosen = request.form.get("reserve", "")
            reserve = (db.session.get(CommitteeMember, int(chosen))
                       if re.fullmatch(r"[0-9]{1,9}", chosen) else None)
            if reserve is None:
                raise domain.Refusal("请选择替换的备选专家")
            seated = domain.replace(member, reserve, g.user)
            return f"{member.name}缺席，已由备选专家{seated.name}替换，将同步至政府采购系统"
        return self._done(member.lot_id, call, "")

    @expose("/set_chair/<int:member_id>", methods=["GET", "POST"])
    @has_access
    def set_chair(self, member_id):
        """【设为评审组长】."""
        member = self._member(member_id)

        def call():
            domain.set_chair(member, g.user)
            return f"已将{member.name}设为评审组长"
        return self._done(member.lot_id, call, "")

    @expose("/set_flags/<int:pk>", methods=["GET", "POST"])
    @has_access
    def set_flags(self, pk):
        """技术复杂 / 社会影响较大 of the lot's project."""
        lot = self._scoped(pk)

        def call():
            domain.set_flags(lot, request.form.get("technically_complex") == "y",
                             request.form.get("wide_impact") == "y", g.user)
            return "已保存项目情形"
        return self._done(lot.id, call, "")

    @expose("/authorization/<int:member_id>")
    @has_access
    def authorization(self, member_id):
        """The 采购人代表's 授权书, for those who see the lot."""
        member = self._member(member_id)
        if member.authorization is None:
            abort(404)
        return attachments.send(member.authorization)

