"""Helpers a test uses like a person would: log in, post a form, call REST."""
import importlib.util
import re
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

DEMO_PASSWORD = "DemoPass@2026"

# Headers that show /health's details (the token tests/conftest.py configures).
HEALTH = {"Authorization": "Bearer test-health-token"}

def migration(revision: str):
    """A migration's module, by its revision id (to call what it defines,
    such as a backfill, against a test's database)."""
    path = next((Path(__file__).parent.parent / "migrations" / "versions").glob(f"{revision}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, url="/login/") -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client, username, password=DEMO_PASSWORD):
    token = csrf_token(client, "/login/")
    return client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": token})


def logged_in(app, username):
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, f"{username} could not log in"
    return client


def post_edit_form(client, path, **changes):
    """【修改】 through the real form at `path`: what the edit page shows,
    with `changes`."""
    page = client.get(path).get_data(as_text=True)
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|'
                           r'<option[^>]*value="([^"]*)"[^>]*selected', body)
        data[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    data.update(changes, csrf_token=csrf_token(client, path))
    return client.post(path, data=data)


@contextmanager
def in_english(client):
    """The signed-in `client` reads the pages in English, then Chinese again."""
    client.get("/lang/en")
    try:
        yield client
    finally:
        client.get("/lang/zh")


def form_token(client) -> str:
    """A CSRF token for the signed-in session (from a page every user has)."""
    return csrf_token(client, "/resetmypassword/form")


def api_token(client, username, password=DEMO_PASSWORD) -> str:
    response = client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": False})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def xlsx_text(data: bytes) -> str:
    """Every cell of an .xlsx as text, one per line: what a reader of an
    export sees, to search for what must (not) be in it."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(v) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


class Statements:
    """The SQL a block of requests runs on the app's engine."""

    def __init__(self, app):
        from app.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, *args):
        self.seen.append(statement)
