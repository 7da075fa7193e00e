"""The navbar's HTML is kept per (grants, language, name, mount point)
(app/navbar.py). What it must never do: show one user another's name, keep a
menu entry after the role loses it (tests/test_permission_cache.py), or keep
the language the page was first rendered in."""
import re

from flask import render_template

from tests.helpers import logged_in


def _navbar(page: str) -> str:
    found = re.search(r'<header class="top" role="header">(.*?)</header>', page, re.S)
    assert found, "no navbar on the page"
    return found.group(1)


def test_the_kept_navbar_is_fabs_own(gps_demo):
    client = logged_in(gps_demo, "jingban")
    first = _navbar(client.get("/plans/list/").get_data(as_text=True))  # rendered
    again = _navbar(client.get("/todo/").get_data(as_text=True))  # kept
    assert first == again
    assert 'href="/todo/"' in first and "张经办" in first
    with gps_demo.test_request_context("/plans/list/"):
        from flask import g
        from flask_login import login_user

        user = gps_demo.appbuilder.sm.find_user("jingban")
        login_user(user)
        g.user = user
        fab = render_template("appbuilder/navbar.html", appbuilder=gps_demo.appbuilder)
    assert first.strip() == fab.strip()


def test_two_users_with_the_same_roles_each_see_their_own_name(gps_demo):
    zhang = _navbar(logged_in(gps_demo, "jingban").get("/plans/list/").get_data(as_text=True))
    wang = _navbar(logged_in(gps_demo, "jingban2").get("/plans/list/").get_data(as_text=True))
    assert "张经办" in zhang and "王经办" not in zhang
    assert "王经办" in wang and "张经办" not in wang
    assert zhang.replace("张经办", "王经办") == wang  # the same menu otherwise


def test_the_language_switch_changes_the_kept_menu(gps_demo):
    client = logged_in(gps_demo, "jingban")
    chinese = _navbar(client.get("/plans/list/").get_data(as_text=True))
    assert "采购计划" in chinese
    client.get("/lang/en")
    english = _navbar(client.get("/plans/list/").get_data(as_text=True))
    assert english != chinese
    assert "采购计划" not in english
    client.get("/lang/zh")
    assert _navbar(client.get("/plans/list/").get_data(as_text=True)) == chinese


def test_a_permission_given_back_shows_its_entry_again(gps):
    client = logged_in(gps, "jingban")
    sm = gps.appbuilder.sm
    with gps.app_context():
        pv = sm.find_permission_view_menu("menu_access", "Todo")
        roles = [role.name for role in sm.find_user("jingban").roles if pv in role.permissions]
        assert roles
    assert 'href="/todo/"' in client.get("/plans/list/").get_data(as_text=True)
    with gps.app_context():
        pv = sm.find_permission_view_menu("menu_access", "Todo")
        for name in roles:
            sm.del_permission_role(sm.find_role(name), pv)
    assert 'href="/todo/"' not in client.get("/plans/list/").get_data(as_text=True)
    with gps.app_context():
        pv = sm.find_permission_view_menu("menu_access", "Todo")
        for name in roles:
            sm.add_permission_role(sm.find_role(name), pv)
    assert 'href="/todo/"' in client.get("/plans/list/").get_data(as_text=True)


def test_anonymous_pages_are_rendered_as_before(gps_demo):
    page = gps_demo.test_client().get("/login/").get_data(as_text=True)
    assert 'href="/login/"' in _navbar(page)
    assert "张经办" not in page
