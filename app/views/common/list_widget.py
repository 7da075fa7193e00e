"""The list pages' rows, written in one pass.

FAB's list widget renders each row through Jinja: a macro for the row's
show/edit/delete buttons (three url_for calls, a dozen translated titles)
and an autoescaped cell per column. That was about a third of a 采购计划
page's Python at 1,000,000 plans (docs/benchmarks.md, #17 item 1), the
same for every row. Here the buttons are rendered once, by FAB's own macro,
for a placeholder key, and each row gets them with its key put in; the cells
are escaped and joined in Python. The HTML is the same as FAB's.

The table's head is written in Python too (list_head), and the pager above
it (list_links.pager).

What else a list page drew the same way each time is drawn once and kept:
the buttons per view and language (crud_buttons), the column heads'
translations (_in_language), the search form's unchanging fields
(_field_html) and, while no filter is active, the whole form
(OnceTranslatedSearchWidget._unfiltered).
"""
import enum
from urllib.parse import quote

from flask import current_app, g, request
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.fields import EnumField
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2Widget
from flask_appbuilder.widgets import ListWidget, RenderTemplateWidget, SearchWidget
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from wtforms import BooleanField, DecimalField, IntegerField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput

from ...i18n import current_locale
from ...web_security import csp_nonce
from . import list_links
from .choices import ChoiceField
from .widgets import DateTimeMinuteField, DayField, NativeInput

PK = "__pk__"  # the placeholder key in the buttons rendered once
CSRF = "__csrf_token__"  # and the placeholder of a request's CSRF token in them
NONCE = "__csp_nonce__"  # the placeholder of a response's script nonce in a kept form
KEPT_FORMS = 64  # unfiltered search forms kept per view; past that, start again

# Search fields whose HTML is fixed by their definition, their language and
# their value: no query, no request argument, no date of today. A select of
# related records (QuerySelectField, SearchedSelect) is not among them.
UNCHANGING_FIELDS = {
    (StringField, BS3TextFieldWidget), (TextAreaField, BS3TextAreaFieldWidget),
    (IntegerField, BS3TextFieldWidget), (DecimalField, BS3TextFieldWidget),
    (BooleanField, CheckboxInput), (EnumField, Select2Widget), (ChoiceField, Select2Widget),
    (DateTimeMinuteField, NativeInput), (DayField, NativeInput),
}


