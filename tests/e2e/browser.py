"""A real browser for end-to-end tests: Debian's chromium driven by Playwright.

`playwright install` cannot download a browser here, so Playwright launches
the system's chromium (CHROMIUM_PATH, else `chromium` on PATH). Without it
the browser tests fail under CI (CI=true) and are skipped elsewhere.
"""
import os
import shutil

import pytest

DEMO_PASSWORD = "DemoPass@2026"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000


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
