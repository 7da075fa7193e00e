"""What every 【项目管理】 page after 受理通过 shares: labels, scope filters,
LotSectionView and its REST twin LotSectionApi. The rules are in
app/lot_settings.py; these views only ask them and say no in the form
(inline, or flashed) or as a 422 on REST.
"""

import datetime as dt
from types import SimpleNamespace
from flask import g, request
from flask_babel import lazy_gettext as _
from sqlalchemy import select
from wtforms.validators import StopValidation, ValidationError

from .... import lot_settings as rules
from ....audit import record
from ....extensions import db
from ....models import Lot, TradingProject
from ....scope import ScopeFilter, current_user, lot_clause, project_clause
from ...common.base import VIEW_VERBS, ReadWriteApi, ReadWriteModelView, Rejected



LOT_LABELS = {
    "project": _("所属项目"), "code": _("标段编号"), "name": _("标段名称"),
    "budget": _("标段预算（元）"), "max_price": _("最高限价（元）"), "doc_fee": _("文件费（元）"),
    "bid_bond": _("投标保证金（元）"), "service_fee": _("平台服务费（元）"),
    "notice_received_at": _("收到采购公告时间"), "doc_issue_start": _("文件获取开始时间"),
    "doc_issue_end": _("文件获取截止时间"), "bid_deadline": _("投标截止时间"),
    "open_time": _("开标时间"), "evaluation_method": _("评标办法"),
    "committee_size": _("评委会人数"),
}
ITEM_LABELS = {
    "lot": _("标段(包)"), "category": _("评分类别"), "name": _("名称"), "weight": _("权重"),
    "criteria": _("评分细则"), "requirement": _("审查要求"),
    "objector": _("质疑人"), "known_on": _("知道或应知权益受损日期"),
    "received_on": _("收到质疑日期"), "content": _("质疑内容"), "reply": _("答复内容"),
    "reply_date": _("答复日期"), "bidder": _("投标人"),
    "bidder_credit_code": _("投标人统一社会信用代码"), "price": _("投标报价（元）"),
    "opened_at": _("开标时间"), "ceiling_warning": _("报价检查"),
}
FEE_COLUMNS = ["doc_fee", "bid_bond", "service_fee"]
PLANNING_COLUMNS = ["doc_issue_start", "doc_issue_end", "bid_deadline", "open_time",
                    "evaluation_method", "committee_size"]
ITEM_VIEW_VERBS = {**VIEW_VERBS, "check": "read"}


def _today():
    return dt.date.today()


def _now():
    return dt.datetime.now()


