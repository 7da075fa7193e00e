"""【项目监督】→【监督看板】: the regulator's projects in figures and charts.

One page (`/supervision/dashboard`) and its data as JSON
(`/supervision/dashboard/data`), both over `supervision_project` and
`project_flag` (docs/supervision.md): for whole months, sums of the counts
the sweeper keeps (app/supervision_tally.py); for other dates one GROUP BY
query per chart, read at most once a minute per scope and filters
(`_figures`). The page
carries its data in a <script type="application/json"> block and
app/static/js/supervision_dashboard.js draws it with the vendored Apache
ECharts (app/static/vendor/echarts/): the Content-Security-Policy allows no
inline script.

Every bar or segment links to 【项目监督】 (`/supervision/`) with the list's
own parameters, so a click shows the projects that were counted (the
“<name>本级” bar with `region_only=1`: the region itself, not its subtree). For that
reason every month here is the month of 计划备案 (`filed_at`), the one date
the list filters on, and 预警 count projects, not flags.

Who sees what: the regulator's region and every region below it, Admin
everything; any other organisation gets 404 on both URLs.
"""
import datetime as dt
import re
import tempfile
import time
from decimal import Decimal
from urllib.parse import urlencode

from flask import current_app, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import String, and_, cast, func, select, true

from ... import supervision_tally
from ...audit import record
from ...downloads import XLSX, send_download
from ...extensions import db
from ...models import PROCUREMENT_METHODS, SUPERVISION_STAGES, ProjectFlag, Region, SupervisionProject
from ...scope import is_admin, region_subtree
from . import supervision_names as names
from .regulators import RegulatorsOnly

LIST_URL = "/supervision/"  # 【项目监督】 (docs/supervision.md lists its parameters)

# The 预警 of lateness the 逾期 chart follows: 结果公告 and the contract's three clocks.
LATE_FLAGS = ("YJ03", "YJ04", "YJ05", "YJ06")

WAN = Decimal(10000)
MAX_ARG = 40  # a date or a region code is shorter; anything longer is junk


def _wan(amount) -> float:
    """Yuan → 万元, two decimals (a JSON number)."""
    return float((Decimal(amount or 0) / WAN).quantize(Decimal("0.01")))


def flag_name(flag_id: str) -> str:
    """In the reader's language, as the labels of this (already localised) JSON are."""
    return names.flag_name(flag_id) or flag_id


# --- who may look, and at what ----------------------------------------------

def _home_region(user):
    """The region the user oversees; None for Admin (every region)."""
    return None if is_admin(user) else user.organisation.region


def _in_scope(region, home) -> bool:
    return home is None or region.path.startswith(home.path)


class Filters:
    """The page's GET parameters, checked: `from`, `to` (计划备案, whole days)
    and `region` (within the user's scope). What cannot be used is left out
    and said in `warnings`, never an error."""

    def __init__(self, args, home):
        self.warnings = []
        self.home = home
        self.start = self._date(args, "from", gettext("计划备案开始日期"))
        self.end = self._date(args, "to", gettext("计划备案结束日期"))
        if self.start and self.end and self.start > self.end:
            self.warnings.append(gettext("开始日期晚于结束日期，已忽略日期条件"))
            self.start = self.end = None
        self.region = self._region(args)

    def _date(self, args, name, label):
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            if len(raw) > MAX_ARG:
                raise ValueError
            day = dt.date.fromisoformat(raw)
            if not 2000 <= day.year <= 2099:  # as the list's: its links must keep the date
                raise ValueError
            return day
        except ValueError:
            self.warnings.append(gettext("%(label)s应为“年-月-日”（如 2026-03-01），已忽略",
                                         label=label))
            return None

    def _region(self, args):
        raw = (args.get("region") or "").strip()
        if not raw:
            return None
        found = db.session.get(Region, raw) if re.fullmatch(r"[0-9]{6}", raw) else None
        if found is None or not _in_scope(found, self.home):
            self.warnings.append(gettext("所选区划不存在或不在您的监管范围内，已显示全部范围"))
            return None
        return found

    @property
    def focus(self):
        """The region the charts are about: the chosen one, else the user's."""
        return self.region or self.home

    def clause(self):
        """The projects counted: scope, region and dates."""
        parts = []
        if self.focus is not None:
            parts.append(SupervisionProject.region_code.in_(region_subtree(self.focus.path)))
        if self.start:
            parts.append(SupervisionProject.filed_at >= dt.datetime.combine(self.start, dt.time()))
        if self.end:
            parts.append(SupervisionProject.filed_at
                         <= dt.datetime.combine(self.end, dt.time.max))
        return and_(true(), *parts)

    def link(self, start=None, end=None, **params) -> str:
        """【项目监督】 for these projects: the given parameters plus the
        page's region and dates (a month's link narrows the dates to it)."""
        start, end = start or self.start, end or self.end
        if self.start and start < self.start:
            start = self.start
        if self.end and end > self.end:
            end = self.end
        query = dict(params)
        if self.region is not None:
            query.setdefault("region", self.region.code)
        if start:
            query["from"] = start.isoformat()
        if end:
            query["to"] = end.isoformat()
        return LIST_URL + ("?" + urlencode(query) if query else "")

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat() if self.start else "",
                "to": self.end.isoformat() if self.end else "",
                "region": self.region.code if self.region else ""}