def list_rows(value_columns, pks, include_columns, formatters, actions, buttons,
              row_buttons=None, variants=None) -> Markup:
    """<tr>s for the rows: the actions' checkbox, the buttons with this row's
    key, then each column through its formatter, escaped (a Markup from a
    formatter stays as it is, as in Jinja). `row_buttons`: {key: (编辑 shown,
    删除 shown)} of rows whose buttons are `variants`[those two] instead.

    A page repeats values (是/否, a state, the 经办岗's own unit): each
    distinct value of a column is formatted once a page. A formatter is a
    function of its value, and the language does not change mid-page."""
    buttons = str(buttons or "")
    row_buttons, variants = row_buttons or {}, variants or {}
    formatted = {}
    out = []
    for item, pk in zip(value_columns, pks):
        escaped = escape(pk)
        cells = []
        if actions:
            cells.append(f'<td><input id="{escaped}" class="action_check" name="rowid" value="{escaped}" '
                         f'type="checkbox"></td>')
        if buttons:
            mine = str(variants.get(row_buttons.get(pk), buttons))
            # url_for quotes a key; so must we, for the links to be the same.
            cells.append(f"<td><center>{mine.replace(PK, str(escape(quote(str(pk), safe=''))))}"
                         f"</center></td>")
        for column in include_columns:
            value = item.get(column, "")
            key, cell = _same_when_equal(column, value), None
            if key is not None:
                try:
                    cell = formatted.get(key)
                except TypeError:  # unhashable after all
                    key = None
            if cell is None:
                formatter = formatters.get(column)
                cell = escape(formatter(value) if formatter else value)
                if key is not None:
                    formatted[key] = cell
            cells.append(f"<td>{cell}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(out))


def _same_when_equal(column, value):
    """The key under which a cell's value is formatted once a page, if equal
    values of its type always read the same (not Decimal("1.0") and
    Decimal("1.00"), nor two datetimes in different zones); else None."""
    kind = type(value)
    if kind in (type(None), bool, int, str) or isinstance(value, enum.Enum) \
            or kind.__eq__ is object.__eq__:  # a record: equal is the same one
        return (column, kind, value)
    return None


class OnePassListWidget(ListWidget):
    template = "widgets/one_pass_list.html"

    def __call__(self, **kwargs):
        labels, filters = self.template_args.get("label_columns"), self.template_args.get("filters")
        if labels and filters is not None and "label_columns" not in kwargs:
            kwargs["label_columns"] = _in_language(labels, filters)
        return super().__call__(list_rows=list_rows, list_head=list_head,
                                crud_buttons=crud_buttons, button_variants=button_variants,
                                **kwargs)


_SORTED_ICON = {2: "fa-chevron-up", 1: "fa-chevron-down"}  # FAB's get_link_order: 2 asc, 1 desc


def list_head(actions, buttons, include_columns, order_columns, label_columns,
              modelview_name) -> Markup:
    """FAB's <thead> (widgets/list.html, begin_loop_header): the actions'
    check-all box, the buttons' column, then each column's head, a sort
    link where it sorts. As a block it was ~5 % of a page: a Jinja call or
    two per column for a handful of links."""
    get_link_order = current_app.jinja_env.filters["get_link_order"]  # FAB's own
    cells = []
    if actions:
        cells.append('<th class="action_checkboxes"><input id="check_all" class="action_check_all" '
                     'name="check_all" type="checkbox"></th>')
    if buttons:
        cells.append('<th class="col-md-1 col-lg-1 col-sm-1" ></th>')
    for column in include_columns:
        label = escape(label_columns.get(column))
        if column in order_columns:
            icon = _SORTED_ICON.get(get_link_order(column, modelview_name), "fa-arrows-v")
            link = escape(list_links.link_order(column, modelview_name))
            cells.append(f"<th><a href={link}>{label}\n"
                         f'<i class="fa {icon} pull-right"></i></a></th>')
        else:
            cells.append(f"<th>{label}</th>")
    return Markup("<thead><tr>" + "".join(cells) + "</tr></thead>")


def button_variants(macro, can_show, can_edit, can_delete, modelview_name, filters,
                    row_buttons) -> dict:
    """{(编辑 shown, 删除 shown): the buttons} for the pairs `row_buttons` has."""
    return {pair: crud_buttons(macro, can_show, can_edit and pair[0], can_delete and pair[1],
                               modelview_name, filters)
            for pair in set((row_buttons or {}).values())}


def crud_buttons(macro, can_show, can_edit, can_delete, modelview_name, filters) -> Markup:
    """FAB's show/edit/delete buttons (lib.btn_crud, the `macro`) for the
    placeholder key, rendered once per view, permissions, language and
    mount point (~3 % of a page), with this request's CSRF token put in the
    delete form. While a filter is active they are rendered each time: FAB
    adds a related view's filters to the links."""
    def render():
        return str(macro(can_show, can_edit, can_delete, PK, modelview_name, filters))

    if filters.get_filters_values():
        return Markup(render())
    kept = current_app.extensions.setdefault("gps.crud_buttons", {})
    key = (modelview_name, can_show, can_edit, can_delete, str(current_locale()), request.script_root)
    return _kept_html(kept, key, render, CSRF, generate_csrf,
                      lambda: g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")))


def _kept_html(kept: dict, key, render, placeholder, fresh, rendered_with, limit=None) -> Markup:
    """The HTML kept under `key`, rendered once. The one per-response value
    in it (what `rendered_with()` gives right after rendering: a CSRF token,
    a script nonce; None if the render made none) is kept as `placeholder`,
    and each later response gets its own, from `fresh()`. At most `limit`
    kept: past it the dict starts again."""
    html = kept.get(key)
    if html is None:
        html = render()
        if limit is not None and len(kept) >= limit:
            kept.clear()
        value = rendered_with()
        kept[key] = html.replace(value, placeholder) if value else html
        return Markup(html)
    return Markup(html.replace(placeholder, fresh()) if placeholder in html else html)


def _in_language(labels: dict, filters) -> dict:
    """A view's column labels as text in this request's language, translated
    once per view and language (the list's column heads were a Flask-Babel
    lookup each, on every page). Kept where the search form keeps its own
    words: in the view's one Filters object, which FAB hands both widgets."""
    kept = filters.__dict__.setdefault("_labels_in_language", {})
    language = str(current_locale())
    if language not in kept:
        kept[language] = {name: as_unicode(label) for name, label in labels.items()}
    return kept[language]


class OnceTranslatedSearchWidget(SearchWidget):
    """FAB's search form, with its labels and its filters' names translated
    once per view and language. FAB translates them on every list page, for
    its filter script: about fifty lazy strings a 采购计划 page, each a
    Flask-Babel lookup (~4 % of the page). What it renders is FAB's."""

    def __call__(self, **kwargs):
        form, columns = self.template_args["form"], self.template_args["include_cols"]
        translated = self.filters.__dict__.setdefault("_translated_names", {})
        language = str(current_locale())
        if language not in translated:
            dict_filters = self.filters.get_search_filters()
            translated[language] = (
                {col: as_unicode(form[col].label.text) for col in columns},
                {col: [as_unicode(flt.name) for flt in dict_filters[col]] for col in columns})
        label_columns, search_filters = translated[language]
        kwargs["label_columns"] = dict(label_columns)
        fields = self.filters.__dict__.setdefault("_unchanging_fields", {})
        kwargs["form_fields"] = {col: _field_html(form[col], language, fields) for col in columns}
        kwargs["search_filters"] = {col: list(names) for col, names in search_filters.items()}
        kwargs["active_filters"] = self.filters.get_filters_values_tojson()
        # FAB's own __call__ would translate them all again: skip to its base.
        if kwargs["active_filters"]:
            return RenderTemplateWidget.__call__(self, **kwargs)
        return self._unfiltered(language, kwargs)

    def _unfiltered(self, language, kwargs) -> Markup:
        """The form of a list no filter narrows, the way a list is first
        opened: its HTML follows from the fields' HTML, the language and
        the mount point, so it is kept under those, with a placeholder for
        each response's script nonce. Writing its fields out as JSON for
        FAB's filter script was ~5 % of a 采购计划 page."""
        kept = self.filters.__dict__.setdefault("_unfiltered_forms", {})
        key = (language, request.script_root, tuple(self.template_args["include_cols"]),
               tuple(kwargs["form_fields"].items()))
        return _kept_html(kept, key, lambda: str(RenderTemplateWidget.__call__(self, **kwargs)),
                          NONCE, csp_nonce, lambda: g.get("csp_nonce"), limit=KEPT_FORMS)


def _field_html(field, language, kept: dict):
    """A search field's HTML, rendered once per view, language and value
    while that value is empty or the field's own fixed default and nothing
    else decides the HTML (UNCHANGING_FIELDS): escaping its options and
    attributes was ~7 % of a 采购计划 page. A form bound to a request's
    data, and any other field, is rendered each time."""
    data = field.data
    as_defined = data is None or data == "" or data is False \
        or (not callable(field.default) and data == field.default)  # 草稿, a column's default
    if not as_defined or field.raw_data or (type(field), type(field.widget)) not in UNCHANGING_FIELDS:
        return field()
    key = (field.name, language, type(data), data)
    try:
        html = kept.get(key)
    except TypeError:  # an unhashable default
        return field()
    if html is None:
        html = kept[key] = field()
    return html
