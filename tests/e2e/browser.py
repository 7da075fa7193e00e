"""A real browser for end-to-end tests: Debian's chromium driven by Playwright.

`playwright install` cannot download a browser here, so Playwright launches
the system's chromium (CHROMIUM_PATH, else `chromium` on PATH). Without it
the browser tests fail under CI (CI=true) and are skipped elsewhere.
"""
import os
import re
import shutil

import pytest

from tests.e2e.stack import WAIT_FLOOR

DEMO_PASSWORD = "DemoPass@2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Each wait's limit. A busy machine (the CI's, with other work beside it) once
# took more than 15 s to load a GPS list page, and later more than 30 s to load
# 【待办任务】 after a review on a run with a load average of 17 on 2 CPUs; a
# passing test never waits this long: the stack's own waits' floor.
TIMEOUT_MS = int(WAIT_FLOOR * 1000)


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return path if path and os.access(path, os.X_OK) else None


def missing_chromium() -> str:
    if configured := os.environ.get("CHROMIUM_PATH"):
        return f"CHROMIUM_PATH={configured} is not an executable"
    return "chromium not found on PATH (apt-get install chromium, or set CHROMIUM_PATH)"


def unavailable(reason: str):
    """Fail under CI, where the browser must be installed; skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def launch(playwright):
    path = chromium_path()
    if path is None:
        unavailable(missing_chromium())
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


def new_page(browser):
    """A page in a context of its own: its own cookies, so its own user."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def login(page, base: str, username: str, password: str = DEMO_PASSWORD):
    """Sign in on /login/ as a user would; fails the test if that does not work."""
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form input[type=submit], form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{username} could not log in: {flash_text(page)}"
    return page


def flash_text(page) -> str:
    """The text of the flash messages on the current page."""
    alerts = page.locator(".alert")
    return " | ".join(t.strip() for t in alerts.all_inner_texts())


def screenshot_pages(pages, directory, failed: bool):
    """Close each (name, page) of a test; when it failed, first screenshot every
    page still open into `directory` (the test's tmp_path) and say where."""
    for n, (name, page) in enumerate(pages):
        if failed and not page.is_closed():
            shot = directory / f"{n:02d}-{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot} ({page.url})")
        page.context.close()


# --- what a user does on any site's pages ---------------------------------------

def open_menu(page, *labels):
    """Click through the navigation bar, e.g. 监督管理 → 中标结果变更备案."""
    nav = page.locator(".navbar")
    for label in labels:
        # Not exact: a link's name starts with its Font Awesome glyph. Anchored
        # at the end: 系统管理 is not the user menu 系统管理员.
        name = re.compile(rf"(^|\s){re.escape(label)}\s*$")
        nav.get_by_role("link", name=name).click()
    page.wait_for_load_state()


def add_filter(page, column: str):
    """FAB's 搜索 → 添加过滤条件 → the column, until its row is there. The
    panel opens with an animation, and on a busy machine a click on the
    menu's column once added no row (CI, the 采购单位 filter)."""
    from playwright.sync_api import expect

    page.wait_for_load_state("load")  # ab_filters.js binds its links at load
    rows = page.locator("#filter_form table.filters tr")
    before = rows.count()
    adding = page.get_by_role("button", name="添加过滤条件")
    for attempt in range(3):
        if not adding.is_visible():
            page.locator("a[href='#accordion1_href']").click()  # 搜索
        adding.click()
        page.locator(f"#filter_form a.filter[name={column}]").click()
        try:
            expect(rows).to_have_count(before + 1, timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def ask(page, selector: str):
    """Click a button that asks for confirmation. The page must have loaded
    first: confirm.js is at the page's tail, and a click before it runs
    submits the form unasked (as it would without JavaScript)."""
    page.wait_for_load_state("load")
    page.click(selector)


def confirm(page, title: str, *texts: str):
    """The one confirmation dialog (#modal-confirm, not window.confirm) is
    open with this title and these texts: 【确定】."""
    from playwright.sync_api import expect

    modal = page.locator("#modal-confirm")
    expect(modal).to_be_visible()
    expect(modal.locator("#modal-confirm-title")).to_have_text(title)
    for text in texts:
        expect(modal).to_contain_text(text)
    expect(modal.get_by_role("button", name="取消")).to_be_visible()
    ok = modal.locator("#modal-confirm-ok")
    expect(ok).to_have_text("确定")
    ok.click()
    page.wait_for_load_state()


def submit_ticked(page, pk, waiting_for: str, new_state: str):
    """On a chain's list: tick the row, 【提交】, 确定 in the dialog; the
    flash names who reviews next and the row shows its new state."""
    from playwright.sync_api import expect

    page.check(f"input.action_check[value='{pk}']")
    ask(page, "#btn-submit")
    confirm(page, "提交", "审核期间不能修改")
    expect(page.locator(".alert-success")).to_contain_text(f"已提交，等待{waiting_for}审核")
    row = page.locator("table tr", has=page.locator(f"input.action_check[value='{pk}']"))
    expect(row).to_contain_text(new_state)


def todo_row(page, label):
    """【待办任务】, and the row of the item named `label`."""
    from playwright.sync_api import expect

    open_menu(page, "待办任务")
    expect(page).to_have_url(re.compile(r"/todo/?$"))
    return page.locator("tr.todo-row", has_text=label)


def review(page, kind: str, review_path: str, label, result, opinion):
    """【待办任务】→【进入审批】→ 审批结果, 审批意见 →【审核】 for the `kind` of item
    (中标结果变更备案, 项目进场受理 …) whose review page is `review_path`."""
    from playwright.sync_api import expect

    row = todo_row(page, label)
    expect(row).to_contain_text(kind)
    row.locator("a.btn-enter-review").click()
    expect(page).to_have_url(re.compile(re.escape(review_path) + "$"))
    page.locator(f"input[name=result][value='{result}']").check()
    page.fill("textarea[name=opinion]", opinion)
    ask(page, "#btn-review")
    confirm(page, f"审核{result}", "审批结果和审批意见将记入审批记录")


def shown(page, label):
    """The value next to a label on a show page (FAB's th/td rows)."""
    return page.locator("tr", has=page.locator("th", has_text=re.compile(f"^{label}$"))
                        ).locator("td")