# --- the figures --------------------------------------------------------------

def _month(column):
    """'2026-03' of a timestamp, in SQL. SQLite keeps timestamps as text
    'YYYY-MM-DD HH:MM:SS', and cutting that is far cheaper than strftime()
    a row; PostgreSQL truncates to the month (a timestamp: see _key)."""
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("month", column)
    return func.substr(cast(column, String), 1, 7)


def _key(month) -> str:
    """What _month gave, as '2026-03'."""
    return month.strftime("%Y-%m") if isinstance(month, dt.datetime) else str(month)[:7]


def _month_key(year, month) -> str:
    return f"{int(year):04d}-{int(month):02d}"


def _month_bounds(key: str) -> tuple[dt.date, dt.date]:
    year, month = int(key[:4]), int(key[5:])
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _months_between(keys) -> list[str]:
    """Every month from the first to the last key, so a quiet month shows as
    a gap rather than vanishing."""
    if not keys:
        return []
    first, last = min(keys), max(keys)
    year, month = int(first[:4]), int(first[5:])
    months = []
    while (key := _month_key(year, month)) <= last:
        months.append(key)
        year, month = year + (month == 12), month % 12 + 1
    return months


def _groups(focus, codes) -> tuple[list, dict]:
    """The regions the 预警 chart compares: the focus region's children (each
    with the regions below it) and the focus region itself (本级), or for
    Admin the top regions. Returns ([(code, name)], {region code: group code})."""
    regions = {r.code: r for r in db.session.query(Region).filter(Region.code.in_(codes))} \
        if codes else {}
    top = [c for c in (focus.path.split("/") if focus else []) if c]
    depth = len(top)
    group_of, names = {}, {}
    for code, region in regions.items():
        path = [c for c in region.path.split("/") if c]
        group_of[code] = path[depth] if len(path) > depth else path[-1]
    wanted = set(group_of.values())
    for region in db.session.query(Region).filter(Region.code.in_(wanted)) if wanted else ():
        own = focus is not None and region.code == focus.code
        names[region.code] = gettext("%(name)s本级", name=region.name) if own else region.name
    order = sorted(wanted, key=lambda c: (focus is None or c != focus.code, c))
    return [(code, names.get(code, code)) for code in order], group_of


# Counted live, each figure is a GROUP BY over every project in scope: at
# 1,000,000 plans a city's ~830,000, 1.5 s a load on PostgreSQL
# (docs/benchmarks.md, session 49). A process reads them at most once per
# DASHBOARD_FIGURES_SECONDS for a scope and its filters, and the page says
# as of when.
KEPT_FIGURES = 256  # scopes × filters a process keeps; past that it starts over


