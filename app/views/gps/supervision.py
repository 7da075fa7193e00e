"""【项目监督】→【项目监督】 (GPS manual §6, docs/supervision.md): the
regulator's list of filed projects in its region and below, its filters,
【导出】 and the REST list.

The rows are `supervision_project` (derived, kept current by
app/supervision.py); this module only reads them. One query builder,
`listing()`, backs the page, the export and the REST list, so the three can
never disagree on scope or filters. A page is the scope filter + filters +
ORDER BY + LIMIT plus one COUNT: at 100,000 projects it stays on the
(region_code, filed_at) and (flag_id, plan_id) indexes (bench/supervision_bench.py).
"""
import datetime as dt
import re
import tempfile
from decimal import Decimal, InvalidOperation

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import gettext, lazy_gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, case, false, func, or_, select, true

from ...audit import record
from ...downloads import XLSX, send_download
from ...extensions import db, read
from ...models import (CATEGORIES, PROCUREMENT_METHODS, SUPERVISION_STAGES, ProjectFlag, Region,
                       SupervisionProject)
from ...scope import in_region_subtree, is_admin
from ...rules.flags import FLAGS
from ..common.base import TranslatedResponses
from ..common.counting import MoreThan, at_most
from . import supervision_names as names
from .regulators import RegulatorsOnly

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
# An .xlsx of 100,000 rows is ~5 MB and a minute of the regulator's
# spreadsheet; more than that is a question the filters should narrow.
MAX_EXPORT = 100_000
EXPORT_BATCH = 1000
MAX_BUDGET = Decimal("99999999999999.99")  # Numeric(16, 2)
GUIDE_URL = "/supervision/project/{}"  # the 项目向导, its own view (docs/supervision.md)

FLAG_NAMES = {flag.id: flag.name for flag in FLAGS}

SP = SupervisionProject
# ?sort= may name only these; anything else would let a URL order by (and so
# probe) a column nobody meant to expose.
SORTS = {
    "filed_at": SP.filed_at, "plan_no": SP.plan_no, "project_code": SP.project_code,
    "project_name": SP.project_name, "unit_name": SP.unit_name, "region": SP.region_code,
    "budget": SP.budget, "flags": SP.flag_count,
    # The stages in the order a project goes through them, not by their characters.
    "stage": case({stage: i for i, stage in enumerate(SUPERVISION_STAGES)}, value=SP.stage,
                  else_=len(SUPERVISION_STAGES)),
}
# What a row shows: plain columns, not entities (no identity map to fill,
# nothing to expunge while 100,000 rows stream past).
COLUMNS = (SP.plan_id, SP.plan_no, SP.project_code, SP.project_name, SP.unit_name,
           SP.region_code, SP.procurement_method, SP.category, SP.budget, SP.filed_at,
           SP.stage, SP.flag_count)
KEYS = tuple(column.key for column in COLUMNS)


# --- who may look ---------------------------------------------------------------

def scope_clause(user):
    """The regulator's region and every region below; Admin everything."""
    if user is None:
        return false()
    if is_admin(user):
        return true()
    org = user.organisation
    if org is None or org.org_type != "监管部门":
        return false()
    return in_region_subtree(SP.region_code, org.region.path)


def regions_in_scope(user) -> list:
    """(code, name) of each region the filter offers: plain rows, as the
    page needs no more (and a province's list is its longest menu)."""
    query = select(Region.code, Region.name).order_by(Region.path)
    if not is_admin(user):
        query = query.where(Region.path.like(user.organisation.region.path + "%"))
    return read(query).all()


# --- the filters ----------------------------------------------------------------

