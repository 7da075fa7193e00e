"""Error pages users can act on, in their language."""
import re
from urllib.parse import urlencode

from flask import (abort, current_app, flash, g, jsonify, redirect, render_template,
                   render_template_string, request, url_for)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import BuildError

from .rules.text import unencodable


def too_large_message() -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    return f"上传的内容超过{limit}MB，未保存任何内容，请压缩文件后重试"


BUSY_MESSAGE = "系统繁忙，数据库正被其他操作占用，本次操作未保存，请稍后重试"
BUSY_PAGE = """<!doctype html><html lang="zh"><meta charset="utf-8">
<title>系统繁忙</title><p>{{ message }}</p><p><a href="/">返回首页</a></p></html>"""


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/interop/", "/health"))


def database_locked(error: OperationalError) -> bool:
    return "database is locked" in str(getattr(error, "orig", error))


# Werkzeug's own pages ("Not Found", "The requested URL was not found on
# the server…") are English: a stale link or a record out of the user's
# scope showed them. Each code here gets a page in the site's frame.
HTTP_PAGES = {
    400: (_l("请求有误"), _l("提交的内容或地址中的参数无法识别，未作任何处理。请返回上一页，从页面上的按钮重新操作。")),
    403: (_l("无权访问"), _l("您没有访问此页面的权限。如需访问，请联系系统管理员。")),
    404: (_l("页面不存在"), _l("您访问的页面或记录不存在，或不在您的查看范围内。请从菜单重新进入。")),
    405: (_l("操作方式不正确"), _l("此页面不支持这种操作方式，请从页面上的按钮进行操作。")),
    500: (_l("系统错误"), _l("服务器内部错误，本次操作未完成，请稍后重试或联系系统管理员。")),
}

# The REST clients got the same English HTML pages (an unrouted URL, a junk
# id, a wrong method): under /api/ every such answer is JSON like the APIs' own.
API_MESSAGES = {
    403: _l("无权访问"),
    404: _l("接口不存在"),
    405: _l("不支持该请求方法"),
    500: _l("服务器内部错误，本次操作未完成，请稍后重试或联系系统管理员。"),
}


# A record key is an INTEGER column: PostgreSQL holds -2**31 … 2**31 - 1
# there (SQLite up to 2**63 - 1, 19 digits). A key outside that in a URL
# (pk, *_id, any <int:…>) or a list action's rowid is no record, but reached
# the query and failed there with a 500 (integer out of range on
# PostgreSQL, OverflowError on SQLite). Any other run of 19+ digits in a
# URL is refused as before.
_LONG_NUMBER = re.compile(r"[0-9]{19,}")
KEY_MIN, KEY_MAX = -2 ** 31, 2 ** 31 - 1


def readable_date(value) -> bool:
    """A date or time FAB's filters can read (dateutil, as they parse)."""
    from dateutil import parser

    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return False
    try:
        parser.parse(value)
    except (ValueError, OverflowError, TypeError):
        return False
    return True


def _impossible_key(value) -> bool:
    if isinstance(value, str):
        digits = value[1:] if value.startswith("-") else value
        if not (digits.isascii() and digits.isdigit()):
            return False  # not a number: the view answers it
        if len(digits.lstrip("0")) > 10:  # int() of thousands of digits is refused, slowly
            return True
        value = int(value)
    return (isinstance(value, int) and not isinstance(value, bool)
            and not KEY_MIN <= value <= KEY_MAX)


def refuse_impossible_keys():
    # Werkzeug's int converter reads any Unicode digits: /api/v1/plan/１ was
    # plan 1, and a PUT there changed it.
    if any(part.isdigit() and not part.isascii() for part in request.path.split("/")):
        abort(404)
    # A GET of an item whose id is no number matched only the item's PUT and
    # DELETE rules (their pk is text): 405 不支持该请求方法 for a missing item.
    missed = request.routing_exception
    if isinstance(missed, MethodNotAllowed) and request.method in ("GET", "HEAD") \
            and {"PUT", "DELETE"} & set(missed.valid_methods or ()) \
            and not request.path.rstrip("/").rsplit("/", 1)[-1].isdigit():
        abort(404)
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) or name == "pk" or name.endswith("_id"):
            if _impossible_key(value):
                abort(404)
        elif isinstance(value, str) and _LONG_NUMBER.fullmatch(value.lstrip("-")):
            abort(404)
    endpoint = request.endpoint or ""
    if endpoint.endswith((".action_post", ".action")):
        # FAB's actions: an unknown action name was an AttributeError (500).
        view = getattr(current_app.view_functions.get(endpoint), "__self__", None)
        name = (request.form.get("action") if endpoint.endswith("_post")
                else (request.view_args or {}).get("name"))
        if name not in getattr(view, "actions", {}):
            abort(404)
        if any(_impossible_key(rowid) for rowid in request.form.getlist("rowid")):
            abort(404)
    return None


