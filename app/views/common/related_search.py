"""Search filters on a related record — 采购单位, 代理机构, 项目, 标段 —
searched as one types, not filled with every record in scope.

FAB's search form renders a filter on a relation as a <select> of every
record the filter may name: for a province's regulator that is every unit
of the province, and a trading centre's 标段 lists would carry every
project of the city (~830,000 at a province's volume, docs/benchmarks.md)
into each page, with a COUNT and a query of them on every request. Here such
a column is a Select2 box that asks `<view>/related/<column>?q=` for the
first matches (the same scope filters FAB's select applied,
`search_form_query_rel_fields`), and the page carries only the records the
active filters name. The filter itself is FAB's: `_flt_0_<column>=<id>`.

The same holds for an add or edit form's select of a related record
(`searched_form_relations`): 登记质疑's 标段 listed every accepted lot of
the agency, ~120,000 at a province's volume, a 5 s page of megabytes. Such a
field (SearchedRecordField) reads only the record chosen, within the form's
own scope (`add_form_query_rel_fields`), and its box asks
`<view>/related/<column>?form=add` as one types.
"""
import re

from flask import abort, jsonify, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.fields import QuerySelectField
from flask_babel import lazy_gettext as _
from markupsafe import Markup, escape
from sqlalchemy import Integer, or_
from wtforms import Field
from wtforms.fields.core import UnboundField

from ...i18n import current_locale

MATCHES = 20  # options a search returns
MAX_TEXT = 100
MAX_CHOSEN = 5  # ids of active filters shown by name; more are not a real filter form


class SearchedSelect:
    """The filter's field: an empty Select2 box (app/static/js/related_search.js)
    holding only the records the page's active filters name, so FAB's filter
    script can select the one each filter row carries."""

    def __init__(self, view, column):
        self.view, self.column = view, column
        self.pattern = re.compile(rf"_flt_\d+_{re.escape(self.column)}")
        # The empty box, by language and mount point: what most pages show,
        # without a url_for and a translation each time.
        self.empty: dict = {}

    def __call__(self, field, **kwargs):
        ids = [value for key, value in request.args.items(multi=True)
               if self.pattern.fullmatch(key)][:MAX_CHOSEN]
        if ids:
            return self._render(ids)
        key = (str(current_locale()), request.script_root)
        if key not in self.empty:
            self.empty[key] = self._render([])
        return self.empty[key]

    def _render(self, ids) -> Markup:
        chosen = self.view.related_choices(self.column, ids=ids) if ids else []
        url = url_for(f"{self.view.endpoint}.related", column=self.column)
        options = "".join(f'<option value="{escape(pk)}">{escape(text)}</option>' for pk, text in chosen)
        hint = _("输入编号或名称查找") if len(self.view.searched_relations[self.column]) > 1 \
            else _("输入名称查找")
        return Markup(
            f'<select class="form-control related-search" data-url="{escape(url)}" '
            f'data-placeholder="{escape(hint)}"><option value=""></option>{options}</select>')


class SearchedFormSelect:
    """A form field's box: the record chosen (if any) as its one option;
    Select2 (related_search.js) asks for others as one types."""

    def __init__(self, view, column, form):
        self.view, self.column, self.form = view, column, form

    def __call__(self, field, **kwargs):
        url = url_for(f"{self.view.endpoint}.related", column=self.column, form=self.form)
        options = "".join(
            f'<option value="{escape(pk)}" selected>{escape(obj)}</option>'
            for pk, obj in field._get_object_list() if field.data is obj)
        return Markup(
            f'<select class="form-control related-search" id="{escape(field.id)}" '
            f'name="{escape(field.name)}" data-url="{escape(url)}" '
            f'data-placeholder="{escape(_("输入编号或名称查找"))}">'
            f'<option value=""></option>{options}</select>')


class SearchedRecordField(QuerySelectField):
    """FAB's select of a related record, reading only the one posted (or the
    edited record's), within the form's scope: one not found there is no
    choice (validation._form_known_choice says so)."""

    def __init__(self, *args, view=None, column=None, form="add", **kwargs):
        kwargs.pop("query_func", None)
        kwargs["widget"] = SearchedFormSelect(view, column, form)
        super().__init__(*args, query_func=self._chosen, **kwargs)
        self.view, self.column, self.form = view, column, form

    def _chosen(self):
        if self._formdata is not None:
            ids = [self._formdata]
        elif self._data is not None:
            ids = [str(self.get_pk_func(self._data))]
        else:
            return []
        return [record for _pk, record in
                self.view.related_records(self.column, ids=ids, form=self.form)]


