"""Base classes that give every view and API the same four verbs.

FAB names permissions after methods (can_list, can_show, can_get …); we fold
them into can_read / can_create / can_edit / can_delete so a role lists one
pair per ability, and the UI view and the REST API of a model share them.
"""
from flask import abort, flash, redirect, request, session, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.urltools import (get_filter_args, get_order_args, get_page_args,
                                       get_page_size_args)
from flask_babel import gettext
from flask_babel import lazy_gettext as _

from . import formatting, query_schema, validation, widgets
from ...rules.text import unencodable
from ...validation_messages import describe_validator
from .choices import CheckedChoiceForms
from .list_widget import OnceTranslatedSearchWidget, OnePassListWidget
from .related_search import SearchedRelations
from .typed_filters import SAVE_REFUSED, WriteRefused

VIEW_VERBS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "create",
    "edit": "edit",
    "delete": "delete",
    "related": "read",  # a search filter's matches (related_search.py)
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


def requested_page(total: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page, pages) for a hand-made list of `total` rows, `size` a page: the
    ?page= asked for, kept within 1..pages."""
    from flask import request

    pages = max(1, -(-total // size))
    return min(max(request.args.get("page", 1, type=int), 1), pages), pages


def when(value) -> str:
    """A timestamp to the minute, or "—" (FAB would print "None")."""
    return formatting.minutes(value)


def text(value) -> str:
    return formatting.show(value)


def yuan(value) -> str:
    """An amount in yuan with thousands separators, for a label that says 元: 1,450,000.00."""
    return formatting.money(value, unit=False)


class ReadableValues:
    """FAB's list and show pages print a value with str(): "None", "True",
    "[<app.models.Lot object …>]", microseconds. Every column shown gets a
    formatter from its type (formatting.formatters_for); a view's own
    formatter wins, and what it leaves empty reads "—"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = {*self.list_columns, *self.show_columns}
        own = type(self).formatters_columns or {}
        derived = formatting.formatters_for(self.datamodel, columns, self.label_columns)
        self.formatters_columns = {**derived, **{
            name: _or_empty(formatter) for name, formatter in own.items()}}


def _or_empty(formatter):
    def formatted(value):
        result = formatter(value)
        return formatting.EMPTY if result is None or result == "" else result

    return formatted