# FAB reads every argument whose name holds "page_" as a page number and
# every one holding "psize_" as a page size, with int(): "abc", "1.5" or
# nothing was a ValueError (500), thirty digits an OFFSET the database
# refused, a negative page a negative OFFSET PostgreSQL refuses, and a page
# size of -1 or a million let one request read a whole table (SQLite takes
# LIMIT -1 as no limit). Such a value is left out: the list opens at its
# first page, at its own size. The page-size menu offers 25 to 100.
_PAGE_NAME = re.compile("page_")
_SIZE_NAME = re.compile("psize_")
MAX_PAGE = 999_999_999
MAX_PAGE_SIZE = 100


def _readable_paging(name: str, value: str) -> bool:
    if not value.isascii() or not value.isdigit() or len(value) > 9:
        return not (_PAGE_NAME.search(name) or _SIZE_NAME.search(name))
    return not _SIZE_NAME.search(name) or 1 <= int(value) <= MAX_PAGE_SIZE


# FAB reads _flt_<n>_<column> as the column's n-th filter (IndexError past
# the last: ?_flt_2_state=x) and _oc_<View>=<column> as an ORDER BY on
# whatever it names (a column the list lacks, a relation, `id` where there
# is none: the database's error). Both were 500s; the same patterns as FAB's.
_FILTER_ARG = re.compile(r"_flt_(\d)_(.*)")
_ORDER_ARG = re.compile("_oc_(.*)")


class _ListArguments:
    """What the request's views may be asked: the endpoint's own filters,
    and the sort columns of any view by name (a record's page sorts its
    related lists, each by its own _oc_<View>)."""

    def __init__(self):
        self.view = getattr(current_app.view_functions.get(request.endpoint), "__self__", None)
        self._views = None

    def known(self, name: str, value: str) -> bool:
        if (_FILTER_ARG.search(name) or _ORDER_ARG.search(name)) and "\x00" in value:
            return False  # PostgreSQL refuses NUL even in a WHERE (?_flt_0_username=%00)
        if match := _FILTER_ARG.search(name):
            return self._known_filter(int(match.group(1)), match.group(2), value)
        if match := _ORDER_ARG.search(name):
            return self._known_order(match.group(1), value)
        return True

    def unsearched(self, names) -> bool:
        """Any of `names` is a filter (_flt_…) that is none of the view's
        searched columns' (FAB leaves such a filter out)."""
        searched = getattr(self.view, "search_columns", None) or []
        return any(name.startswith("_flt_") and not (
            (match := _FILTER_ARG.fullmatch(name)) and match.group(2) in searched)
            for name in names)

    def _known_filter(self, index: int, column: str, value: str) -> bool:
        datamodel = getattr(self.view, "datamodel", None)
        if datamodel is None or column not in datamodel.get_columns_list():
            return True  # FAB leaves such a filter out itself
        filters = datamodel.filter_converter_class(datamodel).convert(column) or []
        if (datamodel.is_date(column) or datamodel.is_datetime(column)) \
                and value.strip() and not readable_date(value):
            return False  # FAB reads it as none: 大于/小于 showed every row
        return not filters or index < len(filters)

    def _known_order(self, view_name: str, column: str) -> bool:
        if self._views is None:
            self._views = {type(view).__name__: view for view in current_app.appbuilder.baseviews}
        columns = getattr(self._views.get(view_name), "order_columns", None)
        return columns is None or column in columns


def drop_unreadable_list_arguments():
    """Paging, filter and sort arguments a list cannot read are left out: a
    GET is sent to the same address without them (the list opens as if they
    were not there); any other request is refused. So is an 【导出】 with a
    filter it would leave out: dropped, it exported more than was asked
    (every expert with ID number and phone)."""
    if not request.args:
        return None
    args = list(request.args.items(multi=True))
    lists = _ListArguments()
    kept = [(name, value) for name, value in args
            if _readable_paging(name, value) and lists.known(name, value)]
    if (request.endpoint or "").endswith(".export") and (
            len(kept) != len(args) or lists.unsearched(name for name, _value in args)):
        return _export_refused(lists.view)
    if len(kept) == len(args):
        return None
    if request.method not in ("GET", "HEAD"):
        abort(400)
    if any(_FILTER_ARG.search(name) for name, _value in set(args) - set(kept)):
        flash(str(_l("筛选条件的值无法识别（如日期格式有误），已忽略该条件")), "warning")
    query = "?" + urlencode(kept) if kept else ""
    return redirect(request.script_root + request.path + query, code=303)


def _export_refused(view):
    flash(str(_l("筛选条件有误，未导出；请修正后再点击【导出】")), "danger")
    endpoint = getattr(view, "endpoint", None)
    try:
        back = url_for(f"{endpoint}.list") if endpoint else None
    except BuildError:
        back = None
    if back is None:
        # A page with no list (监督看板, a year's 节假日): the page its
        # 【导出】 sits on, the export's own address less /export.
        back = request.script_root + (request.path.rsplit("/export", 1)[0] or "/")
    return redirect(back, code=303)


