"""Every list page writes its rows in one pass (app/views/common/list_widget.py)
and must read exactly as FAB's own list widget would have written them."""
import re

import pytest
from flask_appbuilder.widgets import ListWidget, SearchWidget
from markupsafe import Markup

from app.views.common.base import ReadWriteModelView
from app.views.common.list_widget import PK, list_rows
from tests.helpers import logged_in

# Who sees the most rows of each site's lists (the Admin sees every list;
# the others see lists the Admin's scope leaves empty or refuses).
USERS = {"gps": ["admin", "jingban", "jianguan", "daili"], "pds": ["admin", "shouli", "zhongxin"]}


def table(page: str) -> str:
    """The list's table, its whitespace and per-request tokens evened out."""
    start = page.find("table-bordered")
    if start < 0:
        return ""
    html = page[start:page.find("</table>", start)]
    html = re.sub(r'(name="csrf_token" value=)"[^"]+"', r'\1"…"', html)
    html = re.sub(r'nonce="[^"]+"', 'nonce="…"', html)
    return re.sub(r"\s+", " ", html).replace("> <", "><")


def list_views(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ReadWriteModelView)]


def list_url(app, view) -> str:
    with app.test_request_context():
        from flask import url_for
        return url_for(f"{view.endpoint}.list")


def every_button(view, monkeypatch):
    """Every row's 编辑 and 删除 shown, as FAB's widget shows them (hiding
    them: test_a_rows_buttons_are_those_its_record_allows)."""
    monkeypatch.setattr(view, "edit_refusal", lambda item: None)
    monkeypatch.setattr(view, "delete_refusal", lambda item: None)


def fabs_page(client, url, view, monkeypatch, **fab_widgets) -> str:
    """The page as FAB's own widgets (attribute=class) would have written it."""
    for attribute, widget in fab_widgets.items():
        monkeypatch.setattr(view, attribute, widget)
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("key, language", [("gps", "zh"), ("pds", "zh"), ("gps", "en")])
def test_every_list_reads_as_fab_would_write_it(request, key, language, monkeypatch):
    """In either language; the column heads, translated once per view and
    language (_in_language), after the other language was read first."""
    app = request.getfixturevalue({"gps": "gps_demo", "pds": "pds_demo"}[key])
    compared = 0
    for username in USERS[key]:
        try:
            client = logged_in(app, username)
        except AssertionError:
            continue  # not a user of this site
        for other in ({"zh": "en", "en": "zh"}[language], language):
            client.get("/lang/" + other)
            for view in list_views(app):
                client.get(list_url(app, view))
        for view in list_views(app):
            url = list_url(app, view)
            every_button(view, monkeypatch)
            ours = client.get(url)
            if ours.status_code != 200 or not table(ours.get_data(as_text=True)):
                monkeypatch.undo()
                continue
            fabs = fabs_page(client, url, view, monkeypatch, list_widget=ListWidget)
            assert table(ours.get_data(as_text=True)) == table(fabs), url
            compared += 1
    assert compared >= {"gps": 10, "pds": 5}[key], compared


def test_a_rows_buttons_are_those_its_record_allows(gps):
    """A submitted contract offered 编辑 (then 只有草稿或已退回的合同可以修改)
    and 删除 (只有未提交过的草稿可以删除): each row shows only what its
    record's edit_refusal and delete_refusal allow."""
    from app.extensions import db
    from app.models import Plan
    from tests.contract_helpers import filed_contract

    _, _, contract = filed_contract(gps)
    client = logged_in(gps, "jingban")
    page = client.get("/contracts/list/").get_data(as_text=True)
    assert f"/contracts/show/{contract}" in page
    assert f"/contracts/edit/{contract}" not in page and f"/contracts/delete/{contract}" not in page
    with gps.app_context():
        states = dict(db.session.query(Plan.id, Plan.state).all())
    page = client.get("/plans/list/?psize_PlanView=100").get_data(as_text=True)
    shown = {pk: (f"/plans/edit/{pk}" in page, f"/plans/delete/{pk}" in page)
             for pk in states if f"/plans/show/{pk}" in page}
    assert shown and {pk: (state != "已撤回", state == "草稿") for pk, state in states.items()
                      if pk in shown} == shown
    assert {state for pk, state in states.items() if pk in shown} >= {"草稿", "已备案"}