class ReadWriteModelView(SearchedRelations, ReadableValues, widgets.NativeDateForms,
                         CheckedChoiceForms, ModelView):
    method_permission_name = VIEW_VERBS
    page_size = PAGE_SIZE
    list_widget = OnePassListWidget
    search_widget = OnceTranslatedSearchWidget
    # FAB's /download/<filename> serves its own UPLOAD_FOLDER, which this app
    # does not use (a 500 for anyone who may read): files go through
    # app/attachments.py, which checks the record they belong to.
    exclude_route_methods = {"download"}
    # FAB's edit flashes this when the database refuses the change (its add
    # and delete flash what TypedInterface raises): a sentence, not "Database Error".
    database_error_message = SAVE_REFUSED

    # Each row's 编辑 and 删除 as its record's edit_refusal and delete_refusal
    # allow. Only where those read the record's own columns, or the
    # many-to-one records named in refusals_read (read for the whole page in
    # one statement): they are asked for every row of a page before it is drawn.
    hide_refused_buttons = False
    refusals_read: tuple = ()

    # The list page has its own 【新增】/【增加】 above the search (its template):
    # FAB's "+" in the list's header would be a second button doing the same.
    own_add_button = False

    # Edit-form fields whose change is asked about in the one dialog
    # (app/static/js/confirm.js, data-confirm-change): {column: (title, text)}.
    confirm_changes: dict = {}

    def update_redirect(self):
        # FAB records every page in the session's page history, and assigning
        # the list, even unchanged, re-signs and re-sends the session cookie:
        # twice on each list page (FAB's list and _list both call this) and
        # on every reload. Only a page not already the last one changes it.
        history = session.get("page_history")
        if not history or history[-1] != request.url:
            super().update_redirect()

    def _init_forms(self):
        # Every Text column gets a maximum length and every date a sensible
        # range (validation.py), besides the view's own validators.
        own = self.validators_columns or {}
        added = validation.form_validators(self.datamodel.obj)
        self.validators_columns = validation.ahead(added, own)
        super()._init_forms()
        for column, (title, text) in self.confirm_changes.items():
            field = getattr(self.edit_form, column)  # the form class's unbound field
            field.kwargs["render_kw"] = {**(field.kwargs.get("render_kw") or {}),
                                         "data-confirm-change": text, "data-confirm-title": title}

    def _init_titles(self):
        # FAB's defaults are English ("Show Organisation"): name the pages
        # after the list's own title instead.
        if self.list_title:
            self.show_title = self.show_title or _("%(name)s详情", name=self.list_title)
            self.add_title = self.add_title or _("增加%(name)s", name=self.list_title)
            self.edit_title = self.edit_title or _("编辑%(name)s", name=self.list_title)
        super()._init_titles()

    def _show(self, pk, item=None):
        """FAB's show logic (the record's widget, the related views), given
        the record its caller has already read within the view's scope
        (`_base_filters`): FAB's own reads it again, a second statement on
        every show and review page (#17)."""
        if item is None:
            return super()._show(pk)
        widgets = self._get_show_widget(pk, item)
        self.update_redirect()
        return self._get_related_views_widgets(
            item, orders=get_order_args(), pages=get_page_args(),
            page_sizes=get_page_size_args(), widgets=widgets)

    def post_delete_redirect(self):
        """Back to the page 删除 was clicked on: FAB's page history went back
        one page too many after the browser's own back button (a refused
        delete's message showed on the home page, or on an edit form). A
        deleted record's own page is left for the list."""
        from urllib.parse import urlsplit

        from flask import request

        pk = (request.view_args or {}).get("pk")
        came_from = urlsplit(request.referrer or "")
        # This view's own pages of the record (a project's page listing its
        # lots is another view's, and stays).
        own_page = pk is not None and came_from.path in self._pages_of(pk)
        if came_from.netloc == request.host and came_from.path.startswith(
                request.script_root + "/") and not (own_page and self._gone(pk)):
            return redirect(came_from.path + (f"?{came_from.query}" if came_from.query else ""))
        return redirect(url_for(".list"))

    @staticmethod
    def _pages_of(pk) -> set:
        from werkzeug.routing import BuildError

        pages = set()
        for endpoint in (".show", ".edit"):  # a view may leave either out
            try:
                pages.add(url_for(endpoint, pk=pk))
            except BuildError:
                pass
        return pages

    def _gone(self, pk) -> bool:
        try:
            return self.datamodel.get(pk) is None
        except Exception:  # noqa: BLE001 - a key the model cannot read: not there
            return True

    def render_template(self, template, **kwargs):
        if request.method == "POST" and template in (self.add_template, self.edit_template):
            _files_not_kept(kwargs.get("widgets") or {})
        return super().render_template(template, **kwargs)

    def edit_refusal(self, item) -> str | None:
        """Why this record may not be edited now (None: it may). A refused
        edit form is not opened: the user is sent to the record with the reason."""
        return None

    def delete_refusal(self, item) -> str | None:
        """Why this record may not be deleted now (None: it may). Asked to
        hide a row's 删除; pre_delete still refuses it."""
        return None

    def _get_list_widget(self, *args, **kwargs):
        """FAB's, with each row's 编辑 and 删除 shown only where edit_refusal
        and delete_refusal allow them, in views that say so
        (hide_refused_buttons): a submitted contract offered 编辑, then said
        只有草稿或已退回的合同可以修改."""
        widgets = super()._get_list_widget(*args, **kwargs)
        args = widgets["list"].template_args
        args["own_add_button"] = self.own_add_button
        if not self.hide_refused_buttons:
            return widgets
        shown = {}
        # The page's records, still in the session: no statement.
        rows = {pk: item for pk in args["pks"]
                if (item := self.datamodel.session.get(self.datamodel.obj, pk)) is not None}
        # Held while the refusals are asked (the session keeps unchanged
        # records only as long as something refers to them).
        loaded = [self.datamodel.load_many_to_one(list(rows.values()), relation)
                  for relation in self.refusals_read]
        for pk, item in rows.items():
            shown[pk] = (self.edit_refusal(item) is None, self.delete_refusal(item) is None)
        del loaded
        args["row_buttons"] = shown
        return widgets

    def searched(self, order_column: str, direction: str, limit: int) -> list:
        """The records the list shows for this request's search (its filter
        arguments joined with the view's scope, as the list page joins
        them), in this order, at most `limit`: what an 【导出】 writes."""
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        _count, items = self.datamodel.query(filters, order_column, direction, page=0,
                                             page_size=limit)
        return items

    def _scoped(self, pk):
        """The record, if it is within the view's scope (its base filters);
        404 otherwise, the same answer as for one that does not exist."""
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        return item

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        item = self._scoped(pk)
        if refusal := self.edit_refusal(item):
            flash(refusal, "warning")
            return redirect(url_for(".show", pk=pk))
        return self.edit_page(pk, item)

    def edit_page(self, pk, item):
        """The edit page of a record that may be edited now: FAB's form, or a
        view's own hand-made form (expert requests, contracts)."""
        return super().edit(pk)


