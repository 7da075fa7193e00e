"""Values as a person reads them (app/views/common/formatting.py)."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.views.common import formatting as f
from tests.helpers import logged_in


class Named:
    __table__ = None  # looks like a record

    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize("function, value, shown", [
    (f.show, None, "—"),
    (f.show, "", "—"),
    (f.show, True, "是"),
    (f.show, False, "否"),
    (f.show, [Named("第一包"), Named("第二包")], "第一包、第二包"),
    (f.show, [], "—"),
    (f.show, Decimal("12.50"), "12.5"),
    (f.show, dt.datetime(2026, 12, 24, 9, 30, 15, 123456), "2026-12-24 09:30"),
    (f.show, dt.date(2026, 12, 24), "2026-12-24"),
    (f.minutes, None, "—"),
    (f.minutes, dt.datetime(2026, 11, 30, 18, 5, 59, 999999), "2026-11-30 18:05"),
    (f.money, Decimal("1500000"), "1,500,000.00 元"),
    (f.money, None, "—"),
    (f.yes_no, None, "—"),
    (f.platform_name, "410400", "平顶山市公共资源交易中心"),
    (f.platform_name, "gps", "政府采购系统"),
    (f.platform_name, "", "—"),
    (f.platform_names, "410400,411322", "平顶山市公共资源交易中心、方城县公共资源交易中心"),
])
def test_values_read_as_people_write_them(gps_demo, function, value, shown):
    with gps_demo.test_request_context():
        assert function(value) == shown


def test_a_trading_site_names_itself_after_its_region(pds_demo):
    with pds_demo.test_request_context():
        assert f.platform_name("410400") == "平顶山市公共资源交易平台"
    page = logged_in(pds_demo, "daili").get("/").get_data(as_text=True)
    assert "平顶山市公共资源交易平台：" in page and "（410400）" not in page


def test_an_unfiled_plan_shows_dashes_not_none(gps_demo):
    page = logged_in(gps_demo, "jingban").get("/plans/list/").get_data(as_text=True)
    import re

    shown = re.findall(r"/plans/show/(\d+)", page)
    assert shown
    for pk in shown:
        detail = logged_in(gps_demo, "jingban").get(f"/plans/show/{pk}").get_data(as_text=True)
        assert "None" not in detail
        assert re.search(r"\d{2}:\d{2}:\d{2}", detail) is None, "times to the minute"


def test_admin_pages_name_roles_and_permissions_in_chinese(gps_demo):
    admin = logged_in(gps_demo, "admin")
    roles = admin.get("/roles/list/").get_data(as_text=True)
    assert "系统管理员" in roles and "采购计划备案：备案" in roles and "菜单：计划管理" in roles
    users = admin.get("/users/list/").get_data(as_text=True)
    assert "[Admin]" not in users and "系统管理员" in users
    # The search by role still filters, with its options named in Chinese.
    with gps_demo.app_context():
        role = gps_demo.appbuilder.sm.find_role("监管处").id
    found = admin.get(f"/users/list/?_flt_0_roles={role}").get_data(as_text=True)
    assert "jianguan" in found and "jingban" not in found


def test_the_task_queue_page_frames_the_dashboard_and_says_it_is_english(gps_demo):
    page = logged_in(gps_demo, "admin").get("/sync/rq/").get_data(as_text=True)
    assert 'src="/rq/"' in page and "文字为英文" in page and "同步监控" in page
    assert logged_in(gps_demo, "jingban").get("/sync/rq/").status_code in (302, 403)


def test_the_chinese_role_and_user_forms_still_save(site_factory):
    """The role and user forms list roles and permissions by their Chinese
    names; what is saved is still the chosen records."""
    from app.extensions import db
    from tests.helpers import csrf_token

    gps = site_factory("gps")
    admin = logged_in(gps, "admin")
    with gps.app_context():
        sm = gps.appbuilder.sm
        role = sm.find_role("监管处")
        wanted = sorted(pv.id for pv in role.permissions)[:3]
        reviewer = sm.find_role("单位内部审核岗").id
    form = admin.get(f"/roles/edit/{role.id}").get_data(as_text=True)
    assert "菜单：计划管理" in form and "menu_access" not in form
    response = admin.post(f"/roles/edit/{role.id}", data={
        "csrf_token": csrf_token(admin, f"/roles/edit/{role.id}"), "name": "监管处",
        "permissions": [str(i) for i in wanted]})
    assert response.status_code == 302
    with gps.app_context():
        assert sorted(pv.id for pv in gps.appbuilder.sm.find_role("监管处").permissions) == wanted

    page = admin.get("/users/add").get_data(as_text=True)
    assert "单位内部审核岗" in page and "所属组织机构" in page
    response = admin.post("/users/add", data={
        "csrf_token": csrf_token(admin, "/users/add"), "first_name": "审", "last_name": "新",
        "username": "shenhe9", "active": "y", "email": "shenhe9@demo.invalid",
        "roles": [str(reviewer)], "password": "DemoPass@2026x",
        "conf_password": "DemoPass@2026x"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with gps.app_context():
        user = gps.appbuilder.sm.find_user(username="shenhe9")
        assert [r.name for r in user.roles] == ["单位内部审核岗"]
        db.session.remove()


def test_the_dashboard_may_run_its_own_script_and_no_other(gps_demo):
    import base64
    import hashlib
    import re

    response = logged_in(gps_demo, "admin").get("/rq/")
    policy = response.headers["Content-Security-Policy"]
    scripts = re.findall(r'<script type="text/javascript">(.*?)</script>',
                         response.get_data(as_text=True), re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert f"'sha256-{digest}'" in script_src and "unsafe-inline" not in script_src
    assert policy.count("sha256-") == 1
    # Its tables are underscore templates, compiled with new Function: without
    # this the dashboard never leaves "Loading..." (seen in Chromium).
    assert "'unsafe-eval'" in script_src
    other = logged_in(gps_demo, "admin").get("/plans/list/").headers["Content-Security-Policy"]
    assert "sha256-" not in other and "unsafe-eval" not in other