def _figures(filters, key) -> dict:
    """The five figures' rows for `filters`: from the counts the sweeper
    keeps (app/supervision_tally.py) when the dates are whole months and
    a recent count exists; otherwise counted now (`_counted`)."""
    months = supervision_tally.whole_months(filters.start, filters.end)
    built_at = supervision_tally.newest_build() if months else None
    if built_at is None:
        return {**_counted(filters.clause(), key), "every_minutes": 1}
    regions = region_subtree(filters.focus.path) if filters.focus is not None else None
    every = current_app.config["DASHBOARD_TALLY_SECONDS"]
    return {**supervision_tally.figures(built_at, regions, months, LATE_FLAGS),
            "every_minutes": max(1, round(every / 60))}


def _counted(where, key) -> dict:
    """The five queries' rows for `where`, read now or kept from a read
    less than DASHBOARD_FIGURES_SECONDS ago under the same `key`."""
    seconds = current_app.config["DASHBOARD_FIGURES_SECONDS"]
    kept = current_app.extensions.setdefault("supervision_figures", {})
    now = time.monotonic()
    if seconds > 0 and (hit := kept.get(key)) is not None and now - hit[0] < seconds:
        return hit[1]
    sp = SupervisionProject
    month = _month(sp.filed_at)
    with_flags = select().select_from(ProjectFlag).join(sp, sp.plan_id == ProjectFlag.plan_id)
    figures = {
        "as_of": dt.datetime.now().replace(microsecond=0),
        "flagged": db.session.execute(
            with_flags.add_columns(func.count(func.distinct(ProjectFlag.plan_id)))
            .where(where)).scalar(),
        "stages": [tuple(row) for row in db.session.execute(
            select(sp.stage, func.count(), func.sum(sp.budget)).where(where)
            .group_by(sp.stage))],
        "amounts": [tuple(row) for row in db.session.execute(
            select(sp.procurement_method, month, func.count(), func.sum(sp.budget),
                   func.sum(sp.award_amount), func.sum(sp.contract_amount))
            .where(where).group_by(sp.procurement_method, month))],
        "flags": [tuple(row) for row in db.session.execute(
            with_flags.add_columns(ProjectFlag.flag_id, sp.region_code,
                                   func.count(func.distinct(ProjectFlag.plan_id)))
            .where(where).group_by(ProjectFlag.flag_id, sp.region_code))],
        "late": [tuple(row) for row in db.session.execute(
            with_flags.add_columns(ProjectFlag.flag_id, month,
                                   func.count(func.distinct(ProjectFlag.plan_id)))
            .where(where, ProjectFlag.flag_id.in_(LATE_FLAGS))
            .group_by(ProjectFlag.flag_id, month))],
    }
    if seconds > 0:
        if len(kept) >= KEPT_FIGURES:
            kept.clear()
        kept[key] = (now, figures)
    return figures


def dashboard_data(user, args) -> dict:
    """Everything the page shows, for `user` under the GET `args`."""
    home = _home_region(user)
    filters = Filters(args, home)
    figures = _figures(filters, (home.code if home is not None else None,
                                 *filters.as_dict().values()))
    flagged = figures["flagged"]

    by_stage = {stage: (n, amount) for stage, n, amount in figures["stages"]}
    stages = [{"stage": stage, "name": names.word(stage), "count": by_stage.get(stage, (0, 0))[0],
               "budget_wan": _wan(by_stage.get(stage, (0, 0))[1]),
               "link": filters.link(stage=stage)} for stage in SUPERVISION_STAGES]

    # The headline figures are the sums of this one, which reads every row anyway.
    rows = figures["amounts"]
    methods, months = _amounts(filters, rows)
    count = sum(m["count"] for m in methods)
    totals = {"projects": count, "budget_wan": _wan(sum(r[3] or 0 for r in rows)),
              "award_wan": _wan(sum(r[4] or 0 for r in rows)),
              "contract_wan": _wan(sum(r[5] or 0 for r in rows)),
              "flagged": flagged or 0, "link": filters.link()}

    flags = _flags_by_region(filters, figures["flags"])
    late = _late_by_month(filters, figures["late"])

    focus = filters.focus
    return {
        "locale": str(get_locale() or "zh"),
        "filters": filters.as_dict(),
        "warnings": filters.warnings,
        "region_name": focus.name if focus is not None else gettext("全部区划"),
        "empty": count == 0,
        "as_of": figures["as_of"].strftime("%Y-%m-%d %H:%M"),  # to the minute, as every page
        "every_minutes": figures["every_minutes"],
        "totals": totals,
        "stages": stages,
        "methods": methods,
        "months": months,
        "flags": flags,
        "late": late,
        "labels": _labels(),
    }