def _files_not_kept(widgets) -> None:
    """An add or edit form shown again after a refused POST: a browser never
    refills a file input, so each file chosen says it was not kept. Else the
    corrected form was saved without it (情况说明材料, found missing only at
    【提交】)."""
    from wtforms.fields import FileField

    for widget in widgets.values():
        for field in getattr(widget, "template_args", {}).get("form") or ():
            upload = request.files.get(field.name)
            if isinstance(field, FileField) and upload is not None and upload.filename \
                    and not field.errors:
                field.errors = [*field.errors, gettext("表单有误，所选文件未保存：改正后请重新选择")]


class Rejected(Exception):
    """Raised in an API's pre_add/pre_update/pre_delete: answered with 422
    and the messages by field, and nothing is written."""

    def __init__(self, errors: dict):
        super().__init__("；".join(message if isinstance(message, str) else "；".join(message)
                                 for message in errors.values()))
        self.errors = errors


_KEPT_SCHEMAS: dict = {}  # ReadWriteApi._init_model_schemas


class TranslatedResponses:
    """An API's refusals in the user's language (Chinese; English with
    ?_l_=en): FAB's own texts ("Not found", "Forbidden", "Invalid order by
    column: x") and marshmallow's by field, which FAB answers as they are."""

    def response_400(self, message=None):
        return super().response_400(message=validation.translate(message)
                                    if message else gettext("请求参数不正确。"))

    def response_422(self, message=None):
        return super().response_422(message=validation.translate(message)
                                    if message else gettext("提交的内容无法处理。"))

    def response_401(self):
        return self.response(401, message=gettext("未登录或登录已失效，请先登录获取令牌。"))

    def response_403(self):
        return self.response(403, message=gettext("无权执行此操作。"))

    def response_404(self):
        return self.response(404, message=gettext("记录不存在，或不在您可查看的范围内。"))

    def response_500(self, message=None):
        # FAB's @safe answers every unexpected exception (logged) with this.
        return self.response(500, message=gettext(
            "服务器内部错误，本次操作未完成，请稍后重试或联系系统管理员。"))


