"""Base classes that give every view and API the same four verbs.

FAB names permissions after methods (can_list, can_show, can_get …); we fold
them into can_read / can_create / can_edit / can_delete so a role lists one
pair per ability, and the UI view and the REST API of a model share them.
"""
from flask import abort, flash, redirect, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.api import BaseApi

VIEW_VERBS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "create",
    "edit": "edit",
    "delete": "delete",
}
API_VERBS = {
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "create",
    "put": "edit",
    "delete": "delete",
}


PAGE_SIZE = 20


def requested_page(total: int) -> tuple[int, int]:
    """(page, pages) for a hand-made list of `total` rows: the ?page= asked
    for, kept within 1..pages."""
    from flask import request

    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(request.args.get("page", 1, type=int), 1), pages), pages


def when(value) -> str:
    """A timestamp to the second, or nothing (FAB would print "None")."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def text(value) -> str:
    return "" if value is None else value


def yuan(value) -> str:
    """An amount in yuan with thousands separators: 1,450,000.00."""
    return "" if value is None else f"{value:,.2f}"


class ReadWriteModelView(ModelView):
    method_permission_name = VIEW_VERBS
    page_size = PAGE_SIZE

    def edit_refusal(self, item) -> str | None:
        """Why this record may not be edited now (None: it may). A refused
        edit form is not opened: the user is sent to the record with the reason."""
        return None

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        if refusal := self.edit_refusal(item):
            flash(refusal, "warning")
            return redirect(url_for(".show", pk=pk))
        return super().edit(pk)


class Rejected(Exception):
    """Raised in an API's pre_add/pre_update/pre_delete: answered with 422
    and the messages by field, and nothing is written."""

    def __init__(self, errors: dict):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class ReadWriteApi(ModelRestApi):
    method_permission_name = API_VERBS
    allow_browser_login = False
    page_size = PAGE_SIZE
    max_page_size = 100
    # Money columns → their labels. Checked on the JSON as sent, because
    # marshmallow would round 12.345 to 12.34 before any validator saw it.
    amount_columns: dict = {}

    def post_headless(self):
        return self._answer_rejections(super().post_headless)

    def put_headless(self, pk):
        return self._answer_rejections(lambda: super(ReadWriteApi, self).put_headless(pk))

    def delete_headless(self, pk):
        return self._answer_rejections(lambda: super(ReadWriteApi, self).delete_headless(pk))

    def _answer_rejections(self, call):
        from ...extensions import db

        try:
            self._check_raw_amounts()
            return call()
        except Rejected as rejected:
            db.session.rollback()
            return self.response_422(message=rejected.errors)

    def _check_raw_amounts(self):
        from flask import request

        from ...rules.money import amount_error

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return
        errors = {column: message for column, label in self.amount_columns.items()
                  if column in body and (message := amount_error(body[column], label))}
        if errors:
            raise Rejected(errors)


__all__ = ["ReadWriteModelView", "ReadWriteApi", "Rejected", "BaseApi", "PAGE_SIZE",
           "requested_page", "when", "text", "yuan"]
