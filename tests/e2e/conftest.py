import os

import pytest

from tests.e2e.stack import Stack


@pytest.fixture
def stack(templates, databases, redis_url, tmp_path):
    """GPS, 平顶山市 and 方城县 sites with workers and sweepers, all real."""
    urls = {key: databases.clone(templates[key], f"e2e_{key}") for key in ("gps", "pds", "fc")}
    s = Stack(urls, redis_url, tmp_path)
    s.start_all()
    yield s
    s.stop_all()


@pytest.fixture
def gps_site(browser, templates, databases, redis_url, tmp_path):
    """The GPS demo site alone, served over HTTP (modules that need more of
    it define their own gps_site)."""
    s = Stack({"gps": databases.clone(templates["gps"], "e2e_gps_only")}, redis_url, tmp_path)
    s.start_site("gps")
    yield s
    s.stop_all()


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module (browser tests); each user gets a context of their own."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import browser as ui

    with sync_playwright() as playwright:
        chromium = ui.launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in(browser, request, tmp_path):
    """sign_in(stack, site, username) → a signed-in page in a fresh context;
    on failure every open page is screenshotted into the test's tmp_path.
    (The other browser modules' sign_in also knows their sites.)"""
    from tests.e2e import browser as ui

    pages = []
    failed_before = request.session.testsfailed

    def open_as(stack, key, username):
        page = ui.new_page(browser)
        pages.append((f"{key}-{username}", page))
        return ui.login(page, stack.url(key), username)

    yield open_as
    ui.screenshot_pages(pages, tmp_path, request.session.testsfailed > failed_before)


def pytest_collection_modifyitems(config, items):
    """The chromium walks run once, in the SQLite run. What they check is the
    pages' behaviour in a browser, the same on either database; what differs
    between the databases is exercised by the HTTP end-to-end tests and the
    unit tests, which run on both. This keeps `make test` inside CI's time."""
    if os.environ.get("TEST_DB") != "postgres":
        return
    once = pytest.mark.skip(reason="浏览器测试只在 SQLite 一轮运行（页面行为与数据库无关）")
    for item in items:
        if item.path.name.endswith("_browser.py"):
            item.add_marker(once)
