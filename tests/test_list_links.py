"""The pager, page-size and sort links (app/views/common/list_links.py) are
FAB's, character for character: for odd arguments, repeated ones, Chinese
and reserved characters, under a mount point, and where the route reads an
argument itself (then FAB's own filter answers). Except where FAB's were
wrong: url_for's own keywords in the query (_method, _anchor, …) are kept
as arguments, not a 500 or a #fragment."""
import re

import pytest
from flask_appbuilder.filters import TemplateFilters

from tests.helpers import logged_in

FAB = TemplateFilters.__new__(TemplateFilters)  # these three read nothing of self
QUERIES = [
    "",
    "?page_PlanView=3",
    "?_flt_0_procurement_method=公开招标&_oc_PlanView=budget&_od_PlanView=asc",
    "?_oc_PlanView=budget",
    "?_oc_PlanView=budget&_od_PlanView=desc",
    "?_od_PlanView=asc",
    "?psize_PlanView=50&x=1&x=2&q=a%20b+c",
    "?_flt_0_project_name=%E6%B5%8B%E8%AF%95%26%3D%2B%23/:@!$'()*,;?~%25",
    "?=empty-name&novalue&page_PlanView=",
]
URL_FOR_OWN = ["?_anchor=here&page_PlanView=1", "?_external=1", "?_method=POST",
               "?_scheme=https&_external=1", "?endpoint=PlanView.add"]


@pytest.mark.parametrize("root", ["", "/gps"])
@pytest.mark.parametrize("query", QUERIES)
def test_links_are_fabs(gps_demo, root, query):
    filters = gps_demo.jinja_env.filters
    with gps_demo.test_request_context("/plans/list/" + query, base_url=f"http://localhost{root}/"):
        from flask import request

        request.url_rule, request.view_args = gps_demo.url_map.bind_to_environ(
            request.environ).match(return_rule=True)
        for page in (0, 1, 7, 399, None):
            assert filters["link_page"](page, "PlanView") == FAB.link_page_filter(page, "PlanView")
        for size in (25, 50, 100):
            assert filters["link_page_size"](size, "PlanView") == \
                FAB.link_page_size_filter(size, "PlanView")
        for column in ("budget", "plan_no", "项目"):
            assert filters["link_order"](column, "PlanView") == \
                FAB.link_order_filter(column, "PlanView")


@pytest.mark.parametrize("query", URL_FOR_OWN)
def test_url_fors_own_names_are_plain_arguments(gps_demo, query):
    filters = gps_demo.jinja_env.filters
    with gps_demo.test_request_context("/plans/list/" + query):
        from flask import request

        request.url_rule, request.view_args = gps_demo.url_map.bind_to_environ(
            request.environ).match(return_rule=True)
        link = filters["link_page"](2, "PlanView")
    assert link == "/plans/list/" + query.replace("page_PlanView=1", "page_PlanView=2") + \
        ("" if "page_PlanView" in query else "&page_PlanView=2")
    client = logged_in(gps_demo, "jingban")
    page = client.get("/plans/list/" + query)
    assert page.status_code == 200
    assert "#here" not in page.get_data(as_text=True)


def test_a_route_with_a_variable_named_in_the_arguments_gets_fabs_own(gps_demo):
    # /plans/show/<pk>?pk=9: url_for would put 9 in the path.
    filters = gps_demo.jinja_env.filters
    with gps_demo.test_request_context("/plans/show/5?pk=9&page_PlanView=2"):
        from flask import request

        request.url_rule, request.view_args = gps_demo.url_map.bind_to_environ(
            request.environ).match(return_rule=True)
        assert filters["link_page"](3, "PlanView") == FAB.link_page_filter(3, "PlanView")
        assert "/plans/show/9" in filters["link_page"](3, "PlanView")


def test_a_list_page_reads_as_with_fabs_filters(gps_demo, monkeypatch):
    client = logged_in(gps_demo, "jingban")
    url = "/plans/list/?_oc_PlanView=budget&_od_PlanView=desc&psize_PlanView=25"
    ours = client.get(url).get_data(as_text=True)
    assert "_oc_PlanView=plan_no&amp;_od_PlanView=asc" in ours  # the sort links
    filters = gps_demo.jinja_env.filters
    for name, fab in (("link_page", FAB.link_page_filter),
                      ("link_page_size", FAB.link_page_size_filter),
                      ("link_order", FAB.link_order_filter)):
        monkeypatch.setitem(filters, name, fab)
    fabs = client.get(url).get_data(as_text=True)
    assert _per_request_values_out(ours) == _per_request_values_out(fabs)


def _per_request_values_out(page):
    import re

    page = re.sub(r'nonce="[^"]*"', "", page)
    # Every CSRF token, whatever the order of its input's attributes: each
    # carries the second it was made, so two pages a second apart differ.
    return re.sub(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)


def _even(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).replace("> <", "><").strip()


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("query", ["", "?page_PlanView=3&psize_PlanView=50&x=%E6%B5%8B"])
def test_the_pager_is_the_macros(gps_demo, language, query):
    """pager() against lib.html's render_pagination + render_set_page_size,
    for every page of short and long lists, the capped count included."""
    from flask_babel import force_locale

    from app.views.common.counting import MoreThan

    lib = gps_demo.jinja_env.get_template("appbuilder/general/lib.html").module
    pager = gps_demo.jinja_env.globals["pager"]
    compared = 0
    with gps_demo.test_request_context("/plans/list/" + query), force_locale(language):
        from flask import request

        request.url_rule, request.view_args = gps_demo.url_map.bind_to_environ(
            request.environ).match(return_rule=True)
        for count in (0, 1, 24, 25, 26, 99, 250, 251, 1000, MoreThan(10000)):
            for page_size in (10, 25, 50, 100):
                pages = -(-count // page_size)
                for page in {None, 0, 1, 2, 3, 4, 5, pages - 5, pages - 4, pages - 2, pages - 1}:
                    if page is not None and not 0 <= page < max(pages, 1):
                        continue
                    macros = _even(lib.render_pagination(page, page_size, count, "PlanView")) + \
                        _even(lib.render_set_page_size(page, page_size, count, "PlanView"))
                    assert _even(pager(page, page_size, count, "PlanView")) == macros, \
                        (count, page_size, page)
                    compared += 1 if macros else 0
    assert compared > 100


def test_an_emptied_url_defaults_list_keeps_our_links(gps_demo):
    """Flask keeps url_default_functions in a defaultdict: a key read once
    stays, with an empty list. That is no url_defaults function, and the
    links stay ours (url_for's own names kept as arguments); it had turned
    them back to FAB's for the rest of the process."""
    gps_demo.url_default_functions[None]  # noqa: B018 - reading adds the key
    with gps_demo.test_request_context("/plans/list/?_external=1"):
        from flask import request

        request.url_rule, request.view_args = gps_demo.url_map.bind_to_environ(
            request.environ).match(return_rule=True)
        assert gps_demo.jinja_env.filters["link_page"](2, "PlanView") == \
            "/plans/list/?_external=1&page_PlanView=2"