def _amounts(filters, rows) -> tuple[list, dict]:
    """By 采购方式 (all months) and by month (each method a stack of 预算)."""
    per_method, per_cell = {}, {}
    for method, month, n, budget, award, contract in rows:
        key = _key(month)
        total = per_method.setdefault(method, [0, Decimal(0), Decimal(0), Decimal(0)])
        total[0] += n
        total[1] += budget or 0
        total[2] += award or 0
        total[3] += contract or 0
        per_cell[(method, key)] = (n, budget or 0)
    present = [m for m in PROCUREMENT_METHODS if m in per_method]
    methods = [{"method": m, "name": names.word(m), "count": per_method[m][0], "budget_wan": _wan(per_method[m][1]),
                "award_wan": _wan(per_method[m][2]), "contract_wan": _wan(per_method[m][3]),
                "link": filters.link(method=m)} for m in present]
    keys = _months_between({key for _m, key in per_cell})
    series = []
    for m in present:
        points = []
        for key in keys:
            n, budget = per_cell.get((m, key), (0, 0))
            first, last = _month_bounds(key)
            points.append({"value": _wan(budget), "count": n,
                           "link": filters.link(first, last, method=m)})
        series.append({"method": m, "name": names.word(m), "data": points})
    return methods, {"months": keys, "series": series}


def _flags_by_region(filters, rows) -> dict:
    groups, group_of = _groups(filters.focus, {code for _f, code, _n in rows})
    counts = {}
    for flag_id, code, n in rows:
        cell = (flag_id, group_of.get(code, code))
        counts[cell] = counts.get(cell, 0) + n
    flag_ids = sorted({flag_id for flag_id, _code, _n in rows})
    focus = filters.focus

    def link(flag_id, code):
        # The 本级 bar counts the focus region's own projects only; its list must too.
        if focus is not None and code == focus.code:
            return filters.link(flag=flag_id, region=code, region_only="1")
        return filters.link(flag=flag_id, region=code)

    return {
        "regions": [{"code": code, "name": name} for code, name in groups],
        "series": [{"flag": f, "name": f"{f} {flag_name(f)}", "data": [
            {"value": counts.get((f, code), 0), "link": link(f, code)}
            for code, _name in groups]} for f in flag_ids],
    }


def _late_by_month(filters, rows) -> dict:
    counts = {(flag_id, _key(month)): n for flag_id, month, n in rows}
    keys = _months_between({key for _f, key in counts})
    series = []
    for f in LATE_FLAGS:
        points = []
        for key in keys:
            first, last = _month_bounds(key)
            points.append({"value": counts.get((f, key), 0),
                           "link": filters.link(first, last, flag=f)})
        series.append({"flag": f, "name": f"{f} {flag_name(f)}", "data": points})
    return {"months": keys, "series": series}


def _labels() -> dict:
    """What the script writes on the charts, in the user's language."""
    return {"projects": gettext("项目数"), "budget": gettext("预算金额"),
            "award": gettext("中标（成交）金额"), "contract": gettext("合同金额"),
            "wan": gettext("万元"),
            "flagged": gettext("预警项目数"), "empty": gettext("暂无数据"),
            "open_list": gettext("点击查看项目")}