class ReadWriteApi(TranslatedResponses, ModelRestApi):
    """Every model's REST API: the four verbs, limits on text and dates, a
    400 (not a 500) for any ?q= FAB's rison parser chokes on, and errors in
    the user's language (Chinese; English with ?_l_=en)."""

    method_permission_name = API_VERBS
    allow_browser_login = False
    page_size = PAGE_SIZE
    max_page_size = 100
    # Money columns → their labels. Checked on the JSON as sent, because
    # marshmallow would round 12.345 to 12.34 before any validator saw it.
    amount_columns: dict = {}

    def __init__(self):
        super().__init__()
        # A new dict: the class's own is shared by every app in the process.
        merged = dict(self.validators_columns or {})
        for column, validator in validation.schema_validators(self.datamodel.obj).items():
            merged[column] = (validation.both(merged[column], validator)
                              if column in merged else validator)
        self.validators_columns = merged
        self.model2schemaconverter.validators_columns = merged

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._refuse_unparsable_query)
        return blueprint

    def _init_model_schemas(self):
        """FAB converts the model into four marshmallow schemas for every API
        of every app: a fifth of create_app, which the tests call some 800
        times a run. They depend on the class (its model, columns and
        validators) and load into the one db.session every app shares, so
        the first app of the process converts them and the others reuse them."""
        key = (type(self), *(tuple(getattr(self, f"{kind}_columns"))
                             for kind in ("list", "add", "edit", "show")))
        if (kept := _KEPT_SCHEMAS.get(key)) is None:
            super()._init_model_schemas()
            kept = _KEPT_SCHEMAS[key] = (self.list_model_schema, self.add_model_schema,
                                         self.edit_model_schema, self.show_model_schema)
        (self.list_model_schema, self.add_model_schema,
         self.edit_model_schema, self.show_model_schema) = kept

    def _refuse_unparsable_query(self):
        """FAB's @rison catches only prison's ParserException; "(((((" makes
        prison recurse until RecursionError, "!" raises IndexError, "(a:"
        TypeError — each a 500. Parse first and answer 400 instead."""
        import json

        import prison
        from flask import request

        from ... import errors
        from .typed_filters import rest_filter_refusal

        value = request.args.get("q")
        if not value:
            return None
        try:
            args = prison.loads(value)
        except prison.decoder.ParserException:
            try:  # FAB tries it as JSON next
                args = json.loads(value)
            except ValueError:
                return None  # FAB answers 400 itself
            except RecursionError:  # nested past Python's limit: FAB's own try was a 500
                return self.response_400(message="Not a valid rison/json argument")
        except Exception:  # noqa: BLE001 - any other failure of the parser
            return self.response_400(message="Not a valid rison/json argument")
        if unencodable(args):  # JSON's "\ud800": the SELECT failed to encode it
            return self.response_400(message=str(errors.UNENCODABLE))
        # FAB checks only that the page is an integer: a negative one was an
        # OFFSET PostgreSQL refuses, a huge one an OFFSET past any integer.
        page = args.get("page") if isinstance(args, dict) else None
        if type(page) is int and not 0 <= page <= errors.MAX_PAGE:
            return self.response_400(message=gettext(
                "查询参数q的页码（page）须为0至%(max)s的整数。", max=errors.MAX_PAGE))
        filters = args.get("filters") if isinstance(args, dict) else None
        for flt in filters if isinstance(filters, list) else []:  # else query_schema's
            if not (isinstance(flt, dict) and flt.get("col") in self.search_columns):
                continue
            # FAB leaves out a filter whose operation the column lacks, so the
            # client got every row as if it had been filtered.
            if flt.get("opr") not in {known.arg_name for known in
                                      self._filters.get_search_filters().get(flt["col"], ())}:
                return self.response_400(message=gettext(
                    "查询参数q中的筛选方式%(operation)s不可用于%(column)s。",
                    operation=flt.get("opr"), column=flt["col"]))
            if message := rest_filter_refusal(
                    self.datamodel, flt["col"], flt.get("opr"), flt.get("value")):
                return self.response_400(message=message)
        # Anything else FAB's schema for the endpoint refuses (after the two
        # above, which name the column or the page more helpfully).
        if message := query_schema.refusal((request.endpoint or "").rpartition(".")[2], args):
            return self.response_400(message=message)
        return None

    def response_500(self, message=None):
        """FAB's @safe turns every exception into 500 "Fatal error" before the
        app's error handlers see it; it calls this inside its except block, so
        the exception is at hand: SQLite's lock still held after the busy
        timeout is a 503 with the site's message (app/errors.py)."""
        import sys

        from sqlalchemy.exc import OperationalError

        from ... import errors

        error = sys.exc_info()[1]
        if isinstance(error, OperationalError) and errors.database_locked(error):
            return errors.busy_response(error)
        return super().response_500(message=message)

    def _get_field_info(self, field, *args, **kwargs):
        """_info's field: FAB looks up gettext("") for a column without a
        label or description, which is the catalogue's header
        ("Project-Id-Version: …"), and shows its checks as Python reprs."""
        info = super()._get_field_info(field, *args, **kwargs)
        for key, given in (("label", self.label_columns), ("description",
                                                          self.description_columns)):
            if not given.get(field.name):
                info[key] = ""
        if "validate" in info:  # FAB's: each validator object's repr
            checks = field.validate if isinstance(field.validate, list) else [field.validate]
            info["validate"] = [describe_validator(check) for check in checks]
        return info

    def post_headless(self):
        return self._answer_rejections(super().post_headless)

    def put_headless(self, pk):
        from flask import request

        # FAB's PUT reads the body's keys before checking it is an object
        # (null, [] or 1: an AttributeError); its POST answers these itself.
        if request.is_json and not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=gettext("请求内容须为JSON对象（{…}）。"))
        return self._answer_rejections(lambda: super(ReadWriteApi, self).put_headless(pk))

    def delete_headless(self, pk):
        # FAB's, answering a refused delete with the datamodel's own words:
        # FAB's says "Database exception occurred", which read as 保存失败.
        def delete():
            item = self.datamodel.get(pk, self._base_filters)
            if not item:
                return self.response_404()
            self.pre_delete(item)
            try:
                self.datamodel.delete(item)
            except WriteRefused as refused:
                return self.response_422(message=str(refused))
            self.post_delete(item)
            return self.response(200, message="OK")

        return self._answer_rejections(delete)

    def _answer_rejections(self, call):
        from ...extensions import db

        try:
            self._check_raw_amounts()
            self._check_references_and_text()
            return call()
        except Rejected as rejected:
            db.session.rollback()
            return self.response_422(message=rejected.errors)

    def _check_references_and_text(self):
        """Before marshmallow sees the body. marshmallow-sqlalchemy's Related
        field makes a NEW related object for a key it does not find (3.05 as
        a region, {"x": 1} as a lot): an insert of a half-empty row, or a
        TypeError (a 500 found by the fuzz test, tests/test_fuzz_api.py). A
        lone UTF-16 surrogate is refused before any view (errors.py)."""
        from flask import request

        from ...extensions import db

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return
        errors = {}
        for name, value in body.items():
            # marshmallow-sqlalchemy gives a choice column a Raw field whose
            # length check fails on a number (TypeError, a 500).
            if isinstance(name, str) and name in self.datamodel.list_columns \
                    and self.datamodel.is_enum(name) and not isinstance(value, (str, type(None))):
                errors[name] = [gettext("必须是以下之一：%(choices)s。", choices=", ".join(
                    self.datamodel.list_columns[name].type.enums))]
            if not isinstance(name, str) or not self.datamodel.is_relation(name):
                continue
            model = self.datamodel.get_related_model(name)
            keys = value if isinstance(value, list) and (
                self.datamodel.is_relation_many_to_many(name)
                or self.datamodel.is_relation_one_to_many(name)) else [value]
            for key in keys:
                if key is None:
                    # Related lets null through even for a required relation,
                    # and the database's NOT NULL then said only 保存失败.
                    if self.datamodel.is_relation_many_to_one(name) \
                            and not self.datamodel.is_nullable(name):
                        errors[name] = [gettext("不能为空值。")]
                    continue
                found = None
                if isinstance(key, (int, str)) and not isinstance(key, bool):
                    try:
                        found = db.session.get(model, key)
                    except Exception:  # noqa: BLE001 - e.g. PostgreSQL refusing the type
                        db.session.rollback()
                if found is None:
                    errors[name] = [str(_("引用的记录不存在"))]  # by field, as marshmallow's
                    break
        if errors:
            raise Rejected(errors)

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
           "requested_page", "when", "text", "yuan", "ReadableValues"]
