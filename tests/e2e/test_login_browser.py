"""The sign-in limits as a user meets them in a real browser: after too many
failed sign-ins of one account the login page says so, in the words of
the message, and the right password waits too; another account signs in."""
import pytest
from playwright.sync_api import expect

from tests.e2e import browser as ui
from tests.e2e.test_auth_over_http import own_redis, sites  # noqa: F401 (fixtures)
from tests.helpers import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base, username, password):
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form input[type=submit], form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_a_locked_account_is_told_so_on_the_login_page(browser, sites, tmp_path):  # noqa: F811
    sites.env["AUTH_ACCOUNT_LIMIT"] = "2 per minute"
    sites.start_site("gps")
    base = sites.url("gps")
    page = ui.new_page(browser)
    try:
        for _ in range(2):
            sign_in(page, base, "jingban", "wrong-Password1")
            assert "/login/" in page.url
        sign_in(page, base, "jingban", DEMO_PASSWORD)
        assert "/login/" in page.url
        expect(page.locator(".alert")).to_contain_text("该账号登录失败次数过多")
        expect(page.locator("input[name=username]")).to_be_visible()  # the form, to try later
        page.screenshot(path=str(tmp_path / "locked.png"), full_page=True)
        ui.login(ui.new_page(browser), base, "shenhe")
    except Exception:
        page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'failed.png'} ({page.url})")
        raise
    finally:
        page.context.close()