def export_rows(data) -> list:
    """The board as rows of (分类, 项目, 项目数, 预算金额, 中标（成交）金额,
    合同金额), amounts in 万元, for 【导出】: what the figures and charts show."""
    totals = data["totals"]
    rows = [(gettext("统计范围"), data["region_name"], None, None, None, None),
            (gettext("计划备案"), f"{data['filters']['from'] or '…'} {gettext('至')} "
                                  f"{data['filters']['to'] or '…'}", None, None, None, None),
            (gettext("数据时间"), data["as_of"], None, None, None, None),
            (gettext("合计"), "", totals["projects"], totals["budget_wan"], totals["award_wan"],
             totals["contract_wan"]),
            (gettext("预警项目数"), "", totals["flagged"], None, None, None)]
    rows += [(gettext("项目阶段分布"), s["name"], s["count"], s["budget_wan"], None, None)
             for s in data["stages"]]
    rows += [(gettext("采购方式"), m["name"], m["count"], m["budget_wan"], m["award_wan"],
              m["contract_wan"]) for m in data["methods"]]
    months = data["months"]
    rows += [(gettext("按月份（预算金额）"), f"{month} {series['name']}", point["count"],
              point["value"], None, None)
             for series in months["series"] for month, point in zip(months["months"], series["data"])
             if point["count"]]
    flags = data["flags"]
    rows += [(gettext("预警（按区划）"), f"{region['name']} {series['name']}", point["value"],
              None, None, None)
             for series in flags["series"] for region, point in zip(flags["regions"], series["data"])
             if point["value"]]
    late = data["late"]
    rows += [(gettext("逾期（按月份）"), f"{month} {series['name']}", point["value"], None, None, None)
             for series in late["series"] for month, point in zip(late["months"], series["data"])
             if point["value"]]
    return rows


# --- the view -------------------------------------------------------------------

class SupervisionDashboardView(RegulatorsOnly, BaseView):
    """【监督看板】. Read-only; every figure links to 【项目监督】."""

    route_base = "/supervision"
    class_permission_name = "SupervisionDashboard"
    # 【导出】 gives the figures the page shows, no project: reading them is enough.
    method_permission_name = {"dashboard": "read", "data": "read", "export": "read"}
    default_view = "dashboard"

    # Typed with a trailing slash too (as FAB's lists are), the address was a
    # 404. The inner decorator's rule is registered first and url_for uses
    # it: links stay /supervision/dashboard.
    @expose("/dashboard/")
    @expose("/dashboard")
    @has_access
    def dashboard(self):
        data = dashboard_data(g.user, request.args)
        home = _home_region(g.user)
        regions = db.session.query(Region)
        if home is not None:
            regions = regions.filter(Region.path.like(home.path + "%"))
        return self.render_template(
            "supervision/dashboard.html", title=_("监督看板"), data=data,
            regions=regions.order_by(Region.path).all())

    @expose("/dashboard/data")
    @has_access
    def data(self):
        return jsonify(dashboard_data(g.user, request.args))

    @expose("/dashboard/export")
    @has_access
    def export(self):
        """【导出】: the board as filtered, one row a figure, as .xlsx."""
        from ... import xlsx

        data = dashboard_data(g.user, request.args)
        if data["warnings"]:
            # A file of a wider board than asked for would pass unnoticed: back
            # to the board, which names what it could not use.
            flash(gettext("筛选条件有误，未导出；请修正后再点击【导出】"), "danger")
            return redirect(url_for(".dashboard") + "?" + urlencode(request.args))
        out = tempfile.TemporaryFile(suffix=".xlsx")
        xlsx.write(out, gettext("监督看板"),
                   [gettext("分类"), gettext("项目"), gettext("项目数"), gettext("预算金额（万元）"),
                    gettext("中标（成交）金额（万元）"), gettext("合同金额（万元）")],
                   export_rows(data), widths=(18, 40, 10, 18, 22, 18),
                   formats=(None, None, None, "#,##0.00", "#,##0.00", "#,##0.00"))
        out.seek(0)
        record(g.user, "导出", SupervisionProject(),
               detail=f"导出监督看板 {request.query_string.decode('utf-8', 'replace')}"[:500])
        db.session.commit()
        return send_download(out, "监督看板.xlsx", "dashboard.xlsx", mimetype=XLSX)