class SearchedRelations:
    """A ModelView mixin: `searched_relations` maps a search column that is a
    relation to the related model's columns one types into;
    `searched_form_relations` names those of them that the add and edit
    forms search the same way."""

    searched_relations: dict[str, tuple[str, ...]] = {}
    searched_form_relations: tuple[str, ...] = ()

    def _init_forms(self):
        extra = dict(self.search_form_extra_fields or {})
        for column in self.searched_relations:
            extra[column] = Field(self.label_columns.get(column, column),
                                  widget=SearchedSelect(self, column))
        self.search_form_extra_fields = extra
        if self.searched_relations and self.include_route_methods is not None:
            # A view that names its routes still answers its boxes.
            self.include_route_methods = {*self.include_route_methods, "related"}
        super()._init_forms()
        self._searched_form_fields = set()  # (form, column) whose field searches
        for name, form in (("add", self.add_form), ("edit", self.edit_form)):
            for column in self.searched_form_relations:
                unbound = getattr(form, column, None)
                if isinstance(unbound, UnboundField):
                    # FAB's field, its label and validators kept: only how
                    # it finds its records changes.
                    setattr(form, column, UnboundField(
                        SearchedRecordField, *unbound.args,
                        **{**unbound.kwargs, "view": self, "column": column, "form": name}))
                    self._searched_form_fields.add((name, column))

    def _relation_filters(self, column, form=None) -> list:
        """The scope of a column's records: the form's own, else the search
        filter's (never none: FAB's select without one offered every record)."""
        rel_fields = {"add": self.add_form_query_rel_fields,
                      "edit": self.edit_form_query_rel_fields}.get(form) or {}
        return (rel_fields.get(column)
                or (self.search_form_query_rel_fields or {}).get(column) or [])

    def related_records(self, column, text: str = "", ids=(), form=None) -> list:
        """The related records this user may name in the search filter (or,
        with `form`, choose in that form): those containing `text` in a
        searched column, or those of `ids` (keys as a URL or a form gives
        them, text); at most MATCHES + 1 (one more than shown tells there
        are more). (key as text, record) each."""
        related = self.datamodel.get_related_interface(column)
        model, pk_name = related.obj, related.get_pk_name()
        pk = getattr(model, pk_name)
        filters = related.get_filters([])
        filters.add_filter_list(self._relation_filters(column, form))
        query = filters.apply_all(related.session.query(model))
        if ids:
            # Keys from a URL: only those that can be this key (PostgreSQL
            # refuses to compare an integer with text).
            numeric = isinstance(pk.type, Integer)
            keys = [int(k) if numeric else k for k in ids
                    if len(k) <= 64 and "\x00" not in k
                    and (not numeric or (k.isdigit() and len(k) < 19))]
            if not keys:
                return []
            query = query.filter(pk.in_(keys))
        if text:
            query = query.filter(or_(*(getattr(model, name).contains(text, autoescape=True)
                                       for name in self.searched_relations[column])))
        first = getattr(model, self.searched_relations[column][0])
        return [(str(getattr(item, pk_name)), item) for item in
                query.order_by(first, pk).limit(MATCHES + 1)]

    def related_choices(self, column, text: str = "", ids=(), form=None) -> list[tuple]:
        """(id, label) of related_records."""
        return [(pk, str(item)) for pk, item in self.related_records(column, text, ids, form)]

    @expose("/related/<column>")
    @has_access
    def related(self, column):
        """Select2's JSON: {"results": [{"id", "text"}], "pagination": {"more"}}.
        `form=add` or `form=edit`: the choices of that form's field."""
        form = request.args.get("form")
        if column not in self.searched_relations \
                or (form is not None and (form, column) not in self._searched_form_fields):
            abort(404)
        text = request.args.get("q", "")
        text = "" if "\x00" in text else text.strip()[:MAX_TEXT]
        found = self.related_choices(column, text, form=form) if text else []
        return jsonify(results=[{"id": pk, "text": label} for pk, label in found[:MATCHES]],
                       pagination={"more": len(found) > MATCHES})
