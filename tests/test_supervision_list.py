"""【项目监督】→【项目监督】: who sees which projects, the filters, search,
sort, pages, 【导出】 and the REST list; junk in the URL is never a 500."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from tests.helpers import api_token, bearer, logged_in
from tests.supervision_helpers import insert_projects, project

MARK = "JH-S-"  # every plan number the helper writes starts so: q=MARK is "ours"
REGULATORS = {  # username → regions whose projects it sees (of the ones below)
    "chushen2": {"411322"},  # 方城县财政局: its county only
    "jianguan": {"410400", "410421", "410422"},  # 平顶山市: the city and its counties
    "fuhe": {"410400", "410421", "410422"},
    "chushen": {"410400", "410421", "410422"},
    "sheng": {"410400", "410421", "410422", "411322"},  # 河南省: all
    "admin": {"410400", "410421", "410422", "411322"},
}
OUTSIDERS = ["jingban", "shenhe", "jingban2", "shenhe2", "daili"]
URLS = ["/supervision/", "/supervision/?flag=YJ01", "/supervision/export",
        "/supervision/export?region=410400"]


@pytest.fixture(scope="module")
def site(gps_module):
    """Named projects the tests filter on, plus 45 fillers in 平顶山市."""
    named = [
        project(1, "410400", name="多媒体教室设备采购", method="公开招标", category="货物",
                stage="采购公告", budget=Decimal("1000000.00"),
                filed_at=dt.datetime(2026, 3, 2, 9, 30), flags=["YJ01", "YJ03"],
                project_code="XMPDS0001"),
        project(2, "410421", name="宝丰县校园安保服务", method="竞争性磋商", category="服务",
                stage="开标", budget=Decimal("200000.00"),
                filed_at=dt.datetime(2026, 4, 10, 14, 0), flags=["YJ03"], project_code="XMBF0002"),
        project(3, "410422", name="叶县医院门诊楼维修", method="询价", category="工程",
                stage="合同备案", budget=Decimal("5000000.50"),
                filed_at=dt.datetime(2026, 5, 20, 8, 0), project_code="XMYX0003"),
        project(4, "411322", name="方城县医疗设备采购", method="公开招标", category="货物",
                stage="结果公告", budget=Decimal("800000.00"),
                filed_at=dt.datetime(2026, 6, 1, 10, 0), flags=["YJ11"], project_code="XMFC0004"),
        project(5, "410400", name='=HYPERLINK("http://evil.invalid","点我")', method="单一来源",
                category="服务", stage="计划备案", budget=Decimal("123456.78"),
                filed_at=dt.datetime(2026, 2, 1, 9, 0), project_code=None),
    ]
    fillers = [project(100 + i, "410400", name=f"填充项目{i:02d}", method="竞争性谈判",
                       category="货物", stage="进场受理", budget=Decimal(50000 + i),
                       filed_at=dt.datetime(2026, 1, 5, 9, 0) + dt.timedelta(hours=i),
                       project_code=f"XMFILL{i:04d}")
               for i in range(45)]
    ids = insert_projects(gps_module, named + fillers)
    gps_module.named = dict(zip(range(1, 6), ids))
    return gps_module


def plan_nos(page: str) -> set[str]:
    return set(re.findall(r'<td class="plan-no">([^<]+)</td>', page))


def ours(client, query="") -> dict:
    """The REST list of our projects (all pages) for the signed-in user."""
    token = api_token(client, client.username)
    rows, page = [], 1
    while True:
        response = client.get(f"/api/v1/supervision/?q={MARK}&psize=100&page={page}{query}",
                              headers=bearer(token))
        assert response.status_code == 200, response.get_data(as_text=True)
        rows += response.json["result"]
        if page >= response.json["pages"]:
            return {"count": response.json["count"], "rows": rows}
        page += 1


def client_for(app, username):
    client = logged_in(app, username)
    client.username = username
    return client


# --- scope --------------------------------------------------------------------------

@pytest.mark.parametrize("username", list(REGULATORS))
def test_each_regulator_sees_its_region_and_below(site, username):
    client = client_for(site, username)
    found = ours(client)
    regions = {row["region_code"] for row in found["rows"]}
    assert regions == REGULATORS[username]
    expected = 45 * ("410400" in regions) + sum(
        1 for seq, region in ((1, "410400"), (2, "410421"), (3, "410422"), (4, "411322"),
                              (5, "410400")) if region in regions)
    assert found["count"] == expected
    page = client.get(f"/supervision/?q={MARK}&psize=100").get_data(as_text=True)
    assert ("方城县医疗设备采购" in page) == ("411322" in REGULATORS[username])
    assert ("宝丰县校园安保服务" in page) == ("410421" in REGULATORS[username])


@pytest.mark.parametrize("username", OUTSIDERS)
@pytest.mark.parametrize("url", URLS)
def test_outsiders_find_no_supervision_page(site, username, url):
    assert client_for(site, username).get(url).status_code == 404


@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsiders_find_no_supervision_api(site, username):
    client = client_for(site, username)
    response = client.get("/api/v1/supervision/?flag=YJ01",
                          headers=bearer(api_token(client, username)))
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/supervision/", "/supervision/dashboard",
                                 "/supervision/project/1", "/api/v1/supervision/",
                                 "/api/v1/supervision/1/flags"])
def test_other_methods_are_not_found_for_outsiders_either(site, method, url):
    """A 405 would tell an outsider the URL exists; a regulator gets the 405."""
    outsider, regulator = client_for(site, OUTSIDERS[0]), client_for(site, "jianguan")
    headers = {}
    if url.startswith("/api/"):
        headers = bearer(api_token(outsider, OUTSIDERS[0]))
    answer = getattr(outsider, method)(url, headers=headers)
    assert answer.status_code == 404
    if url.startswith("/api/"):
        assert answer.json == {"message": "接口不存在"}
        headers = bearer(api_token(regulator, "jianguan"))
    answer = getattr(regulator, method)(url, headers=headers)
    assert answer.status_code == 405
    if url.startswith("/api/"):  # JSON in Chinese, not Werkzeug's English page
        assert answer.json == {"message": "不支持该请求方法"}


def test_anonymous_is_sent_to_log_in(site):
    client = site.test_client()
    assert client.get("/supervision/").status_code == 302
    assert client.get("/api/v1/supervision/").status_code == 401


def test_menu_and_list_page(site):
    client = client_for(site, "jianguan")
    home = client.get("/").get_data(as_text=True)
    assert "项目监督" in home and "/supervision/" in home
    page = client.get(f"/supervision/?q={MARK}").get_data(as_text=True)
    for label in ("计划编号", "项目编号", "项目名称", "采购单位", "行政区划", "采购方式", "采购类别",
                  "预算金额（元）", "计划备案时间", "当前阶段", "预警", "项目向导"):
        assert label in page
    assert "共 49 项" in page
    assert f'href="/supervision/project/{site.named[1]}"' in page
    assert "1,000,000.00" in page and "2026-03-02 09:30" in page
    # The badge counts the flags; the names are its tooltip and beside it.
    assert 'title="YJ01 等标期不足；YJ03 结果公告逾期">2</span>' in page
    for flag, name in (("YJ05", "合同公告逾期"), ("YJ14", "中标结果变更")):
        assert f'<option value="{flag}">{flag} {name}</option>' in page
    assert '<option value="采购公告">采购公告</option>' in page


def test_the_list_in_english(site):
    """Stages and 预警 names in the reader's language; the filters' values stay
    the stored Chinese ones, so a link filters the same in either language."""
    from app.rules.flags import FLAGS
    from app.views.gps.supervision_names import FLAG_NAMES, _CHINESE_FLAG_NAMES

    # rules/flags.py and the restated msgids agree (a renamed flag must be renamed in both).
    assert {k: str(v) for k, v in FLAG_NAMES.items()} == _CHINESE_FLAG_NAMES
    assert list(FLAG_NAMES) == [f.id for f in FLAGS]
    client = client_for(site, "jianguan")
    client.get("/lang/en")
    try:
        page = client.get(f"/supervision/?q={MARK}&stage=采购公告").get_data(as_text=True)
        filters = client.get("/supervision/?method=公开招标&category=服务").get_data(as_text=True)
    finally:
        client.get("/lang/zh")
    assert 'title="YJ01 Bidding period too short；YJ03 Result notice late">2</span>' in page
    assert '<option value="YJ05">YJ05 Contract notice late</option>' in page
    assert '<option value="采购公告" selected>Procurement notice</option>' in page
    # 采购方式 and 采购类别: labels in English, the stored values filter.
    assert '<option value="公开招标" selected>Open tendering</option>' in filters
    assert '<option value="询价">Request for quotations</option>' in filters
    assert '<option value="服务" selected>Services</option>' in filters
    assert '<option value="货物">Goods</option>' in filters
    for chinese in ("等标期不足", "结果公告逾期", "合同公告逾期", "中标结果变更", ">采购公告<",
                    ">进场受理<", ">合同备案<"):
        assert chinese not in page, chinese


# --- filters ------------------------------------------------------------------------

FILTERS = [  # query → the named projects (of 1–5) jianguan sees, fillers counted apart
    ("&region=410421", {2}, 0),
    ("&region=410400", {1, 2, 3, 5}, 45),  # the city code: its counties too
    ("&region=410400&region_only=1", {1, 5}, 45),  # 仅本级: the city's own, not its counties'
    ("&region=410421&region_only=1", {2}, 0),
    ("&region=410400&region_only=0", {1, 2, 3, 5}, 45),
    ("&region=410400&region_only=1&flag=YJ03", {1}, 0),
    ("&method=公开招标", {1}, 0),
    ("&category=服务", {2, 5}, 0),
    ("&stage=开标", {2}, 0),
    ("&flag=YJ03", {1, 2}, 0),
    ("&flag=YJ01", {1}, 0),
    ("&flag=YJ11", set(), 0),  # 方城县's: out of the city's scope
    ("&from=2026-03-02&to=2026-04-10", {1, 2}, 0),  # both ends count, the whole day
    ("&to=2026-01-05", set(), 15),  # fillers 09:00..23:00 on the 5th
    ("&budget_min=200000&budget_max=1000000", {1, 2}, 0),
    ("&budget_min=5000000.50", {3}, 0),
    ("&flag=YJ03&method=竞争性磋商&region=410421&stage=开标&from=2026-04-01", {2}, 0),
]


@pytest.mark.parametrize("query,named,fillers", FILTERS)
def test_each_filter(site, query, named, fillers):
    client = client_for(site, "jianguan")
    found = ours(client, query)
    names = {seq for seq, plan_id in site.named.items()
             if plan_id in {row["plan_id"] for row in found["rows"]}}
    assert names == named
    assert found["count"] == len(named) + fillers
    page = client.get(f"/supervision/?q={MARK}{query}&psize=100").get_data(as_text=True)
    assert len(plan_nos(page)) == found["count"]
    assert "无效" not in page


@pytest.mark.parametrize("q,named", [
    ("多媒体", {1}),  # a fragment of the name
    ("安保", {2}),
    ("XMYX0003", {3}),  # 项目编号
    ("叶县人民医院", {3}),  # 采购单位
    ("%", set()),  # a LIKE wildcard is a character, not "everything"
    ("_", set()),
])
def test_search(site, q, named):
    client = client_for(site, "jianguan")
    token = api_token(client, "jianguan")
    rows = client.get("/api/v1/supervision/", query_string={"q": q, "psize": 100},
                      headers=bearer(token)).json["result"]
    found = {seq for seq, plan_id in site.named.items() if plan_id in {r["plan_id"] for r in rows}}
    assert found == named
    if named:
        plan_no = rows[0]["plan_no"]
        assert client.get("/api/v1/supervision/", query_string={"q": plan_no},
                          headers=bearer(token)).json["count"] == 1


def test_sort_and_pages(site):
    client = client_for(site, "jianguan")
    by_budget = ours(client, "&sort=budget&order=asc")["rows"]
    budgets = [Decimal(r["budget"]) for r in by_budget]
    assert budgets == sorted(budgets)
    assert by_budget[-1]["project_name"] == "叶县医院门诊楼维修"
    from app.models import SUPERVISION_STAGES

    by_stage = [r["stage"] for r in ours(client, "&sort=stage&order=asc")["rows"]]
    assert len(set(by_stage)) > 1  # the order a project goes through them
    assert by_stage == sorted(by_stage, key=SUPERVISION_STAGES.index)
    by_stage = [r["stage"] for r in ours(client, "&sort=stage&order=desc")["rows"]]
    assert by_stage == sorted(by_stage, key=SUPERVISION_STAGES.index, reverse=True)
    newest = ours(client)["rows"]  # default: 计划备案时间, newest first
    assert [r["filed_at"] for r in newest] == sorted((r["filed_at"] for r in newest),
                                                    reverse=True)
    # Pages of 20 cover every row once.
    seen = []
    for page in (1, 2, 3):
        html = client.get(f"/supervision/?q={MARK}&sort=plan_no&order=asc&page={page}")
        text = html.get_data(as_text=True)
        assert f"第 {page} / 3 页" in text
        seen += sorted(plan_nos(text))
    assert len(seen) == len(set(seen)) == 49
    assert seen == sorted(seen)
    last = client.get(f"/supervision/?q={MARK}&page=99").get_data(as_text=True)
    assert "第 3 / 3 页" in last and len(plan_nos(last)) == 9
    small = client.get(f"/supervision/?q={MARK}&psize=5").get_data(as_text=True)
    assert len(plan_nos(small)) == 5 and "第 1 / 10 页" in small
    assert "psize=5" in small  # the page links keep the page size


def test_an_empty_result_says_so(site):
    page = client_for(site, "chushen2").get("/supervision/?q=不存在的项目").get_data(as_text=True)
    assert "没有符合条件的项目" in page and "共 0 项" in page


def test_region_only_in_the_form_and_the_page_links(site):
    client = client_for(site, "jianguan")
    page = client.get(f"/supervision/?q={MARK}&region=410400&region_only=1&sort=plan_no"
                      "&order=asc").get_data(as_text=True)
    assert "共 47 项" in page and "仅本级" in page
    assert 'name="region_only" id="f-region-only" value="1" checked' in page
    # The next page, the export and the sort keep it.
    assert 'id="page-next"' in page
    for link in re.findall(r'href="([^"]*page=[^"]*)"', page) + re.findall(
            r'id="btn-export" href="([^"]*)"', page):
        assert "region_only=1" in link and "region=410400" in link, link
    second = client.get(f"/supervision/?q={MARK}&region=410400&region_only=1&sort=plan_no"
                        "&order=asc&page=3").get_data(as_text=True)
    assert "第 3 / 3 页" in second and len(plan_nos(second)) == 7
    unchecked = client.get(f"/supervision/?q={MARK}&region=410400").get_data(as_text=True)
    assert 'id="f-region-only" value="1">' in unchecked and "region_only" not in re.findall(
        r'id="btn-export" href="([^"]*)"', unchecked)[0]


def test_the_export_is_named_for_every_client(site):
    """A client reading only `filename` gets an ASCII name, not a nameless ".xlsx"."""
    response = client_for(site, "jianguan").get(f"/supervision/export?q={MARK}")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"supervision.xlsx\"; "
        "filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E7%9B%91%E7%9D%A3.xlsx")


def test_region_only_in_the_export(site):
    client = client_for(site, "jianguan")
    rows = _sheet(client.get(f"/supervision/export?q={MARK}&region=410400&region_only=1"))
    assert len(rows) - 1 == 47 and {r[4] for r in rows[1:]} == {"平顶山市"}
    rows = _sheet(client.get(f"/supervision/export?q={MARK}&region=410421&region_only=1"))
    assert [r[2] for r in rows[1:]] == ["宝丰县校园安保服务"]


@pytest.mark.parametrize("username", ["jianguan", "chushen2"])
def test_region_only_out_of_scope_is_refused(site, username):
    """方城县 is outside 平顶山市's scope and 平顶山市 outside 方城县's: refused
    as without 仅本级, never widened to the region's own projects."""
    other = {"jianguan": "411322", "chushen2": "410400"}[username]
    client = client_for(site, username)
    query = f"region={other}&region_only=1"
    page = client.get(f"/supervision/?q={MARK}&{query}").get_data(as_text=True)
    assert f"行政区划“{other}”不在您的监管范围内" in page
    assert ("方城县医疗设备采购" in page) == (username == "chushen2")
    api = client.get(f"/api/v1/supervision/?{query}", headers=bearer(api_token(client, username)))
    assert api.status_code == 400 and "不在您的监管范围内" in api.json["message"]
    # 【导出】 gives no file of a wider list than asked: back to the list, which says why.
    export = client.get(f"/supervision/export?q={MARK}&{query}")
    assert export.status_code == 302 and "/supervision/?" in export.headers["Location"]
    page = client.get(export.headers["Location"]).get_data(as_text=True)
    assert "筛选条件有误，未导出" in page and f"行政区划“{other}”不在您的监管范围内" in page


