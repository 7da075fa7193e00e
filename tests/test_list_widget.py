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


def fabs_page(client, url, view, monkeypatch, **fab_widgets) -> str:
    """The page as FAB's own widgets (attribute=class) would have written it."""
    for attribute, widget in fab_widgets.items():
        monkeypatch.setattr(view, attribute, widget)
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("key", ["gps", "pds"])
def test_every_list_reads_as_fab_would_write_it(request, key, monkeypatch):
    app = request.getfixturevalue({"gps": "gps_demo", "pds": "pds_demo"}[key])
    compared = 0
    for username in USERS[key]:
        try:
            client = logged_in(app, username)
        except AssertionError:
            continue  # not a user of this site
        for view in list_views(app):
            url = list_url(app, view)
            ours = client.get(url)
            if ours.status_code != 200 or not table(ours.get_data(as_text=True)):
                continue
            fabs = fabs_page(client, url, view, monkeypatch, list_widget=ListWidget)
            assert table(ours.get_data(as_text=True)) == table(fabs), url
            compared += 1
    assert compared >= {"gps": 10, "pds": 5}[key], compared


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
    view and language: the forms are FAB's, in either language, and a
    language chosen after the other was cached gets its own words."""
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
