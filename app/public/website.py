"""公共资源交易网: the pages and feeds of a trading site's public website.

    /web/                              home: the newest notices of every column
    /web/<slug>/                       a column: search (标题, 项目编号, 发布日期), 20 a page
    /web/<slug>/feed.atom, rss.xml     the column's newest notices as Atom / RSS
    /web/notices/<id>                  one notice with its lots

No login; only published notices, whatever the URL. Plain server-rendered
HTML with no scripts (the site's CSP allows nothing external anyway).
"""
from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from ..extensions import db
from ..models import NOTICE_COLUMNS, Region
from . import feeds, notices, query
from .columns import SLUG_OF, SLUGS
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


@website.context_processor
def _context():
    return {"site_name": site_name(), "columns": [(slug, name) for slug, name in SLUGS.items()],
            "slug_of": SLUG_OF}


@website.app_template_filter("money")
def _money(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return f"{float(value):,.2f} 元"
    except (TypeError, ValueError):
        return str(value)


@website.errorhandler(404)
def _not_found(error):
    return render_template("website/not_found.html"), 404


def _column_or_404(slug: str) -> str:
    name = SLUGS.get(slug)
    if name is None:
        abort(404)
    return name


@website.route("/")
def home():
    latest = [(SLUG_OF[name], name, notices.newest(name, HOME_SIZE)) for name in NOTICE_COLUMNS]
    return render_template("website/home.html", latest=latest)


@website.route("/<slug>/")
def column(slug):
    name = _column_or_404(slug)
    search = query.parse(request.args)
    if search.empty_range:
        total, rows = 0, []
    else:
        listing = notices.Listing(name, search.title, search.code, search.start, search.end)
        total = listing.count()
        last = query.last_page(total)
        if search.page > last:
            if total:
                search.messages.append(f"共{last}页，已显示最后一页。")
            search.page = last
        rows = listing.page((search.page - 1) * query.PER_PAGE, query.PER_PAGE)
    last = query.last_page(total)
    return render_template("website/column.html", slug=slug, name=name, search=search,
                           rows=rows, total=total, last=last,
                           pages=query.window(search.page, last))


@website.route("/notices/<int:notice_id>")
def notice(notice_id):
    row = notices.get_published(notice_id)
    if row is None:
        abort(404)
    body = Markup(clean_html(row.body_html))  # noqa: S704 (sanitised just now)
    return render_template("website/notice.html", notice=row, body=body,
                           slug=SLUG_OF[row.column])


def _feed(slug: str, kind: str, mimetype: str):
    name = _column_or_404(slug)
    content = feeds.build(
        kind, site_name=site_name(), column=name,
        feed_url=request.base_url, page_url=url_for(".column", slug=slug, _external=True),
        notices=notices.feed_entries(name, feeds.FEED_SIZE),
        detail_url=lambda n: url_for(".notice", notice_id=n.id, _external=True))
    return current_app.response_class(content, mimetype=mimetype)


@website.route("/<slug>/feed.atom")
def atom(slug):
    return _feed(slug, "atom", "application/atom+xml")


@website.route("/<slug>/rss.xml")
def rss(slug):
    return _feed(slug, "rss", "application/rss+xml")