# --- 【导出】 -----------------------------------------------------------------------

def _sheet(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_export_as_filtered_and_audited(site):
    from app.extensions import db
    from app.models import AuditLog

    client = client_for(site, "jianguan")
    rows = _sheet(client.get(f"/supervision/export?q={MARK}&flag=YJ03&sort=budget&order=desc"))
    assert rows[0][:8] == ("计划编号", "项目编号", "项目名称", "采购单位", "行政区划", "采购方式",
                           "采购类别", "预算金额（元）")
    assert [r[2] for r in rows[1:]] == ["多媒体教室设备采购", "宝丰县校园安保服务"]
    first = rows[1]
    assert first[3] == "平顶山市教育局" and first[4] == "平顶山市"
    assert first[7] == 1000000 and isinstance(first[7], (int, float))  # a number, to add up
    assert first[8] == dt.datetime(2026, 3, 2, 9, 30)
    assert first[10] == 2 and first[11] == "YJ01 等标期不足、YJ03 结果公告逾期"
    with site.app_context():
        audit = db.session.query(AuditLog).filter_by(action="导出",
                                                     entity="SupervisionProject").all()
        assert any("导出项目监督 2 项" in a.detail and "flag=YJ03" in a.detail for a in audit)


def test_export_reads_in_batches(site, monkeypatch):
    """The export reads the rows a batch at a time; the batches join up."""
    from app.views.gps import supervision

    monkeypatch.setattr(supervision, "EXPORT_BATCH", 7)
    client = client_for(site, "jianguan")
    rows = _sheet(client.get(f"/supervision/export?q={MARK}&sort=plan_no&order=asc"))
    assert len(rows) - 1 == 49
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    assert len({r[0] for r in rows[1:]}) == 49


def test_export_keeps_text_text(site):
    from openpyxl import load_workbook

    response = client_for(site, "jianguan").get("/supervision/export?q=HYPERLINK")
    cell = load_workbook(io.BytesIO(response.data)).active["C2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


@pytest.mark.parametrize("username", ["chushen2", "jianguan", "sheng"])
def test_export_in_scope(site, username):
    rows = _sheet(client_for(site, username).get(f"/supervision/export?q={MARK}&psize=5"))
    assert {r[4] for r in rows[1:]} <= {"平顶山市", "宝丰县", "叶县", "方城县"}
    names = {r[2] for r in rows[1:]}
    assert ("方城县医疗设备采购" in names) == (username != "jianguan")
    assert ("宝丰县校园安保服务" in names) == (username != "chushen2")
    assert len(rows) - 1 == ours(client_for(site, username))["count"]  # every page, not one


def test_past_the_count_cap_the_page_says_more_than_and_pages_on(site, monkeypatch):
    """The page counts up to LIST_COUNT_CAP + 1 rows (views/common/counting.py):
    beyond it, “共超过 N 项”, no 末页, 下一页 while a page is full; REST stays exact."""
    monkeypatch.setitem(site.config, "LIST_COUNT_CAP", 5)
    client = client_for(site, "jianguan")
    exact = ours(client)["count"]
    assert exact > 15
    first = client.get(f"/supervision/?q={MARK}&psize=5&sort=plan_no&order=asc").get_data(
        as_text=True)
    assert "共超过 5 项（请用筛选缩小范围）" in first and "末页" not in first
    assert 'id="page-next"' in first and "第 1 页" in first and len(plan_nos(first)) == 5
    third = client.get(f"/supervision/?q={MARK}&psize=5&sort=plan_no&order=asc&page=3").get_data(
        as_text=True)  # past the rows counted, but there: not pulled back to page 2
    assert "第 3 页" in third and len(plan_nos(third)) == 5 and not plan_nos(third) & plan_nos(first)
    past = client.get(f"/supervision/?q={MARK}&psize=5&page=999").get_data(as_text=True)
    assert "本页已超出列表末尾" in past and "没有符合条件的项目" not in past
    assert 'id="page-next"' not in past and not plan_nos(past)
    monkeypatch.setitem(site.config, "LIST_COUNT_CAP", exact)
    page = client.get(f"/supervision/?q={MARK}").get_data(as_text=True)
    assert f"共 {exact} 项" in page and "末页" in page


def test_export_over_the_cap_is_refused_with_a_message(site, monkeypatch):
    from app.views.gps import supervision

    monkeypatch.setattr(supervision, "MAX_EXPORT", 10)
    client = client_for(site, "jianguan")
    response = client.get(f"/supervision/export?q={MARK}")
    assert response.status_code == 302 and "/supervision/?" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "超过导出上限 10 项" in page


# --- junk in the URL ----------------------------------------------------------------

JUNK = ["page=-1", "page=0", "page=abc", "psize=99999999", "psize=0", "from=2026-13-45",
        "to=yesterday", "from=2026-05-01&to=2026-01-01", "flag=<script>alert(1)</script>",
        "flag=YJ99", "sort=password", "sort=plan_id;drop", "order=sideways",
        "budget_min=-5", "budget_max=1e400", "budget_min=NaN", "budget_max=99999999999999999999",
        "page=99999999999999999999", "region=999999", "region=411322", "region=%00",
        "method=抢购", "stage=x", "category=" + "长" * 500, "q=%00", "q=a%00b", "flag=YJ01%00",
        "from=%00", "q=" + "x" * 5000, "region[]=1&flag=YJ01&flag=YJ02",
        "to=9999-12-31", "from=0001-01-01", "to=1999-12-31",
        "region=410400&region_only=yes", "region=410400&region_only=%00",
        "region_only=1", "region=999999&region_only=1", "region=410400&region_only=" + "1" * 5000]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_parameters_never_fail(site, junk):
    client = client_for(site, "jianguan")
    page = client.get(f"/supervision/?{junk}")
    assert page.status_code == 200, junk
    assert "<script>alert" not in page.get_data(as_text=True)
    export = client.get(f"/supervision/export?{junk}&q={MARK}")
    assert export.status_code in (200, 302)
    api = client.get(f"/api/v1/supervision/?{junk}", headers=bearer(api_token(client, "jianguan")))
    assert api.status_code in (200, 400), junk


@pytest.mark.parametrize("junk,message", [
    ("from=2026-13-45", "日期“2026-13-45”无效"),
    ("to=9999-12-31", "日期“9999-12-31”须在2000-01-01至2099-12-31之间"),
    ("flag=<script>", "筛选条件“预警”的值无效，已忽略"),
    ("sort=password", "筛选条件“排序”的值无效，已忽略"),
    ("region=411322", "行政区划“411322”不在您的监管范围内"),
    ("psize=99999999", "每页最多显示 100 项"),
    ("page=-1", "筛选条件“页码”的值无效"),
    ("budget_min=-5", "金额“-5”无效"),
    ("region=410400&region_only=yes", "筛选条件“仅本级”的值无效，已忽略"),
    ("region=410400&region_only=11", "筛选条件“仅本级”的值无效，已忽略"),
    ("region_only=1", "“仅本级”须与行政区划一同选择，已忽略"),
])
def test_junk_is_named_on_the_page_and_ignored(site, junk, message):
    client = client_for(site, "jianguan")
    page = client.get(f"/supervision/?q={MARK}&{junk}").get_data(as_text=True)
    assert message in page
    assert "共 49 项" in page  # the bad filter was ignored, not applied
    api = client.get(f"/api/v1/supervision/?{junk}", headers=bearer(api_token(client, "jianguan")))
    # The API refuses the request instead: nothing was "ignored" there.
    assert api.status_code == 400 and "已忽略" not in api.json["message"]
    assert message.removesuffix("，已忽略").replace(
        "每页最多显示 100 项", "每页最多 100 项（psize 不得超过 100）") in api.json["message"]


def test_the_api_refuses_in_its_own_words(site):
    client = client_for(site, "jianguan")
    api = client.get("/api/v1/supervision/?from=abc&psize=500",
                     headers=bearer(api_token(client, "jianguan")))
    assert api.status_code == 400
    assert api.json["message"] == ("日期“abc”无效，请按 2026-01-31 的格式填写；"
                                   "每页最多 100 项（psize 不得超过 100）")
    page = client.get("/supervision/?from=abc&psize=500").get_data(as_text=True)
    assert "日期“abc”无效，请按 2026-01-31 的格式填写，已忽略" in page
    assert "每页最多显示 100 项" in page


def test_a_date_out_of_range_is_said_to_be_so(site):
    """Written as asked, but outside the years any date here holds: not 请按格式填写."""
    client = client_for(site, "jianguan")
    api = client.get("/api/v1/supervision/?from=0001-01-01",
                     headers=bearer(api_token(client, "jianguan")))
    assert api.status_code == 400
    assert api.json["message"] == "日期“0001-01-01”须在2000-01-01至2099-12-31之间"
    page = client.get("/supervision/?to=1999-12-31").get_data(as_text=True)
    assert "日期“1999-12-31”须在2000-01-01至2099-12-31之间，已忽略" in page


def test_the_list_is_in_the_openapi_spec(site):
    spec = client_for(site, "jianguan").get("/api/v1/_openapi").json
    operation = spec["paths"]["/api/v1/supervision/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "region", "region_only", "method", "category", "stage", "flag", "from", "to",
        "budget_min", "budget_max", "q", "sort", "order", "page", "psize"}


def test_the_rows_and_options_written_in_python_are_escaped(site):
    """table_body() and filter_choices() write HTML themselves (one pass, for
    speed): every stored text in them is escaped, and the chosen option is
    the one selected."""
    from werkzeug.datastructures import MultiDict

    from app.views.gps.supervision import Listing, filter_choices, table_body

    evil = '<img src=x onerror=alert(1)>&"'
    row = {"plan_id": 7, "plan_no": evil, "project_code": None, "project_name": evil,
           "unit_name": evil, "region_name": evil, "procurement_method": "公开招标",
           "category": evil, "budget": Decimal("1234.5"), "filed_at": dt.datetime(2026, 3, 2, 9, 30),
           "stage": "开标", "flag_count": 2, "flags": ["YJ01", "YJ03"]}
    with site.test_request_context("/supervision/"):
        names = {"word": lambda value: value, "flag_name": lambda flag_id: "<b>" + flag_id}
        html = str(table_body([row], guide_label="项目向导<", **names))
        listing = Listing(None, MultiDict({"flag": "YJ03", "sort": "budget"}))
        choices = filter_choices(listing, [("410400", evil)], **names)
    assert "<img" not in html and "<b>" not in html and "项目向导<" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;&amp;&#34;") == 5  # plan_no … category
    assert '<td class="plan-no">&lt;img' in html and "<td>—</td>" in html
    assert '<td class="text-right">1,234.50</td>' in html and "<td>2026-03-02 09:30</td>" in html
    assert 'class="label label-danger flag-badge" title="YJ01 &lt;b&gt;YJ01；YJ03 &lt;b&gt;YJ03">2<' in html
    assert 'href="/supervision/project/7"' in html
    assert "<img" not in str(choices["region"]) and "&lt;img" in str(choices["region"])
    assert '<option value="YJ03" selected>YJ03 &lt;b&gt;YJ03</option>' in str(choices["flag"])
    assert '<option value="YJ01">' in str(choices["flag"])
    assert '<option value="budget" selected>' in str(choices["sort"])


@pytest.mark.parametrize("username,codes", [
    ("jianguan", {"410400", "410421", "410422"}),
    ("chushen2", {"411322"}),
])
def test_the_scope_names_its_regions_as_constants(site, username, codes):
    # The planner weighs constants against the column's statistics; behind a
    # subquery on region it guessed a quarter of the table for any region
    # (app/scope.py, in_region_subtree).
    from tests.helpers import Statements

    client = logged_in(site, username)
    with Statements(site) as seen:
        assert client.get("/supervision/").status_code == 200
    listed = [s for s in seen if "FROM supervision_project" in s and "LIMIT" in s]
    assert listed
    for statement in listed:
        found = re.search(r"supervision_project\.region_code IN \(([^)]*)\)", statement)
        assert found, statement
        assert set(re.findall(r"'(\d{6})'", found.group(1))) == codes
        assert "FROM region" not in statement