def test_a_lots_buttons_follow_its_projects_state(site_factory):
    """The 标段 list offered 编辑 and 删除 on every lot, then refused them
    (项目已受理通过，标段只能修改，不能删除; 审核期间不能修改标段). A lot of a
    草稿 project shows both, of an accepted one 编辑 only, of one under
    review neither; the page still reads its projects in one statement."""
    from app.extensions import db
    from app.models import Lot, TradingProject
    from tests.acceptance_helpers import (accepted_project, add_lot, complete, project_of,
                                          pushed_plan, submit, take_plan)

    pds = site_factory("pds")
    _, accepted, _ = accepted_project(pds, "410400-2026-98201", lots=(("第一包 课桌椅", "900000.00"),))
    daili = logged_in(pds, "daili")
    states = {"受理通过": accepted}
    for state, plan_no in (("草稿", "410400-2026-98202"), ("待受理审核", "410400-2026-98203")):
        pushed_plan(pds, plan_no)
        take_plan(daili, plan_no)
        pk, _code, _state = project_of(pds, plan_no)
        assert complete(daili, pk).status_code == 302
        assert add_lot(daili, pk, f"第一包 {state}", "1000000.00").status_code == 302
        if state != "草稿":
            submit(daili, pk)
        states[state] = pk
    with pds.app_context():
        assert {state: db.session.get(TradingProject, pk).state
                for state, pk in states.items()} == {s: s for s in states}
        lot_of = {state: db.session.query(Lot.id).filter_by(project_id=pk).scalar()
                  for state, pk in states.items()}
        db.session.remove()
    page = daili.get("/lots/list/?psize_LotView=100").get_data(as_text=True)
    shown = {state: (f"/lots/edit/{lot}" in page, f"/lots/delete/{lot}" in page)
             for state, lot in lot_of.items()}
    assert shown == {"草稿": (True, True), "受理通过": (True, False), "待受理审核": (False, False)}
    assert all(f"/lots/show/{lot}" in page for lot in lot_of.values())


def search_form(page: str) -> str:
    """The search form and FAB's filter script fed by it, tokens evened out."""
    start = page.find('<form id="filter_form"')
    assert start >= 0
    html = page[start:page.find("</script>", page.find("</form>", start))]
    html = re.sub(r'(name="csrf_token" value=)"[^"]+"', r'\1"…"', html)
    html = re.sub(r'nonce="[^"]+"', 'nonce="…"', html)
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_search_form_reads_as_fab_would_write_it(gps_demo, language, monkeypatch):
    """OnceTranslatedSearchWidget translates labels and filter names once per
    view and language, and renders the fields nothing else decides once: the
    forms are FAB's, in either language, and a language chosen after the
    other was cached gets its own words."""
    client = logged_in(gps_demo, "admin")
    client.get("/lang/" + {"zh": "en", "en": "zh"}[language])
    for view in list_views(gps_demo):  # the other language cached first
        client.get(list_url(gps_demo, view))
    client.get("/lang/" + language)
    compared = 0
    for view in list_views(gps_demo):
        if not view.search_columns:
            continue
        url = list_url(gps_demo, view) + "?_flt_0_" + view.search_columns[0] + "=x"
        client.get(url)  # its unchanging fields kept (_field_html): the page below reads them
        ours = client.get(url)
        if ours.status_code != 200:
            continue
        fabs = fabs_page(client, url, view, monkeypatch, search_widget=SearchWidget)
        assert search_form(ours.get_data(as_text=True)) == search_form(fabs), url
        compared += 1
    assert compared >= 10, compared


def test_rows_escape_every_value_and_keep_a_formatters_markup():
    rows = list_rows(
        value_columns=[{"name": '<img src=x onerror=alert(1)>', "amount": 5, "link": None},
                       {"name": "乙", "amount": 6, "link": None}],
        pks=[7, "a b"], include_columns=["name", "amount", "link"],
        formatters={"amount": lambda value: Markup(f"<b>{value}</b>")},
        actions={"x": 1}, buttons=Markup(f'<a href="/v/show/{PK}">看</a>'))
    html = str(rows)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<td><b>5</b></td>" in html and "<td>None</td>" in html
    assert 'href="/v/show/7"' in html and 'href="/v/show/a%20b"' in html
    assert '<input id="a b" class="action_check" name="rowid" value="a b" type="checkbox">' in html
    assert PK not in html
    assert list_rows([{"name": "甲"}], [1], ["name"], {}, {}, None) == \
        Markup("<tr><td>甲</td></tr>")