class Listing:
    """The parsed GET parameters: the WHERE clauses, the ORDER BY, the page
    asked for, what was ignored (in Chinese) and the values to show back."""

    def __init__(self, user, args, refusing=False):
        # The page shows what it ignored and lists the rest; the REST API
        # refuses the whole request (400), so its messages say no "已忽略".
        self.refusing = refusing
        self.user = user
        self.messages = []
        self.values = {}
        self.where = [scope_clause(user)]
        self._parse(args)

    def _arg(self, args, name, limit=100):
        value = args.get(name, "")
        if not isinstance(value, str):
            return ""
        value = value.strip()
        if "\x00" in value or len(value) > limit:
            self._bad(name)
            return ""
        return value

    def _bad(self, name, message=None):
        label = LABELS.get(name, name)
        message = message or gettext("筛选条件“%(name)s”的值无效，已忽略", name=label)
        if self.refusing:
            message = message.removesuffix(gettext("，已忽略"))
        self.messages.append(message)

    def _parse(self, args):
        region = self._arg(args, "region", 6)
        own = self._switch(args, "region_only")
        if region:
            found = None
            if re.fullmatch(r"[0-9]{6}", region):
                found = db.session.query(Region).filter(Region.code == region).first()
            in_scope = found is not None and (
                is_admin(self.user) or found.path.startswith(self.user.organisation.region.path))
            if in_scope and own:
                # 仅本级: the dashboard's “<name>本级” bar counts exactly these.
                self.where.append(SP.region_code == found.code)
                self.values["region"] = region
                self.values["region_only"] = "1"
            elif in_scope:
                self.where.append(in_region_subtree(SP.region_code, found.path))
                self.values["region"] = region
            else:
                self._bad("region", gettext("行政区划“%(code)s”不在您的监管范围内，已忽略",
                                            code=region))
        elif own:
            self._bad("region_only", gettext("“仅本级”须与行政区划一同选择，已忽略"))
        for name, column, allowed in (("method", SP.procurement_method, PROCUREMENT_METHODS),
                                      ("category", SP.category, CATEGORIES),
                                      ("stage", SP.stage, SUPERVISION_STAGES)):
            value = self._arg(args, name, 20)
            if value in allowed:
                self.where.append(column == value)
                self.values[name] = value
            elif value:
                self._bad(name)
        flag = self._arg(args, "flag", 8)
        if flag in FLAG_NAMES:
            # A semi-join, not a join: a project with three YJ04 rows is listed
            # once. IN (not a correlated EXISTS) lets the database start from the
            # few projects carrying the flag ((flag_id, plan_id) index) instead
            # of probing every project in scope.
            self.where.append(SP.plan_id.in_(select(ProjectFlag.plan_id)
                                             .where(ProjectFlag.flag_id == flag)))
            self.values["flag"] = flag
        elif flag:
            self._bad("flag")
        start, end = self._date(args, "from"), self._date(args, "to")
        if start and end and start > end:
            self._bad("to", gettext("计划备案时间的起始日期晚于截止日期，已忽略"))
        else:
            if start:
                self.where.append(SP.filed_at >= dt.datetime.combine(start, dt.time()))
            if end:  # the whole day `to` counts
                self.where.append(SP.filed_at < dt.datetime.combine(end + dt.timedelta(1),
                                                                    dt.time()))
        low, high = self._amount(args, "budget_min"), self._amount(args, "budget_max")
        if low is not None:
            self.where.append(SP.budget >= low)
        if high is not None:
            self.where.append(SP.budget <= high)
        self.search = self._arg(args, "q")
        if self.search:
            # Substring, not prefix: regulators remember a fragment of a name
            # (“教育局”, “多媒体”) more often than its first characters. It is a
            # scan, but of the rows left after the scope and other filters.
            like = [column.contains(self.search, autoescape=True)
                    for column in (SP.plan_no, SP.project_code, SP.project_name, SP.unit_name)]
            self.where.append(or_(*like))
            self.values["q"] = self.search
        sort = self._arg(args, "sort", 20)
        if sort and sort not in SORTS:
            self._bad("sort")
            sort = ""
        self.sort = sort or "filed_at"
        order = self._arg(args, "order", 4)
        if order and order not in ("asc", "desc"):
            self._bad("order")
            order = ""
        self.order = order or "desc"
        if sort:
            self.values["sort"] = sort
        if order:
            self.values["order"] = order
        self.psize = self._int(args, "psize", PAGE_SIZE, MAX_PAGE_SIZE)
        if self.psize != PAGE_SIZE:
            self.values["psize"] = str(self.psize)
        self.page = self._int(args, "page", 1, None)

    def _switch(self, args, name) -> bool:
        """A checkbox: "1" on, "0" or absent off, anything else named and off."""
        value = self._arg(args, name, 1)
        if value not in ("", "0", "1"):
            self._bad(name)
        return value == "1"

    def _date(self, args, name):
        value = self._arg(args, name, 10)
        if not value:
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self._bad(name, gettext("日期“%(value)s”无效，请按 2026-01-31 的格式填写，已忽略",
                                    value=value))
            return None
        if not 2000 <= day.year <= 2099:  # the years every date column holds
            self._bad(name, gettext("日期“%(value)s”须在2000-01-01至2099-12-31之间，已忽略",
                                    value=value))
            return None
        self.values[name] = value
        return day

    def _amount(self, args, name):
        value = self._arg(args, name, 20).replace(",", "")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_BUDGET:
            self._bad(name, gettext("金额“%(value)s”无效，请填写不小于0的数字（元），已忽略",
                                    value=value))
            return None
        self.values[name] = value
        return amount

    def _int(self, args, name, default, cap):
        value = self._arg(args, name, 12)
        if not value:
            return default
        if not re.fullmatch(r"[0-9]{1,9}", value) or int(value) < 1:
            self._bad(name)
            return default
        if cap is not None and int(value) > cap:
            self.messages.append(gettext("每页最多 %(n)s 项（%(name)s 不得超过 %(n)s）", n=cap,
                                         name=name) if self.refusing
                                 else gettext("每页最多显示 %(n)s 项", n=cap))
            return cap
        return int(value)

    # --- the queries --------------------------------------------------------------

    def clause(self):
        return and_(*self.where)

    def ordering(self):
        column = SORTS[self.sort]
        first = column.asc() if self.order == "asc" else column.desc()
        # plan_id breaks ties so pages never overlap or skip a row.
        return [first, SP.plan_id.asc() if self.order == "asc" else SP.plan_id.desc()]

    def count(self, cap: int | None = None) -> int:
        """The matching rows; with `cap`, counted no further than cap + 1
        (MoreThan(cap) past it), as the FAB lists do (views/common/counting.py):
        a province regulator's unfiltered list is ~830,000 rows at 1,000,000."""
        if cap is None:
            return read(select(func.count()).select_from(SP).where(self.clause())).scalar_one()
        seen = select(SP.plan_id).where(self.clause()).limit(cap + 1).subquery()
        return at_most(read(select(func.count()).select_from(seen)).scalar_one(), cap)

    def rows(self, total, names=None):
        """The page asked for as dicts, kept within 1..pages unless the count
        stopped at a cap (then the rows past it are there to page to).
        `names`: the regions' names if the caller has them already."""
        self.pages = max(1, -(-total // self.psize))
        if not isinstance(total, MoreThan):
            self.page = min(self.page, self.pages)
        query = (select(*COLUMNS).where(self.clause()).order_by(*self.ordering())
                 .offset((self.page - 1) * self.psize).limit(self.psize))
        return describe(read(query).all(), names)

    def stream(self):
        """Every matching row, in batches: never the whole list in memory
        (a server-side cursor on PostgreSQL)."""
        query = (select(*COLUMNS).where(self.clause()).order_by(*self.ordering())
                 .execution_options(yield_per=EXPORT_BATCH))
        for batch in read(query).partitions():
            yield from describe(batch)

    def query_string(self, **changes) -> str:
        from urllib.parse import urlencode

        values = {**self.values, **{k: v for k, v in changes.items() if v is not None}}
        return urlencode({k: v for k, v in values.items() if v != ""})


def describe(projects, names=None) -> list[dict]:
    """Rows as the page, the export and the API show them: with the region's
    name and the flags' ids (two small queries for the batch; the flags only
    for the rows that have any, about one in five; the names only if
    `names`, code → name, was not given)."""
    rows = [dict(zip(KEYS, p)) for p in projects]
    flagged = [row["plan_id"] for row in rows if row["flag_count"]]
    flags = {}
    if flagged:
        for plan_id, flag_id in read(
                select(ProjectFlag.plan_id, ProjectFlag.flag_id).distinct()
                .where(ProjectFlag.plan_id.in_(flagged)).order_by(ProjectFlag.flag_id)):
            flags.setdefault(plan_id, []).append(flag_id)
    if names is None:
        codes = {row["region_code"] for row in rows}
        names = dict(read(select(Region.code, Region.name)
                          .where(Region.code.in_(codes))).all()) if codes else {}
    for row in rows:
        row["region_name"] = names.get(row["region_code"], row["region_code"])
        found = row["flags"] = flags.get(row["plan_id"], [])
        row["flag_names"] = [f"{f} {FLAG_NAMES.get(f, '')}" for f in found]
    return rows


def filter_choices(listing, regions, word, flag_name) -> dict:
    """Each filter's <option>s, in the reader's language, the chosen one
    selected: written here in one pass, as the table's rows are."""
    v = listing.values

    def options(name, pairs):
        return Markup("".join(
            f'<option value="{escape(value)}"{" selected" if v.get(name) == value else ""}>'
            f'{escape(text)}</option>' for value, text in pairs))

    def of(name, values, text):
        return options(name, ((value, text(value)) for value in values))

    return {
        "region": options("region", ((code, f"{name}（{code}）") for code, name in regions)),
        "method": of("method", PROCUREMENT_METHODS, word),
        "category": of("category", CATEGORIES, word),
        "stage": of("stage", SUPERVISION_STAGES, word),
        "flag": of("flag", FLAG_NAMES, lambda flag_id: f"{flag_id} {flag_name(flag_id)}"),
        "sort": Markup("".join(
            f'<option value="{key}"{" selected" if listing.sort == key else ""}>'
            f'{escape(gettext("按%(label)s", label=label))}</option>'
            for key, label in SORT_LABELS.items())),
    }


def table_body(rows, word, flag_name, guide_label) -> Markup:
    """The table's rows as HTML, escaped and formatted here in one pass: in
    the template the 20 rows × 14 cells were most of the page's rendering,
    and the page's time beyond its SQL is what bench/supervision_bench.py
    holds to 2× (docs/benchmarks.md)."""
    e, label = escape, escape(guide_label)
    out = []
    for row in rows:
        flags = [f"{f} {flag_name(f)}" for f in row["flags"]]
        if row["flag_count"]:
            cell = (f'<span class="label label-danger flag-badge" title="{e("；".join(flags))}">'
                    f'{row["flag_count"]}</span> <small class="flag-names">{e("、".join(flags))}</small>')
        else:
            cell = '<span class="text-muted">0</span>'
        out.append(
            f'<tr class="supervision-row" data-plan="{row["plan_id"]}">'
            f'<td class="plan-no">{e(row["plan_no"])}</td><td>{e(row["project_code"] or "—")}</td>'
            f'<td>{e(row["project_name"])}</td><td>{e(row["unit_name"])}</td>'
            f'<td>{e(row["region_name"])}</td><td>{e(word(row["procurement_method"]))}</td>'
            f'<td>{e(word(row["category"]))}</td><td class="text-right">{row["budget"]:,.2f}</td>'
            f'<td>{row["filed_at"]:%Y-%m-%d %H:%M}</td><td>{e(word(row["stage"]))}</td>'
            f'<td class="flags">{cell}</td>'
            f'<td><a class="btn btn-sm btn-primary btn-guide" href="{GUIDE_URL.format(row["plan_id"])}">'
            f'{label}</a></td></tr>')
    return Markup("\n".join(out))


LABELS = {
    "region": _("行政区划"), "region_only": _("仅本级"), "method": _("采购方式"), "category": _("采购类别"),
    "stage": _("当前阶段"), "flag": _("预警"), "from": _("计划备案时间（起）"),
    "to": _("计划备案时间（止）"), "budget_min": _("预算金额（元）不低于"),
    "budget_max": _("预算金额（元）不高于"), "q": _("关键字"), "sort": _("排序"),
    "order": _("排序方向"), "page": _("页码"), "psize": _("每页项数"),
}
EXPORT_HEADERS = ("计划编号", "项目编号", "项目名称", "采购单位", "行政区划", "采购方式", "采购类别",
                  "预算金额（元）", "计划备案时间", "当前阶段", "预警数", "预警")
EXPORT_WIDTHS = (22, 22, 40, 28, 12, 12, 10, 16, 18, 12, 8, 40)


def export_file(rows, out) -> int:
    """Write the rows to `out` as .xlsx (app/xlsx.py: streamed, flat memory).
    Amounts are numbers; text is text, never a formula: a project named
    “=HYPERLINK(…)” must not run in the reader's spreadsheet."""
    from ... import xlsx

    def cells():
        for row in rows:
            yield (row["plan_no"], row["project_code"], row["project_name"], row["unit_name"],
                   row["region_name"], row["procurement_method"], row["category"],
                   row["budget"], row["filed_at"], row["stage"], row["flag_count"],
                   "、".join(row["flag_names"]))

    formats = [None] * 7 + ["#,##0.00", "yyyy-mm-dd hh:mm"]
    return xlsx.write(out, "项目监督", [str(h) for h in EXPORT_HEADERS], cells(),
                      widths=EXPORT_WIDTHS, formats=formats)


# --- the page, the export, the API ---------------------------------------------

class SupervisionView(RegulatorsOnly, BaseView):
    route_base = "/supervision"
    class_permission_name = "Supervision"
    method_permission_name = {"list": "read", "export": "export"}
    default_view = "list"

    @expose("/")
    @has_access
    def list(self):
        listing = Listing(g.user, request.args)
        total = listing.count(cap=current_app.config["LIST_COUNT_CAP"])
        shown = names.translators()
        regions = regions_in_scope(g.user)  # the filter's list: every row's region is in it
        rows = listing.rows(total, dict(regions))
        return self.render_template(
            "supervision/list.html", title=_("项目监督"), row_count=len(rows), total=total,
            body=table_body(rows, guide_label=gettext("项目向导"), **shown),
            listing=listing, messages=listing.messages,
            choices=filter_choices(listing, regions, **shown))

    @expose("/export")
    @has_access
    def export(self):
        """【导出】: the list as filtered, as .xlsx (at most MAX_EXPORT rows)."""
        listing = Listing(g.user, request.args)
        if listing.messages:
            # A file of a wider list than asked for would pass unnoticed: back
            # to the list, which names what it could not use.
            flash(gettext("筛选条件有误，未导出；请修正后再点击【导出】"), "danger")
            return redirect(url_for(".list") + "?" + request.query_string.decode("utf-8", "replace"))
        if isinstance(listing.count(cap=MAX_EXPORT), MoreThan):
            flash(gettext("符合条件的项目超过导出上限 %(max)s 项，请缩小筛选范围后再导出",
                          max=MAX_EXPORT), "danger")
            return redirect(url_for(".list") + "?" + listing.query_string())
        # A temporary file, not memory: app/xlsx.py keeps nothing but the
        # current rows; send_download streams the finished file.
        out = tempfile.TemporaryFile(suffix=".xlsx")
        n = export_file(listing.stream(), out)
        out.seek(0)
        record(g.user, "导出", SP(), detail=f"导出项目监督 {n} 项 {listing.query_string()}"[:500])
        db.session.commit()
        return send_download(out, "项目监督.xlsx", "supervision.xlsx", mimetype=XLSX)


SORT_LABELS = {
    "filed_at": _("计划备案时间"), "plan_no": _("计划编号"), "project_code": _("项目编号"),
    "project_name": _("项目名称"), "unit_name": _("采购单位"), "region": _("行政区划"),
    "budget": _("预算金额（元）"), "stage": _("当前阶段"), "flags": _("预警"),
}


class SupervisionApi(RegulatorsOnly, TranslatedResponses, BaseApi):
    resource_name = "supervision"
    route_base = "/api/v1/supervision"
    class_permission_name = "Supervision"
    method_permission_name = {"get_list": "read"}
    allow_browser_login = False
    openapi_spec_tag = "Supervision"

    @api_expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """【项目监督】 list: the caller's region and below, filtered.
        ---
        get:
          summary: 项目监督 list (scope and filters as on /supervision/)
          parameters:
          - {in: query, name: region, schema: {type: string}, description: 行政区划代码 (its subtree)}
          - {in: query, name: region_only, schema: {type: string, enum: ["0", "1"]}, description: "1 仅本级: only projects of `region` itself, not of the regions below (needs region)"}
          - {in: query, name: method, schema: {type: string}, description: 采购方式}
          - {in: query, name: category, schema: {type: string}, description: 采购类别}
          - {in: query, name: stage, schema: {type: string}, description: 当前阶段}
          - {in: query, name: flag, schema: {type: string}, description: 预警 id YJ01–YJ14}
          - {in: query, name: from, schema: {type: string, format: date}, description: 计划备案 from}
          - {in: query, name: to, schema: {type: string, format: date}, description: 计划备案 to}
          - {in: query, name: budget_min, schema: {type: number}}
          - {in: query, name: budget_max, schema: {type: number}}
          - {in: query, name: q, schema: {type: string}, description: 项目编号/计划编号/名称/采购单位 (substring)}
          - {in: query, name: sort, schema: {type: string, enum: [filed_at, plan_no, project_code, project_name, unit_name, region, budget, stage, flags]}}
          - {in: query, name: order, schema: {type: string, enum: [asc, desc]}}
          - {in: query, name: page, schema: {type: integer, minimum: 1}}
          - {in: query, name: psize, schema: {type: integer, minimum: 1, maximum: 100}}
          responses:
            200:
              description: one page of projects and the total
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count: {type: integer}
                      page: {type: integer}
                      pages: {type: integer}
                      result: {type: array, items: {type: object}}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        listing = Listing(g.user, request.args, refusing=True)
        if listing.messages:
            return self.response_400(message="；".join(listing.messages))
        total = listing.count()
        rows = listing.rows(total)
        return self.response(200, count=total, page=listing.page, pages=listing.pages, result=[
            {**row, "budget": f"{row['budget']:.2f}",
             "filed_at": row["filed_at"].isoformat(timespec="seconds")} for row in rows])
