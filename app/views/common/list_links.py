"""The list pages' pager, page-size and sort links, built from one url_for.

FAB's link_page, link_page_size and link_order filters copy the request's
arguments and call url_for for each link: about 30 µs each, and a 采购计划
page has 20 to 40 of them (a link per page shown, per page size, per
sortable column), ~1 ms of a page whose fixed Python is the rest of #17
item 1's ratio. The path is the same for every link of a page; only the
query string differs. So the path is built once per request by url_for and
each link's query string is encoded as Werkzeug encodes it. The links are
FAB's, character for character (tests/test_list_links.py); a request with
an argument named as one of the route's own variables gets FAB's filter
itself. One difference: FAB hands the page's arguments to url_for as its
keywords, so `?_method=POST` on any list page was a 500 (BuildError),
`?endpoint=x` a 500 (TypeError) and `?_anchor=x` put #x on every link; here
those are query arguments like any other.

The pager and the page-size menu around those links (lib.html's
render_pagination and render_set_page_size) are written here too, by
`pager`: as macros they were some forty Jinja calls a page for thirteen
links. The HTML is the macros' (tests/test_list_links.py renders both).
"""
import math
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape

# Werkzeug's query encoding (werkzeug.urls._urlencode, used by url_for).
_SAFE = "!$'()*,/:;?@"
_KEY = "gps.list_links"


def _base():
    """(path, the arguments as FAB's filters read them), once per request;
    None when url_for would not treat the arguments as a query string."""
    if _KEY not in request.environ:
        args = request.args.to_dict()
        # Names the endpoint's routes read (their variables and defaults):
        # url_for would put those in the path or choose a route by them.
        own = set()
        if request.endpoint is not None:
            for rule in current_app.url_map.iter_rules(request.endpoint):
                own |= rule.arguments | set(rule.defaults or ())
        # url_default_functions is a defaultdict: a key read once stays,
        # with no function in it (templating.py asks the same way).
        plain = (request.endpoint is not None and not (args.keys() & own)
                 and not any(current_app.url_default_functions.values()))
        path = url_for(request.endpoint, **(request.view_args or {})) if plain else None
        # A path that already has a query (a route's defaults left over) is
        # one FAB's url_for call would have merged with the rest: FAB's.
        request.environ[_KEY] = (path, args) if path is not None and "?" not in path else None
    return request.environ[_KEY]


def _link(fab_filter, changes):
    base = _base()
    if base is None:
        return fab_filter()
    path, args = base
    args = dict(args)
    args.update(changes)
    items = [(key, value) for key, value in args.items() if value is not None]  # as Werkzeug
    return f"{path}?{urlencode(items, safe=_SAFE)}" if items else path


def _fab(name):
    """FAB's own filter of that name, as register() found it."""
    return current_app.extensions[_KEY][name]


def link_page(page, modelview_name):
    return _link(lambda: _fab("link_page")(page, modelview_name),
                 {"page_" + modelview_name: page})


def link_page_size(page_size, modelview_name):
    return _link(lambda: _fab("link_page_size")(page_size, modelview_name),
                 {"psize_" + modelview_name: page_size})


def link_order(column, modelview_name):
    # FAB's rule: a sorted list's link flips the direction (asc → desc,
    # anything else → asc); an unsorted one sorts ascending.
    order_column, direction = "_oc_" + modelview_name, "_od_" + modelview_name
    if order_column in request.args:
        flipped = "desc" if request.args.get(direction) == "asc" else "asc"
    else:
        flipped = "asc"
    return _link(lambda: _fab("link_order")(column, modelview_name),
                 {order_column: column, direction: flipped})


def register(app) -> None:
    """Put these in place of FAB's three filters (registered by FAB's
    TemplateFilters when the appbuilder was set up), keeping FAB's for the
    requests they must answer, and the pager beside them."""
    app.extensions[_KEY] = {name: app.jinja_env.filters[name]
                            for name in ("link_page", "link_page_size", "link_order")}
    app.jinja_env.filters.update(link_page=link_page, link_page_size=link_page_size,
                                 link_order=link_order)
    app.jinja_env.globals["pager"] = pager


def pager(page, page_size, count, modelview_name) -> Markup:
    """lib.html's render_pagination, then its render_set_page_size: the
    pages around this one (seven at most), the first, previous, next and
    last, and the page sizes 25–100 that leave this page inside the list."""
    page = page or 0
    pages = int(math.ceil(count / page_size))
    if pages <= 1:
        return Markup("")
    low, high = page - 3, page + 3 + 1
    if low < 0:
        high -= low
    if high >= pages:
        low = low - high + pages
    low, high = max(low, 0), min(high, pages)

    def item(to, text):
        if to is None:
            return f'<li class="disabled"><a href="#">{text}</a></li>'
        return f'<li><a href="{escape(link_page(to, modelview_name))}">{text}</a></li>'

    out = ['<ul class="pagination pagination-sm" style="display:inherit;">',
           item(0 if low > 0 else None, "&laquo;"),
           item(page - 1 if page > 0 else None, "&lt;")]
    for p in range(low, high):
        out.append(f'<li class="active"><a href="#">{p + 1}</a></li>' if p == page
                   else item(p, p + 1))
    out += [item(page + 1 if page + 1 < pages else None, "&gt;"),
            item(pages - 1 if high < pages else None, "&raquo;"),
            "</ul>",
            '<div class="btn-group"><button type="button" class="btn btn-default btn-sm '
            f'dropdown-toggle" data-toggle="dropdown">\n{escape(gettext("Page size"))}'
            '<span class="caret"></span></button><ul class="dropdown-menu" role="menu">']
    for size in range(25, 125, 25):
        if page * size <= count:
            active = ' class="active"' if size == page_size else ""
            out.append(f'<li{active}><a href="{escape(link_page_size(size, modelview_name))}">'
                       f"{size}</a></li>")
    out.append("</ul></div>")
    return Markup("".join(out))
