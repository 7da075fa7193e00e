"""The list pages' rows, written in one pass.

FAB's list widget renders each row through Jinja: a macro for the row's
show/edit/delete buttons (three url_for calls, a dozen translated titles)
and an autoescaped cell per column. That was about a third of a 采购计划
page's Python at 1,000,000 plans (docs/benchmarks.md, #17 item 1), the
same for every row. Here the buttons are rendered once, by FAB's own macro,
for a placeholder key, and each row gets them with its key put in; the cells
are escaped and joined in Python. The HTML is the same as FAB's.
"""
from urllib.parse import quote

from flask_appbuilder._compat import as_unicode
from flask_appbuilder.widgets import ListWidget, RenderTemplateWidget, SearchWidget
from flask_babel import get_locale
from markupsafe import Markup, escape

PK = "__pk__"  # the placeholder key in the buttons rendered once


def list_rows(value_columns, pks, include_columns, formatters, actions, buttons) -> Markup:
    """<tr>s for the rows: the actions' checkbox, the buttons with this row's
    key, then each column through its formatter, escaped (a Markup from a
    formatter stays as it is, as in Jinja)."""
    buttons = str(buttons or "")
    out = []
    for item, pk in zip(value_columns, pks):
        key = escape(pk)
        cells = []
        if actions:
            cells.append(f'<td><input id="{key}" class="action_check" name="rowid" value="{key}" '
                         f'type="checkbox"></td>')
        if buttons:
            # url_for quotes a key; so must we, for the links to be the same.
            cells.append(f"<td><center>{buttons.replace(PK, str(escape(quote(str(pk), safe=''))))}"
                         f"</center></td>")
        for column in include_columns:
            value = item.get(column, "")
            formatter = formatters.get(column)
            cells.append(f"<td>{escape(formatter(value) if formatter else value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(out))


class OnePassListWidget(ListWidget):
    template = "widgets/one_pass_list.html"

    def __call__(self, **kwargs):
        return super().__call__(list_rows=list_rows, placeholder_pk=PK, **kwargs)


class OnceTranslatedSearchWidget(SearchWidget):
    """FAB's search form, with its labels and its filters' names translated
    once per view and language. FAB translates them on every list page, for
    its filter script: about fifty lazy strings a 采购计划 page, each a
    Flask-Babel lookup (~4 % of the page). What it renders is FAB's."""

    def __call__(self, **kwargs):
        form, columns = self.template_args["form"], self.template_args["include_cols"]
        translated = self.filters.__dict__.setdefault("_translated_names", {})
        language = str(get_locale())
        if language not in translated:
            dict_filters = self.filters.get_search_filters()
            translated[language] = (
                {col: as_unicode(form[col].label.text) for col in columns},
                {col: [as_unicode(flt.name) for flt in dict_filters[col]] for col in columns})
        label_columns, search_filters = translated[language]
        kwargs["label_columns"] = dict(label_columns)
        kwargs["form_fields"] = {col: form[col]() for col in columns}
        kwargs["search_filters"] = {col: list(names) for col, names in search_filters.items()}
        kwargs["active_filters"] = self.filters.get_filters_values_tojson()
        # FAB's own __call__ would translate them all again: skip to its base.
        return RenderTemplateWidget.__call__(self, **kwargs)