def _notice(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else "未收到（暂不能编辑招标文件规划等）"


def _max_price(value):
    return f"{value:,.2f}" if value is not None else "未设（以预算金额为限）"


def _reply_date(value):
    return str(value) if value else "未答复"


def _received(value):
    return f"{value}（答复期限 {rules.reply_deadline_text(value)}）" if value else ""


class AcceptedLots(ScopeFilter):
    """Lots in scope whose project is 受理通过. Applied to a column holding a
    lot id: Lot.id (the add forms' dropdown) or a row's lot_id."""

    def apply(self, query, value):
        # Asked of each row (scope.lot_clause): an IN listed every accepted
        # lot in scope first on SQLite, 857 ms a 组建评委会 page for a city's
        # centre at 625,000 lots (bench/trading_list_bench.py), now 0.1 ms.
        if self.model is Lot and self.column_name == "id":
            return query.filter(_accepted(current_user()))
        return query.filter(rules.among_lots(getattr(self.model, self.column_name),
                                             _scoped_lot_ids()))


class AcceptedProjects(ScopeFilter):
    @staticmethod
    def clause(user):
        return project_clause(user) & (TradingProject.state == "受理通过")


def _accepted(user):
    """Of a statement over lot: its project is in scope and 受理通过."""
    return lot_clause(user, TradingProject.state == "受理通过")


def _scoped_lot_ids():
    return select(Lot.id).where(_accepted(current_user()))


def _item_from_url(model):
    """The row an edit form is about (None on an add form)."""
    pk = (request.view_args or {}).get("pk")
    return db.session.get(model, int(pk)) if pk is not None else None


# --- the shape every view here shares ------------------------------------------------

class LotSectionView(ReadWriteModelView):
    """A view of lots, or of rows that belong to a lot, for one section: a
    locked lot says why on its detail page, its edit form is not opened,
    and add/edit/delete are refused with the same reason."""

    section = None
    show_template = "lot_settings/show.html"
    list_template = "lot_settings/list.html"
    page_note = None

    def lot_of(self, item):
        return item.lot

    def lock_reason(self, item):
        return rules.lock_reason(self.lot_of(item), self.section)

    def list_extras(self) -> dict:
        return {}

    def show_extras(self, item) -> dict:
        return {}

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("page_note", self.page_note)
            kwargs.update(self.list_extras())
        elif template == self.show_template and "pk" in kwargs:
            item = self.datamodel.get(kwargs["pk"], self._base_filters)
            if item is not None:
                kwargs["lock_reason"] = self.lock_reason(item)
                kwargs["history_lot_id"] = self.lot_of(item).id  # 【历史】 of the lot
                kwargs.update(self.show_extras(item))
        return super().render_template(template, **kwargs)

    def edit_refusal(self, item):
        return self.lock_reason(item)

    def _refuse_if_locked(self, item):
        if reason := self.lock_reason(item):
            raise ValueError(reason)

    def pre_delete(self, item):
        self._refuse_if_locked(item)
        record(g.user, f"删除{self.section}", self.lot_of(item), item_label(item))


def item_label(item) -> str:
    return getattr(item, "name", None) or getattr(item, "bidder", None) or \
        getattr(item, "objector", None) or ""


def _raise(errors: dict):
    if errors:
        raise ValueError("；".join(errors.values()))


def _form_error(message: str) -> str:
    """FAB shows a field's error through gettext, which %-formats it even
    without variables: a literal % (say, in a bidder's name) must be doubled."""
    return message.replace("%", "%%")


def _unlocked(section):
    """Form validator on the lot dropdown of an add form."""
    def check(form, field):
        if field.data is not None and (reason := rules.lock_reason(field.data, section)):
            raise StopValidation(_form_error(reason))
    return check


def _probe_check(errors_of, fields, model=Lot):
    """Form validator: run a rules function over the form's values (on a
    stand-in object, so nothing enters the session) and report the message
    for this field."""
    def check(form, field):
        current = _item_from_url(model)
        values = {}
        if current is not None:
            values = {name: getattr(current, name) for name in fields}
            values.update(id=current.id, lot=getattr(current, "lot", current),
                          lot_id=getattr(current, "lot_id", current.id),
                          project=getattr(current, "project", None),
                          budget=getattr(current, "budget", None))
        for name in fields:
            if name in form._fields:
                data = form[name].data
                values[name] = None if data == "" else data
        if "lot" in form._fields:
            values["lot"] = form.lot.data
            values["lot_id"] = form.lot.data.id if form.lot.data is not None else None
        values.setdefault("id", None)
        if values.get("lot") is None and current is None and model is not None:
            return  # the lot field says what is missing
        probe = SimpleNamespace(**values)
        if message := errors_of(probe).get(field.name):
            raise ValidationError(_form_error(message))
    return check


class LotSectionApi(ReadWriteApi):
    """REST twin of LotSectionView: the same refusals, as 422 by field."""

    section = None
    raw_checks: dict = {}  # column → function(raw value) → message, before marshmallow

    def lot_of(self, item):
        return item.lot

    def _refuse_if_locked(self, item):
        lot = self.lot_of(item)
        # FAB does not apply add_query_rel_fields when loading a POST body:
        # a lot outside the user's scope must be refused here.
        if lot is None or lot.id is None or not db.session.query(
                Lot.id).filter(Lot.id == lot.id, lot_clause(current_user())).first():
            raise Rejected({"lot": "标段不存在或无权访问"})
        if reason := rules.lock_reason(lot, self.section):
            raise Rejected({"lot": reason})

    def pre_delete(self, item):
        self._refuse_if_locked(item)
        record(g.user, f"删除{self.section}", self.lot_of(item), item_label(item))

    def _check_raw_amounts(self):
        super()._check_raw_amounts()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return
        errors = {column: message for column, check in self.raw_checks.items()
                  if column in body and (message := check(body[column]))}
        if errors:
            raise Rejected(errors)


def _rejected(errors: dict):
    if errors:
        raise Rejected(errors)


def _fee_check(label):
    return lambda value: rules.fee_error(value, label)
