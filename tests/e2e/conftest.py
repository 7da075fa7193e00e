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


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module (browser tests); each user gets a context of their own."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import browser as ui

    with sync_playwright() as playwright:
        chromium = ui.launch(playwright)
        yield chromium
        chromium.close()
