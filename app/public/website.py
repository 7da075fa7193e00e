"""公共资源交易网: the pages and feeds of a trading site's public website.

    /web/                              home: the newest notices of every column
    /web/<slug>/                       a column: search (标题, 项目编号, 发布日期), 20 a page
    /web/<slug>/feed.atom, rss.xml     the column's newest notices as Atom / RSS
    /web/notices/<id>                  one notice with its lots

No login; only published notices, whatever the URL. Plain server-rendered
HTML with no scripts (the site's CSP allows nothing external anyway).
"""
import hashlib
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from ..extensions import db
from ..models import NOTICE_COLUMNS, Region
from . import feeds, notices, query
from . import search as notice_search
from .columns import SLUG_OF, SLUGS
from .page_cache import kept_page
from .sanitise import clean_html

HOME_SIZE = 8

website = Blueprint("website", __name__, url_prefix="/web", template_folder="templates")


def site_name() -> str:
    """平顶山市公共资源交易网: the platform's region name, looked up once per app."""
    cache = current_app.extensions.setdefault("website", {})
    if "site_name" not in cache:
        code = current_app.config.get("PLATFORM_CODE")
        region = db.session.get(Region, code) if code else None
        cache["site_name"] = f"{region.name if region else ''}公共资源交易网"
    return cache["site_name"]


def links() -> dict:
    """The site's fixed URLs, built once per app and script root: a list page
    shows up to 40 links, and url_for costs ~20 µs each."""
    cache = current_app.extensions.setdefault("website", {}).setdefault("links", {})
    root = request.script_root
    if root not in cache:
        cache[root] = {
            "home": url_for("website.home"),
            "column": {slug: url_for("website.column", slug=slug) for slug in SLUGS},
            "atom": {slug: url_for("website.atom", slug=slug) for slug in SLUGS},
            "rss": {slug: url_for("website.rss", slug=slug) for slug in SLUGS},
            # /web/notices/<id>: the prefix, then the id
            "notice": url_for("website.notice", notice_id=0).removesuffix("0"),
        }
    return cache[root]


@website.context_processor
def _context():
    return {"site_name": site_name(), "columns": list(SLUGS.items()), "links": links()}


@website.app_template_filter("money")
def _money(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f} 元"
    except (InvalidOperation, ValueError):
        return str(value)


@website.errorhandler(404)
def _not_found(error):
    return not_found_page()


def not_found_page():
    return render_template("website/not_found.html", **_context()), 404


def error_page(error):
    """The website's own page for an address under /web that no page matched
    (/web/notices/abc) or a method its pages do not take (PUT /web/): the
    app's handler answers those (app/errors.py), outside the blueprint and
    its context processor. None: the app's own page."""
    if error.code == 404:
        return not_found_page()
    if error.code == 405:
        return (render_template("website/not_found.html", title="操作方式不正确",
                                message="公共资源交易网的页面只供浏览和查询，不支持这种操作方式。",
                                **_context()), 405, [h for h in error.get_headers()
                                                      if h[0] == "Allow"])
    return None


def _column_or_404(slug: str) -> str:
    name = SLUGS.get(slug)
    if name is None:
        abort(404)
    return name


@website.route("/")
@kept_page(by_query=False)
def home():
    latest = [(SLUG_OF[name], name, notices.newest(name, HOME_SIZE)) for name in NOTICE_COLUMNS]
    return render_template("website/home.html", latest=latest)


@website.route("/<slug>/")
@kept_page
def column(slug):
    name = _column_or_404(slug)
    search = query.parse(request.args)
    more = False
    if search.empty_range:
        total, rows, search.page = 0, [], 1
    else:
        listing = notice_search.Listing(name, search.title, search.code, search.start, search.end)
        rows, total, shown = listing.fetch(search.page, query.PER_PAGE)
        more = listing.more
        if listing.scan:
            search.messages.append(
                f"只输入一个字时，只在最新的 {notice_search.SCAN_WINDOW} 条公告中查找，"
                f"最多列出 {notice_search.SEARCH_LIMIT} 条；请输入两个或更多的字。")
        elif listing.more:
            search.messages.append(
                f"符合条件的公告超过 {notice_search.SEARCH_LIMIT} 条，只列出最新的 "
                f"{notice_search.SEARCH_LIMIT} 条；请输入更多的字，或限定发布日期。")
        if shown < search.page:
            if total:
                search.messages.append(f"共{shown}页，已显示最后一页。")
            search.page = shown
    last = query.last_page(total)
    base = links()["column"][slug]

    def page_url(number: int) -> str:
        params = search.params(number)
        return f"{base}?{urlencode(params)}" if params else base

    return render_template("website/column.html", slug=slug, name=name, search=search,
                           rows=rows, total=total, more=more, last=last, page_url=page_url,
                           pages=query.window(search.page, last))


@website.route("/notices/<int(max=2147483647):notice_id>")  # an INTEGER id, also on PostgreSQL
@kept_page(by_query=False)
def notice(notice_id):
    row = notices.get_published(notice_id)
    if row is None:
        abort(404)
    body = Markup(clean_html(row.body_html))  # sanitised just now
    return render_template("website/notice.html", notice=row, body=body,
                           slug=SLUG_OF[row.column])


def _feed(slug: str, kind: str, mimetype: str):
    """The feed, or 304 when the reader already has it: feed readers poll, and
    the ETag (what the entries are, which version) costs nothing to check."""
    name = _column_or_404(slug)
    entries = notices.feed_entries(name, feeds.FEED_SIZE)
    etag = hashlib.sha256(f"{kind}|{request.host}|{request.script_root}|".encode() + "|".join(
        f"{n.id}:{n.version}" for n in entries).encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        notice_url = url_for(".notice", notice_id=0, _external=True).removesuffix("0")
        response = current_app.response_class(feeds.build(
            kind, site_name=site_name(), column=name, feed_url=request.base_url,
            page_url=url_for(".column", slug=slug, _external=True), notices=entries,
            detail_url=lambda n: f"{notice_url}{n.id}"), mimetype=mimetype)
    response.set_etag(etag)
    return response


@website.route("/<slug>/feed.atom")
def atom(slug):
    return _feed(slug, "atom", "application/atom+xml")


@website.route("/<slug>/rss.xml")
def rss(slug):
    return _feed(slug, "rss", "application/rss+xml")