UNENCODABLE = _l("提交的内容含有无法保存的字符（孤立的UTF-16代理项），请检查后重新提交。")


def refuse_unencodable_json():
    """A JSON body holding a lone surrogate is a 400 before any view reads it:
    the login API, a review's opinion, 选择计划, a holiday year each passed it
    to the database or to str.encode (a 500, reachable without an account).
    The sync inbox checks its own bodies (and records the refusal)."""
    if not request.is_json or request.path.startswith("/interop/"):
        return None
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested past Python's limit: silent catches only ValueError
        return jsonify(message=str(_l("请求内容不是有效的JSON。"))), 400
    if unencodable(body):
        return jsonify(message=str(UNENCODABLE)), 400
    return None


def init_app(app):
    app.before_request(refuse_unencodable_json)
    app.before_request(refuse_impossible_keys)
    app.before_request(drop_unreadable_list_arguments)
    # FAB's login form looks the user up with whatever was typed.
    guard_nul(app, "AuthDBView")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 500:
            # An unexpected failure (logged by Flask): the page below reads
            # the user's menu, which a failed transaction would refuse.
            from .extensions import db

            db.session.rollback()
        if _wants_json() and error.code in API_MESSAGES:
            headers = [h for h in error.get_headers() if h[0] != "Content-Type"]  # Allow
            return jsonify(message=str(API_MESSAGES[error.code])), error.code, headers
        for prefix, section_page in app.extensions.get("section_error_pages", {}).items():
            if request.path.startswith(prefix):  # a site section's own page
                if (answer := section_page(error)) is not None:
                    return answer
        page = HTTP_PAGES.get(error.code)
        if page is None or _wants_json() or request.blueprint == "rq_dashboard":
            return error
        title, message = page
        appbuilder = app.appbuilder
        return render_template("errors/http.html", title=title, message=message,
                               appbuilder=appbuilder, base_template=appbuilder.base_template,
                               current_app=app), error.code

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        # Flask-WTF's own 400 page says "The CSRF token is missing." in English.
        message = _l("页面已过期或缺少安全令牌，本次提交未保存。请刷新页面后重新填写提交。")
        if _wants_json() or request.path.startswith("/api/"):
            return jsonify(message=str(message)), 400
        # The check runs before FAB's own before_request has set g.user,
        # which the site's frame reads.
        if "user" not in g:
            g.user = current_user
        appbuilder = app.appbuilder
        return render_template("errors/http.html", title=_l("页面已过期"), message=message,
                               appbuilder=appbuilder, base_template=appbuilder.base_template,
                               current_app=app), 400

    @app.errorhandler(413)
    def too_large(error):
        message = too_large_message()
        if _wants_json():
            return jsonify(message=message), 413
        flash(message, "danger")
        # Back to the form (same site only: the referrer must be ours).
        referrer = request.referrer or ""
        same_site = referrer.startswith(request.host_url)
        return redirect(referrer if same_site else "/", code=303)

    @app.errorhandler(OperationalError)
    def busy(error):
        if not database_locked(error):
            raise error  # any other database failure stays a logged 500
        return busy_response(error)


def busy_response(error):
    """SQLite's writer lock still held by another process after the busy
    timeout (app/sqlite.py): nothing was saved, and trying again later will
    work, so say that (503) rather than a bare 500. Also used by the REST
    APIs, whose FAB @safe wrapper catches the error first (views/common/base.py)."""
    from .extensions import db

    db.session.rollback()
    current_app.logger.warning("database is locked: %s %s answered 503 (%s)",
                               request.method, request.path, error)
    headers = {"Retry-After": "5"}
    if _wants_json():
        return jsonify(error="database_busy", message=BUSY_MESSAGE), 503, headers
    return render_template_string(BUSY_PAGE, message=BUSY_MESSAGE), 503, headers


def refuse_nul():
    """PostgreSQL refuses NUL in text, even in a WHERE: a 500 deep inside
    whichever query meets it first. For views whose forms are read by hand
    (no WTForms validators to say it field by field): refused up front."""
    return _refused_nul([request.path, *(v for _, vs in request.args.lists() for v in vs),
                         *(v for _, vs in request.form.lists() for v in vs)])


def _refused_nul(values):
    if not any("\x00" in value for value in values):
        return None
    message = "提交的内容含有空字符（\\x00），未作任何处理，请检查后重新提交"
    if _wants_json():
        return jsonify(message=message), 400
    flash(message, "danger")
    referrer = request.referrer or ""
    return redirect(referrer if referrer.startswith(request.host_url) else "/", code=303)


def guard_nul(app, *blueprints: str) -> None:
    for name in blueprints:
        app.before_request_funcs.setdefault(name, []).append(refuse_nul)