def test_rows_format_each_distinct_value_once_a_page():
    """list_rows formats a repeated value (是/否, a state, one unit) once a
    page, and never lets one value stand for another that reads differently:
    Decimal("1.0") and Decimal("1.00"), 1 and True, equal-looking records."""
    from decimal import Decimal

    class Unit:  # a record: equal only to itself
        def __init__(self, name):
            self.name = name

    first, second, twin = Unit("甲"), Unit("乙"), Unit("甲")
    calls = []

    def recorded(column):
        def formatter(value):
            calls.append((column, value))
            return value.name if isinstance(value, Unit) else str(value)
        return formatter

    columns = ["flag", "amount", "unit", "tags", "n"]
    rows = [{"flag": True, "amount": Decimal("1.0"), "unit": first, "tags": ["a"], "n": 1},
            {"flag": True, "amount": Decimal("1.00"), "unit": first, "tags": ["a"], "n": True},
            {"flag": False, "amount": Decimal("1.0"), "unit": twin, "tags": ["a"], "n": 1},
            {"flag": True, "amount": None, "unit": second, "tags": ["b"], "n": True}]
    html = str(list_rows(rows, [1, 2, 3, 4], columns, {c: recorded(c) for c in columns}, {}, None))
    made = {column: [value for c, value in calls if c == column] for column in columns}
    assert made["flag"] == [True, False]
    assert made["amount"] == [Decimal("1.0"), Decimal("1.00"), Decimal("1.0"), None]
    assert [unit.name for unit in made["unit"]] == ["甲", "甲", "乙"]  # first, its twin, second
    assert len(made["tags"]) == 4  # a list: formatted every time
    assert made["n"] == [1, True]
    assert html.count("<td>1.0</td>") == 2 and html.count("<td>1.00</td>") == 1
    assert html.count("<td>True</td>") == 5  # three flags, two n


def test_a_search_field_is_kept_only_while_nothing_but_its_language_decides_it(gps_demo):
    """_field_html keeps an unchanging field's HTML per language while it is
    empty or holds its fixed default; a field with another value or a default
    made per form, one bound to posted data, or a select whose options come
    from elsewhere (QuerySelectField, SearchedSelect) is drawn anew."""
    import datetime as dt

    from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, Select2Widget
    from werkzeug.datastructures import MultiDict
    from wtforms import Form, SelectField, StringField

    from app.views.common.list_widget import _field_html

    options = [("1", "甲")]

    class Search(Form):
        code = StringField(widget=BS3TextFieldWidget())
        unit = SelectField(choices=lambda: list(options), widget=Select2Widget())
        state = StringField(default="草稿", widget=BS3TextFieldWidget())
        when = StringField(default=lambda: dt.datetime.now().isoformat(), widget=BS3TextFieldWidget())

    kept = {}
    with gps_demo.test_request_context():
        empty = _field_html(Search().code, "zh", kept)
        assert list(kept) == [("code", "zh", type(None), None)] and 'value=""' in empty
        assert _field_html(Search().code, "zh", kept) is kept[("code", "zh", type(None), None)]
        assert 'value="x"' in _field_html(Search(data={"code": "x"}).code, "zh", kept)
        assert 'value="y"' in _field_html(Search(MultiDict({"code": "y"})).code, "zh", kept)
        assert "甲" in _field_html(Search().unit, "zh", kept)
        options[:] = [("2", "乙")]
        drawn = _field_html(Search().unit, "zh", kept)
        assert "乙" in drawn and "甲" not in drawn
        kept_default = _field_html(Search().state, "zh", kept)
        assert 'value="草稿"' in kept_default
        assert 'value="x"' in _field_html(Search(data={"state": "x"}).state, "zh", kept)
        assert "T" in _field_html(Search().when, "zh", kept)  # a default made per form: not kept
        assert sorted(kept, key=str) == [("code", "zh", type(None), None),
                                         ("state", "zh", str, "草稿")]


def _csrf_valid(app, client, token) -> bool:
    """Whether Flask-WTF would accept `token` from this client's session."""
    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as stored:
        raw = stored.get("csrf_token")
    serializer = URLSafeTimedSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                        salt="wtf-csrf-token")
    return raw is not None and serializer.loads(token) == raw


