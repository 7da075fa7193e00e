"""【项目监督】→【监督看板】: the figures for rows we insert, who sees which
region, the links into 【项目监督】, and junk parameters.

The rows are tests/dashboard_helpers.PROJECTS (six projects over 平顶山市,
宝丰县, 方城县 and 河南省 itself); every expected figure below is worked out
from them by hand."""
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dashboard_helpers import PROJECTS, clear_derived, insert, many, remove
from tests.helpers import Statements, logged_in

DATA = "/supervision/dashboard/data"
PAGE = "/supervision/dashboard"
EXPORT = "/supervision/dashboard/export"


@pytest.fixture(scope="module")
def site(gps_module):
    clear_derived(gps_module)  # only our rows count, whatever the demo's plans derived
    insert(gps_module)
    yield gps_module
    remove(gps_module, [r.plan_no for r in PROJECTS])


def data(site, username, **args):
    response = logged_in(site, username).get(DATA, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    return response.json


def params(link) -> dict:
    parts = urlsplit(link)
    assert parts.path == "/supervision/"
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def by_stage(body):
    return {s["stage"]: s["count"] for s in body["stages"] if s["count"]}


# --- the figures -------------------------------------------------------------

def test_a_city_regulator_sees_the_city_and_its_counties(site):
    body = data(site, "jianguan")  # 监管处, 平顶山市财政局
    assert body["region_name"] == "平顶山市"
    assert body["totals"] == {"projects": 4, "budget_wan": 380.0, "award_wan": 270.0,
                              "contract_wan": 180.0, "flagged": 3, "link": "/supervision/"}
    assert by_stage(body) == {"结果公告": 1, "合同备案": 1, "采购公告": 1, "计划备案": 1}
    # Every stage is on the axis, in the order of the 项目向导.
    assert [s["stage"] for s in body["stages"]][:3] == ["计划备案", "进场受理", "采购公告"]
    assert [(m["method"], m["count"], m["budget_wan"], m["award_wan"], m["contract_wan"])
            for m in body["methods"]] == [("公开招标", 2, 300.0, 270.0, 180.0),
                                          ("竞争性磋商", 1, 50.0, 0.0, 0.0),
                                          ("询价", 1, 30.0, 0.0, 0.0)]
    months = body["months"]
    assert months["months"] == ["2026-01", "2026-02", "2026-03"]
    assert {s["method"]: [p["value"] for p in s["data"]] for s in months["series"]} == {
        "公开招标": [100.0, 200.0, 0.0], "竞争性磋商": [0.0, 50.0, 0.0], "询价": [0.0, 0.0, 30.0]}


def test_flags_count_projects_by_type_and_region(site):
    flags = data(site, "jianguan")["flags"]
    assert [r["name"] for r in flags["regions"]] == ["平顶山市本级", "宝丰县"]
    assert {s["flag"]: [p["value"] for p in s["data"]] for s in flags["series"]} == {
        "YJ01": [0, 1], "YJ03": [1, 0], "YJ04": [1, 0], "YJ06": [1, 0], "YJ07": [1, 0]}
    assert flags["series"][1]["name"] == "YJ03 结果公告逾期"
    assert data(site, "jianguan")["stages"][2]["name"] == "采购公告"


def test_late_notices_and_contracts_by_month(site):
    late = data(site, "jianguan")["late"]
    assert late["months"] == ["2026-01", "2026-02"]
    assert {s["flag"]: [p["value"] for p in s["data"]] for s in late["series"]} == {
        "YJ03": [1, 0], "YJ04": [0, 1], "YJ05": [0, 0], "YJ06": [0, 1]}


def test_a_county_regulator_sees_its_county_and_a_flag_raised_twice_counts_once(site):
    body = data(site, "chushen2")  # 监管初审岗, 方城县财政局
    assert body["region_name"] == "方城县"
    assert (body["totals"]["projects"], body["totals"]["budget_wan"],
            body["totals"]["flagged"]) == (1, 400.0, 1)
    late = {s["flag"]: [p["value"] for p in s["data"]] for s in body["late"]["series"]}
    assert late == {"YJ03": [0], "YJ04": [1], "YJ05": [1], "YJ06": [0]}
    assert [r["name"] for r in body["flags"]["regions"]] == ["方城县本级"]


def test_the_province_sees_everything_by_city(site):
    body = data(site, "sheng")  # 河南省财政厅
    assert (body["totals"]["projects"], body["totals"]["budget_wan"],
            body["totals"]["flagged"]) == (6, 860.0, 4)
    assert by_stage(body) == {"结果公告": 1, "合同备案": 2, "采购公告": 1, "计划备案": 1,
                              "终止": 1}
    # 宝丰县 counts with 平顶山市, 方城县 with 南阳市.
    flags = data(site, "sheng")["flags"]
    assert [(r["code"], r["name"]) for r in flags["regions"]] == [("410400", "平顶山市"),
                                                                  ("411300", "南阳市")]
    assert {s["flag"]: [p["value"] for p in s["data"]] for s in flags["series"]}["YJ04"] == [1, 1]


def test_admin_sees_everything(site):
    body = data(site, "admin")
    assert body["totals"]["projects"] == 6
    assert body["region_name"] == "全部区划"


def test_date_range_and_region_narrow_the_figures(site):
    body = data(site, "sheng", **{"from": "2026-02-01", "to": "2026-03-31"})
    # DB-002, 003, 004 and DB-006 (filed 2026-03-31 23:30: the whole last day counts).
    assert body["totals"]["projects"] == 4
    assert body["months"]["months"] == ["2026-02", "2026-03"]
    body = data(site, "sheng", region="410421")
    assert body["region_name"] == "宝丰县"
    assert (body["totals"]["projects"], body["totals"]["budget_wan"]) == (2, 80.0)
    assert body["warnings"] == []


def test_an_empty_region_says_no_data(site):
    client = logged_in(site, "sheng")
    body = client.get(DATA, query_string={"region": "410100"}).json  # 郑州市: nothing filed
    assert body["empty"] is True and body["totals"]["projects"] == 0
    assert body["months"]["months"] == [] and body["flags"]["regions"] == []
    page = client.get(PAGE, query_string={"region": "410100"}).get_data(as_text=True)
    assert 'id="dashboard-empty"' in page and "暂无数据" in page
    assert 'id="chart-stages"' not in page


# --- the links into 【项目监督】 -------------------------------------------------

def test_every_chart_links_to_the_list_with_its_parameters(site):
    body = data(site, "jianguan")
    stage = next(s for s in body["stages"] if s["stage"] == "结果公告")
    assert params(stage["link"]) == {"stage": "结果公告"}
    assert params(body["methods"][1]["link"]) == {"method": "竞争性磋商"}
    february = body["months"]["series"][0]["data"][1]
    assert params(february["link"]) == {"method": "公开招标", "from": "2026-02-01",
                                        "to": "2026-02-28"}
    flags = {s["flag"]: s["data"] for s in body["flags"]["series"]}
    assert params(flags["YJ01"][1]["link"]) == {"flag": "YJ01", "region": "410421"}
    # 平顶山市本级: the city's own projects, not its counties'.
    assert params(flags["YJ03"][0]["link"]) == {"flag": "YJ03", "region": "410400",
                                                "region_only": "1"}
    late = {s["flag"]: s["data"] for s in body["late"]["series"]}
    assert params(late["YJ03"][0]["link"]) == {"flag": "YJ03", "from": "2026-01-01",
                                               "to": "2026-01-31"}


def listed(client, link) -> int:
    import re

    page = client.get(link + "&psize=100").get_data(as_text=True)
    assert "无效" not in page and "已忽略" not in page, link
    return int(re.search(r"共 (\d+) 项", page).group(1))


@pytest.mark.parametrize("username,args", [
    ("jianguan", {}),  # 平顶山市本级 and 宝丰县
    ("sheng", {"region": "410400"}),  # the province looking at the city
    ("chushen2", {}),  # 方城县本级 alone
])
def test_every_flag_bar_lists_what_it_counts(site, username, args):
    """Followed, each 预警 bar's link lists exactly the bar's count, the
    “<name>本级” bar included (zero bars too: 平顶山市本级 has no YJ01, 宝丰县 has)."""
    body = data(site, username, **args)
    client = logged_in(site, username)
    bars = [(s["flag"], region["name"], point)
            for s in body["flags"]["series"]
            for region, point in zip(body["flags"]["regions"], s["data"])]
    assert any(name.endswith("本级") for _f, name, _p in bars)
    for flag, name, point in bars:
        assert listed(client, point["link"]) == point["value"], (flag, name, point["link"])


def test_a_county_project_counts_in_its_county_bar_not_the_city_s(site):
    """A 宝丰县 project with YJ03 adds to 宝丰县's bar, not to 平顶山市本级's."""
    from tests.dashboard_helpers import Row

    extra = Row("DB-901", "410421", "公开招标", "100000.00", dt.datetime(2026, 2, 1, 9),
                "结果公告", flags=("YJ03",))
    insert(site, [extra])
    try:
        body = data(site, "jianguan")
        [yj03] = [s["data"] for s in body["flags"]["series"] if s["flag"] == "YJ03"]
        assert [p["value"] for p in yj03] == [1, 1]
        client = logged_in(site, "jianguan")
        assert [listed(client, p["link"]) for p in yj03] == [1, 1]
    finally:
        remove(site, [extra.plan_no])


def test_links_keep_the_chosen_region_and_dates(site):
    body = data(site, "sheng", region="410400", **{"from": "2026-01-05", "to": "2026-02-10"})
    assert body["totals"]["projects"] == 2  # DB-001 and DB-002
    assert params(body["totals"]["link"]) == {"region": "410400", "from": "2026-01-05",
                                              "to": "2026-02-10"}
    stage = next(s for s in body["stages"] if s["stage"] == "合同备案")
    assert params(stage["link"]) == {"stage": "合同备案", "region": "410400",
                                     "from": "2026-01-05", "to": "2026-02-10"}
    # A month's link is the month within the chosen dates.
    [january, february] = body["months"]["series"][0]["data"]
    assert params(january["link"]) == {"method": "公开招标", "region": "410400",
                                       "from": "2026-01-05", "to": "2026-01-31"}
    assert params(february["link"])["to"] == "2026-02-10"
    # A region bar names its own region, not the chosen one.
    flags = {s["flag"]: s["data"] for s in body["flags"]["series"]}
    assert {params(p["link"])["region"] for p in flags["YJ04"]} <= {"410400", "410421"}


def test_the_page_carries_figures_and_chart_data(site):
    client = logged_in(site, "jianguan")
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("监督看板", "项目阶段分布", "预警项目（按类型和区划）", "380.00", 'id="chart-late"',
                 'type="application/json" id="dashboard-data"',
                 "/static/vendor/echarts/echarts.min.js", "/static/js/supervision_dashboard.js"):
        assert text in page, text
    # The menu: 【项目监督】→【监督看板】.
    assert "项目监督" in page and 'href="/supervision/dashboard"' in page
    # No inline script of ours: the CSP allows script files and FAB's nonce'd ones only.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-eval" not in csp
    assert client.get("/static/vendor/echarts/echarts.min.js").status_code == 200


def test_the_export_is_the_board_as_filtered(site):
    """【导出】: one row a figure, the same as the page's data, amounts in 万元
    as numbers; audited. A junk filter exports nothing and says so."""
    import io

    from openpyxl import load_workbook

    from app.extensions import db
    from app.models import AuditLog

    client = logged_in(site, "jianguan")
    assert 'id="btn-export"' in client.get(PAGE, query_string={"region": "410400"}).get_data(
        as_text=True)
    body = data(site, "jianguan", region="410400")
    response = client.get(EXPORT, query_string={"region": "410400"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("分类", "项目", "项目数", "预算金额（万元）", "中标（成交）金额（万元）",
                       "合同金额（万元）")
    totals = body["totals"]
    assert ("合计", None, totals["projects"], totals["budget_wan"], totals["award_wan"],
            totals["contract_wan"]) in rows
    shown = {(row[1], row[2]) for row in rows if row[0] == "项目阶段分布"}
    assert shown == {(s["name"], s["count"]) for s in body["stages"]}
    assert {row[1] for row in rows if row[0] == "预警（按区划）"}  # the city's flags are there
    with site.app_context():
        assert db.session.query(AuditLog).filter(AuditLog.action == "导出",
                                                 AuditLog.detail.like("导出监督看板%")).count() >= 1
    refused = client.get(EXPORT, query_string={"from": "2026-02-30"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith(PAGE)
    # A list's own arguments the board does not know: refused back to the board, not a 500.
    for junk in ({"_flt_0_x": "1"}, {"psize_x": "0"}, {"page_x": "abc"}):
        refused = client.get(EXPORT, query_string=junk)
        assert refused.status_code == 303, junk
        assert refused.headers["Location"].endswith(PAGE), refused.headers["Location"]


def test_english_labels(site):
    client = logged_in(site, "jianguan")
    client.get("/lang/en")
    try:
        body = client.get(DATA).json
        assert body["locale"] == "en" and body["labels"]["budget"] == "Budget"
        # Names as shown; "stage" and "flag" keep the stored values (links filter on them).
        assert body["stages"][2]["stage"] == "采购公告"
        assert [s["name"] for s in body["stages"]][:3] == [
            "Plan filed", "Accepted by platform", "Procurement notice"]
        names = [s["name"] for s in body["flags"]["series"] + body["late"]["series"]]
        assert "YJ03 Result notice late" in names
        assert not any("逾期" in n or "不足" in n for n in names), names
        # 采购方式: the axis and the legend in English, "method" kept for the links.
        methods = {m["method"]: m["name"] for m in body["methods"]}
        assert methods["公开招标"] == "Open tendering"
        assert {s["name"] for s in body["months"]["series"]} <= set(methods.values())
        assert all(name.isascii() for name in methods.values()), methods
        page = client.get(PAGE).get_data(as_text=True)
        assert "Supervision Dashboard" in page and "：" not in page.split('id="dashboard-scope"')[1][:40]
    finally:
        client.get("/lang/zh")


# --- who may look ------------------------------------------------------------------

# Regulators of any region (their figures are above); everyone else: nothing here.
WHO = [
    ("admin", 200), ("jianguan", 200), ("chushen", 200), ("fuhe", 200), ("chushen2", 200),
    ("fuhe2", 200), ("sheng", 200),
    ("jingban", 404), ("shenhe", 404), ("jingban2", 404), ("shenhe2", 404), ("daili", 404),
]


@pytest.mark.parametrize("username, status", WHO)
@pytest.mark.parametrize("url", [PAGE, PAGE + "/", DATA, DATA + "?region=410400", EXPORT])
def test_who_may_open_the_dashboard(site, username, status, url):
    assert logged_in(site, username).get(url).status_code == status


@pytest.mark.parametrize("url", [PAGE, DATA, EXPORT])
def test_anonymous_users_are_asked_to_log_in(site, url):
    response = site.test_client().get(url)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_a_region_outside_the_scope_is_not_shown(site):
    body = data(site, "chushen2", region="410400")  # 方城县 asks for 平顶山市
    assert body["region_name"] == "方城县" and body["totals"]["projects"] == 1
    assert body["warnings"] == ["所选区划不存在或不在您的监管范围内，已显示全部范围"]


# --- junk ----------------------------------------------------------------------------

JUNK = [
    {"from": "abc"}, {"to": "2026-02-30"}, {"from": "2026-03-01", "to": "2026-01-01"},
    {"region": "999999"}, {"region": "abc"}, {"region": "41040'0"}, {"region": "4104\x000"},
    {"from": "9999-12-31"}, {"to": "9999-12-31"}, {"from": "0001-01-01"},
    {"from": "2026-01-01\x00"}, {"region": "4" * 5000}, {"from": "1" * 5000},
    {"region": ["410400", "411322"]}, {"stage": "<script>"}, {"page": "-1"},
]


@pytest.mark.parametrize("args", JUNK)
def test_junk_parameters_never_fail(site, args):
    client = logged_in(site, "jianguan")
    for url in (PAGE, DATA):
        response = client.get(url, query_string=args)
        assert response.status_code == 200, (url, args)


def test_junk_is_named_in_chinese(site):
    body = data(site, "jianguan", **{"from": "2026/01/01", "to": "2026-01-01x"})
    assert body["warnings"] == ["计划备案开始日期应为“年-月-日”（如 2026-03-01），已忽略",
                                "计划备案结束日期应为“年-月-日”（如 2026-03-01），已忽略"]
    assert body["totals"]["projects"] == 4
    # The list's years (2000–2099), so that every link keeps the dates it counted with.
    body = data(site, "jianguan", **{"from": "1999-01-01", "to": "2100-01-01"})
    assert len(body["warnings"]) == 2 and body["totals"]["projects"] == 4
    assert "from=" not in body["totals"]["link"]
    body = data(site, "jianguan", **{"from": "2026-03-01", "to": "2026-01-01"})
    assert body["warnings"] == ["开始日期晚于结束日期，已忽略日期条件"]
    page = logged_in(site, "jianguan").get(PAGE, query_string={"region": "x"})
    assert "不在您的监管范围内" in page.get_data(as_text=True)


# --- volume ---------------------------------------------------------------------------

def test_one_query_per_chart_at_volume(site_factory):
    """5,000 projects: the same handful of statements as for six (no query per
    row or per region), and the figures still add up."""
    from sqlalchemy import event

    from app.extensions import db

    gps = site_factory("gps")
    clear_derived(gps)
    rows = many(5000)
    insert(gps, rows)
    statements = []
    with gps.app_context():
        engine = db.engine
    listener = (lambda *a, **k: statements.append(a[2]))
    event.listen(engine, "before_cursor_execute", listener)
    try:
        body = data(gps, "sheng")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    selects = [s for s in statements if "supervision_project" in s]
    assert len(selects) == 5, selects  # stages, amounts (and totals), flagged, 预警, late
    assert body["totals"]["projects"] == 5000
    assert sum(s["count"] for s in body["stages"]) == 5000
    assert sum(m["count"] for m in body["methods"]) == 5000
    assert body["totals"]["flagged"] == 1000
    expected = sum(int(r.budget[:-3]) for r in rows) / 10000
    assert body["totals"]["budget_wan"] == pytest.approx(expected, abs=0.01)
    assert len(body["months"]["months"]) == len({r.filed.strftime("%Y-%m") for r in rows})
    assert min(body["months"]["months"]) == dt.date(2024, 1, 1).strftime("%Y-%m")


def test_the_figures_are_read_at_most_once_a_minute_and_say_when(site, monkeypatch):
    """Each figure groups every project in scope (a city's ~830,000 at a
    province's volume: 1.5 s a load). A process reuses them for
    DASHBOARD_FIGURES_SECONDS per scope and filters, and the page says as
    of when; other filters are read on their own."""
    from tests.dashboard_helpers import Row

    site.config["DASHBOARD_FIGURES_SECONDS"] = 60
    site.extensions.pop("supervision_figures", None)
    clock = [1000.0]
    monkeypatch.setattr("app.views.gps.supervision_dashboard.time.monotonic", lambda: clock[0])
    extra = Row("DB-901", "410400", "公开招标", "100000.00", dt.datetime(2026, 4, 1, 9), "计划备案")
    try:
        first = data(site, "jianguan")
        insert(site, [extra])
        clock[0] += 59
        again = data(site, "jianguan")
        assert again["totals"] == first["totals"] and again["as_of"] == first["as_of"]
        narrowed = data(site, "jianguan", **{"from": "2026-04-01"})
        assert narrowed["totals"]["projects"] == 1  # another key: read now
        clock[0] += 2
        later = data(site, "jianguan")
        assert later["totals"]["projects"] == first["totals"]["projects"] + 1
        page = logged_in(site, "jianguan").get(PAGE).get_data(as_text=True)
        assert f"数据时间：{later['as_of']}（每分钟更新）" in page
    finally:
        site.config["DASHBOARD_FIGURES_SECONDS"] = 0
        remove(site, ["DB-901"])


# --- counted ahead by the sweeper (app/supervision_tally.py) --------------------------

# Whole months (and none): what the board may read from the counts.
WHOLE_MONTHS = [{}, {"from": "2026-02-01", "to": "2026-03-31"}, {"from": "2026-01-01"},
                {"to": "2026-02-28"}, {"region": "410421"}, {"region": "411322", "to": "2026-01-31"}]


def _without_time(body) -> dict:
    return {k: v for k, v in body.items() if k not in ("as_of", "every_minutes")}


@pytest.fixture
def counted_ahead(site):
    """The sweeper's counts, built now, read by the board while it runs."""
    from app import supervision_tally
    from app.extensions import db

    site.config["DASHBOARD_TALLY_SECONDS"] = 300
    with site.app_context():
        supervision_tally.rebuild(db.session)
    yield
    site.config["DASHBOARD_TALLY_SECONDS"] = 0


@pytest.mark.parametrize("username", ["jianguan", "chushen2", "sheng", "admin"])
def test_the_counts_kept_ahead_give_the_same_board(site, username, counted_ahead):
    """For every scope and whole-month filter, the board from the sweeper's
    counts is the board counted live, and reads no project row."""
    site.config["DASHBOARD_TALLY_SECONDS"] = 0  # counted live first
    live = {i: data(site, username, **args) for i, args in enumerate(WHOLE_MONTHS)}
    site.config["DASHBOARD_TALLY_SECONDS"] = 300
    for i, args in enumerate(WHOLE_MONTHS):
        with Statements(site) as statements:
            body = data(site, username, **args)
        assert _without_time(body) == _without_time(live[i]), args
        assert not [s for s in statements if "supervision_project" in s or
                    "project_flag" in s], args
        assert body["every_minutes"] == 5


def test_a_day_within_a_month_is_counted_live(site, counted_ahead):
    with Statements(site) as statements:
        body = data(site, "sheng", **{"from": "2026-02-06"})
    assert body["totals"]["projects"] == 3  # DB-003, 004 and 006
    assert [s for s in statements if "supervision_project" in s]
    assert body["every_minutes"] == 1


def test_the_page_says_how_often_the_counts_are_made(site, counted_ahead):
    page = logged_in(site, "jianguan").get(PAGE).get_data(as_text=True)
    assert "（每 5 分钟更新）" in page


def test_counts_older_than_twice_the_interval_are_not_read(site):
    """The sweeper stopped: the board counts live again (a project filed
    since shows) rather than show ever older figures."""
    from sqlalchemy import update

    from app import supervision_tally
    from app.extensions import db
    from app.models import SupervisionFlagTally, SupervisionTally
    from tests.dashboard_helpers import Row

    site.config["DASHBOARD_TALLY_SECONDS"] = 300
    extra = Row("DB-902", "410400", "公开招标", "100000.00", dt.datetime(2026, 4, 1, 9), "计划备案")
    try:
        with site.app_context():
            supervision_tally.rebuild(db.session, dt.datetime.now() - dt.timedelta(seconds=590))
        insert(site, [extra])
        assert data(site, "jianguan")["totals"]["projects"] == 4  # the counts, 590 s old
        with site.app_context():  # 20 s later
            for table in (SupervisionTally, SupervisionFlagTally):
                db.session.execute(update(table).values(
                    built_at=dt.datetime.now() - dt.timedelta(seconds=610)))
            db.session.commit()
        assert data(site, "jianguan")["totals"]["projects"] == 5  # live
    finally:
        site.config["DASHBOARD_TALLY_SECONDS"] = 0
        remove(site, ["DB-902"])


def test_the_sweeper_rebuilds_once_the_interval_has_passed(site):
    """tally_due, on every sweep: a build when the newest is DASHBOARD_TALLY_SECONDS
    old; only the newest build's rows are kept; 0 turns it off."""
    from sqlalchemy import func, select

    from app import supervision_tally
    from app.extensions import db
    from app.models import SupervisionFlagTally, SupervisionTally

    def builds():
        return [db.session.scalar(select(func.count(func.distinct(table.built_at))))
                for table in (SupervisionTally, SupervisionFlagTally)]

    now = dt.datetime.now() + dt.timedelta(hours=1)  # after any build of the tests above
    with site.app_context():
        assert supervision_tally.tally_due(now) == 0  # 0 s: off
        site.config["DASHBOARD_TALLY_SECONDS"] = 300
        try:
            written = supervision_tally.tally_due(now)
            assert written > 0 and builds() == [1, 1]
            assert supervision_tally.tally_due(now + dt.timedelta(seconds=299)) == 0
            assert supervision_tally.tally_due(now + dt.timedelta(seconds=300)) == written
            assert builds() == [1, 1]  # the older build went
            first = db.session.scalar(select(func.sum(SupervisionTally.projects)))
            assert first == len(PROJECTS)
        finally:
            site.config["DASHBOARD_TALLY_SECONDS"] = 0


def test_a_trading_site_counts_nothing(site_factory):
    from app import supervision_tally
    from app.extensions import db

    trading = site_factory("pds")
    trading.config["DASHBOARD_TALLY_SECONDS"] = 300
    with trading.app_context():
        assert supervision_tally.tally_due() == 0
        db.session.rollback()
