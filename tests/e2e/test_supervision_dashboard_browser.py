"""【监督看板】 in a real browser (Debian's chromium, driven by Playwright)
against a real GPS server: the 监管处 opens 【项目监督】→【监督看板】 by the
menu, the vendored ECharts draws every chart (read back from the canvases:
not blank, several colours), no Content-Security-Policy violation, and a
mouse click on a bar opens 【项目监督】 with that bar's parameters.

The rows are tests/dashboard_helpers.PROJECTS, inserted before the server
starts; the list itself (/supervision/) is another page's business, so the
test follows the click to its URL and stops there."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.dashboard_helpers import clear_derived, insert
from tests.e2e import browser as ui
from tests.e2e.stack import Stack
from tests.e2e.test_csp_browser import reported, watch_csp

pytestmark = pytest.mark.browser

CHARTS = ("stages", "methods", "months", "flags", "late")

# How many distinct colours the chart's canvas holds, and how much of it is
# not background: a chart ECharts drew has bars, axes and legend in several
# colours; a blank or failed one has one.
CANVAS_COLOURS = """(id) => {
    const canvas = document.querySelector('#' + id + ' canvas');
    if (!canvas) return null;
    const ctx = canvas.getContext('2d');
    const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set();
    let painted = 0;
    for (let i = 0; i < data.length; i += 4 * 7) {
        if (data[i + 3] === 0) continue;
        painted++;
        colours.add((data[i] >> 4) + ',' + (data[i + 1] >> 4) + ',' + (data[i + 2] >> 4));
    }
    return {colours: colours.size, painted: painted};
}"""


@pytest.fixture(scope="module")
def gps_site(templates, databases, redis_url, tmp_path_factory):
    """GPS's web server only, on a copy of the demo with the dashboard's rows."""
    from app.extensions import db
    from tests.conftest import make_app

    url = databases.clone(templates["gps"], "dashboard_gps")
    app = make_app("gps", url, redis_url)
    try:
        clear_derived(app)
        insert(app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    stack = Stack({"gps": url}, redis_url, tmp_path_factory.mktemp("dashboard-logs"))
    stack.start_site("gps")
    yield stack
    stack.stop_all()


@pytest.fixture
def jianguan(browser, gps_site, request, tmp_path):
    """The 监管处 of 平顶山市, signed in, with CSP violations recorded."""
    page = ui.new_page(browser)
    failed_before = request.session.testsfailed
    violations = watch_csp(page)
    ui.login(page, gps_site.url("gps"), "jianguan")
    yield page, violations
    if request.session.testsfailed > failed_before:
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'dashboard.png'} ({page.url})")
    page.context.close()


def open_dashboard(page):
    ui.open_menu(page, "项目监督", "监督看板")
    expect(page).to_have_url(re.compile(r"/supervision/dashboard$"))
    page.wait_for_function("() => window.supervisionCharts && "
                           f"Object.keys(window.supervisionCharts).length === {len(CHARTS)}")
    # Drawn, not still animating: ECharts reports when a frame is finished.
    page.wait_for_timeout(600)


def test_the_charts_render_in_colour(jianguan, tmp_path):
    page, violations = jianguan
    open_dashboard(page)
    expect(page.locator("#total-projects")).to_have_text("4")
    expect(page.locator("#total-budget")).to_have_text("380.00")
    expect(page.locator("#total-flagged")).to_have_text("3")
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    for name in CHARTS:
        found = page.evaluate(CANVAS_COLOURS, f"chart-{name}")
        assert found is not None, f"{name}: no canvas"
        assert found["colours"] >= 4 and found["painted"] > 500, (name, found)
    # Chinese on the charts: ECharts was given the server's labels and locale.
    option = page.evaluate("() => window.supervisionCharts.stages.getOption()")
    assert option["xAxis"][0]["data"][:3] == ["计划备案", "进场受理", "采购公告"]
    names = page.evaluate("() => window.supervisionCharts.methods.getOption().series"
                          ".map(s => s.name)")
    assert names == ["预算金额", "中标（成交）金额", "合同金额"]
    assert reported(page, violations) == []


def bar_centre(page, chart, series_index, data_index):
    """Where on the page a bar of `chart` is drawn (ECharts' own layout)."""
    x, y = page.evaluate(
        """([name, s, d]) => {
            const chart = window.supervisionCharts[name];
            const rect = chart.getModel().getSeriesByIndex(s).getData().getItemLayout(d);
            return [rect.x + rect.width / 2, rect.y + rect.height / 2];
        }""", [chart, series_index, data_index])
    box = page.locator(f"#chart-{chart}").bounding_box()
    return box["x"] + x, box["y"] + y


def test_a_click_on_a_bar_opens_the_list_with_its_parameters(jianguan):
    page, _violations = jianguan
    open_dashboard(page)
    # 项目阶段分布: the 结果公告 bar (DB-001).
    stages = page.evaluate("() => window.supervisionCharts.stages.getOption().xAxis[0].data")
    page.locator("#chart-stages").scroll_into_view_if_needed()
    x, y = bar_centre(page, "stages", 0, stages.index("结果公告"))
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/supervision/\?"))
    assert parse_qs(urlsplit(page.url).query) == {"stage": ["结果公告"]}

    # 预警 by region: 宝丰县's YJ01 segment (DB-003).
    page.go_back()
    page.wait_for_function("() => window.supervisionCharts && window.supervisionCharts.flags")
    page.wait_for_timeout(600)
    series = page.evaluate("() => window.supervisionCharts.flags.getOption().series"
                           ".map(s => s.name)")
    regions = page.evaluate("() => window.supervisionCharts.flags.getOption().xAxis[0].data")
    page.locator("#chart-flags").scroll_into_view_if_needed()
    x, y = bar_centre(page, "flags", series.index("YJ01 等标期不足"), regions.index("宝丰县"))
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/supervision/\?"))
    assert parse_qs(urlsplit(page.url).query) == {"flag": ["YJ01"], "region": ["410421"]}