def test_kept_buttons_carry_each_readers_own_csrf_token(gps_demo):
    """crud_buttons renders a view's buttons once; each page's delete forms
    still carry the token of the reader's own session, valid for it."""
    tokens = {}
    for username in ("admin", "jingban"):
        client = logged_in(gps_demo, username)
        client.get("/plans/list/")  # the buttons kept (by whoever came first)
        page = client.get("/plans/list/").get_data(as_text=True)
        forms = re.findall(r'class="form-delete-record".*?name="csrf_token" value="([^"]+)"', page, re.S)
        assert forms, f"{username}: no delete button on the plan list"
        assert len(set(forms)) == 1 and _csrf_valid(gps_demo, client, forms[0]), username
        assert "__csrf_token__" not in page and PK not in page
        tokens[username] = forms[0]
    assert tokens["admin"] != tokens["jingban"]


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_a_sorted_lists_head_reads_as_fabs(gps_demo, direction, monkeypatch):
    """The head's sort links and arrows (list_head) on a list sorted either
    way by one of its columns: the others keep FAB's two-way arrow."""
    client = logged_in(gps_demo, "admin")
    compared = 0
    for view in list_views(gps_demo):
        ordered = [column for column in view.list_columns if column in view.order_columns]
        if not ordered:
            continue
        name = view.__class__.__name__
        url = f"{list_url(gps_demo, view)}?_oc_{name}={ordered[-1]}&_od_{name}={direction}"
        every_button(view, monkeypatch)
        ours = client.get(url)
        if ours.status_code != 200 or not table(ours.get_data(as_text=True)):
            monkeypatch.undo()
            continue
        html = table(ours.get_data(as_text=True))
        assert ("fa-chevron-up" if direction == "asc" else "fa-chevron-down") in html, url
        fabs = fabs_page(client, url, view, monkeypatch, list_widget=ListWidget)
        assert html == table(fabs), url
        compared += 1
    assert compared >= 5, compared


def test_an_unfiltered_search_form_is_kept_with_each_responses_nonce(gps_demo, monkeypatch):
    """While no filter narrows a list, its whole search form is kept
    (OnceTranslatedSearchWidget._unfiltered): it reads as FAB's, in either
    language, and its script carries the nonce of the response it is in."""
    client = logged_in(gps_demo, "admin")
    compared = 0
    for language in ("en", "zh"):
        client.get("/lang/" + language)
        for view in list_views(gps_demo):
            if not view.search_columns:
                continue
            url = list_url(gps_demo, view)
            client.get(url)
            ours = client.get(url)  # from the kept form
            if ours.status_code != 200:
                continue
            page = ours.get_data(as_text=True)
            nonce = re.search(r"'nonce-([^']+)'", ours.headers["Content-Security-Policy"]).group(1)
            form = page[page.find('<form id="filter_form"'):]
            assert f'<script nonce="{nonce}">' in form[:form.find("</script>") + 9], url
            assert "__csp_nonce__" not in page
            fabs = fabs_page(client, url, view, monkeypatch, search_widget=SearchWidget)
            assert search_form(page) == search_form(fabs), url
            compared += 1
    assert compared >= 20, compared
    kept = [view._filters.__dict__.get("_unfiltered_forms") for view in list_views(gps_demo)]
    assert any(kept)


@pytest.mark.parametrize("key, username, url, add", [
    ("gps", "jingban", "/expert-requests/list/", "/expert-requests/add"),
    ("gps", "jingban", "/contracts/list/", "/contracts/"),
    ("gps", "jingban", "/plans/list/", "/plans/add"),
    ("gps", "jingban", "/winner-changes/list/", "/winner-changes/add"),
    ("pds", "daili", "/acceptance/list/", "/acceptance/"),
])
def test_a_list_with_its_own_add_button_has_no_second_one(request, key, username, url, add):
    """A browser walk saw 【新增】 and FAB's "+" doing the same, one above the other."""
    app = request.getfixturevalue({"gps": "gps_demo", "pds": "pds_demo"}[key])
    page = logged_in(app, username).get(url).get_data(as_text=True)
    assert 'class="btn btn-primary" id="btn-add' in page or 'id="btn-new"' in page
    assert 'class="btn btn-sm btn-primary" data-toggle="tooltip"' not in page  # FAB's "+"
    assert "fa-plus" in page and page.count("fa-plus") == 1, page.count("fa-plus")


def test_a_list_without_its_own_add_button_keeps_fabs(gps_demo):
    page = logged_in(gps_demo, "admin").get("/organisations/list/").get_data(as_text=True)
    assert 'href="/organisations/add"' in page and page.count("fa-plus") == 1
