"""Defects found walking both sites in Chromium as each role (issue 13's
walk): each test pins one fix."""
import re

from tests.helpers import logged_in


def test_the_navbar_shows_a_chinese_name_without_a_space(gps_demo):
    # FAB joined 姓 and 名 with a space: "张 经办", "系 统管理员".
    page = logged_in(gps_demo, "jingban").get("/plans/list/").get_data(as_text=True)
    assert "张经办" in page and "张 经办" not in page
    admin = logged_in(gps_demo, "admin").get("/users/list/").get_data(as_text=True)
    assert "系 统管理员" not in admin


def test_the_user_form_labels_first_name_as_the_family_name(gps_demo):
    # first_name holds 姓 everywhere (demo "张" + "经办", OrgUser.__str__,
    # the notices' 联系人); the form labelled it 名, so a new user's name
    # typed as labelled came out reversed.
    page = logged_in(gps_demo, "admin").get("/users/add").get_data(as_text=True)
    first = re.search(r'<label[^>]*for="first_name"[^>]*>\s*([^<\s]+)', page)
    last = re.search(r'<label[^>]*for="last_name"[^>]*>\s*([^<\s]+)', page)
    assert first and last, page[:2000]
    assert (first.group(1), last.group(1)) == ("姓", "名")


def test_select2_speaks_chinese_on_zh_pages_only(gps_demo):
    client = logged_in(gps_demo, "jingban")
    page = client.get("/plans/add").get_data(as_text=True)
    # After select2.min.js and ab.js, before ab.js applies Select2 on DOM ready.
    assert page.index("select2.min.js") < page.index("js/select2_zh.js")
    script = client.get("/static/js/select2_zh.js").get_data(as_text=True)
    assert "removeAllItems" in script and "删除所有项目" in script
    client.get("/lang/en")
    assert "select2_zh.js" not in client.get("/plans/add").get_data(as_text=True)


def test_an_unknown_page_answers_in_chinese_in_the_site_frame(pds_demo):
    response = logged_in(pds_demo, "daili").get("/project-stages/show/999999")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "页面不存在" in page and "Not Found" not in page and "requested URL" not in page
    assert "项目管理" in page  # the navbar: the user can go on from here


def test_a_refused_method_answers_in_chinese(gps_demo):
    response = logged_in(gps_demo, "jingban").put("/plans/list/")
    assert response.status_code == 405
    assert "操作方式不正确" in response.get_data(as_text=True)


def test_the_api_still_answers_json(gps_demo):
    response = logged_in(gps_demo, "jingban").get("/api/v1/no-such-api/")
    assert response.status_code == 404
    assert "页面不存在" not in response.get_data(as_text=True)


def test_the_error_page_reads_in_english_in_english(gps_demo):
    client = logged_in(gps_demo, "jingban")
    client.get("/lang/en")
    page = client.get("/plans/show/999999").get_data(as_text=True)
    assert "Page not found" in page and "页面不存在" not in page


def test_yes_and_no_read_in_english_on_english_pages(gps_demo):
    # 满足推送条件 on 采购计划备案 printed the literals 是/否 in either language.
    client = logged_in(gps_demo, "jingban")
    client.get("/lang/en")
    page = client.get("/plans/list/").get_data(as_text=True)
    assert re.search(r"<td>\s*Yes\s*</td>", page)
    assert not re.search(r"<td>\s*是\s*</td>", page)


def test_the_filer_is_named_on_a_winner_change(gps):
    # 填报人 (AuditMixin's created_by, loaded as FAB's User) read "—" though
    # the 审批记录 named 张经办 as the one who submitted it.
    from tests.filings import add_filing, filed_plan_id, newest_filing_id

    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, filed_plan_id(gps)).status_code == 302
    page = jingban.get(f"/winner-changes/show/{newest_filing_id(gps)}").get_data(as_text=True)
    row = re.search(r"填报人\s*</th>\s*<td>(?:<span[^>]*>)?\s*([^<]*?)\s*<", page)
    assert row, page[page.find("填报人") - 100:page.find("填报人") + 300]
    assert row.group(1) == "张经办"


def test_devstack_compiles_catalogues_missing_or_older_than_their_po(tmp_path, monkeypatch):
    # Run directly in a fresh checkout (the .mo files are not in git), the
    # stack served FAB's English ("Show", "Add") for the app's strings.
    import importlib.util
    import os
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "devstack.py"
    spec = importlib.util.spec_from_file_location("devstack_under_test", path)
    devstack = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, devstack)  # for its dataclasses
    spec.loader.exec_module(devstack)
    folder = tmp_path / "translations" / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text('msgid "Add"\nmsgstr "增加"\n', encoding="utf-8")
    assert devstack.stale_catalogues(tmp_path) == [po]
    mo = po.with_suffix(".mo")
    mo.write_bytes(b"")
    os.utime(mo, (po.stat().st_mtime + 10,) * 2)
    assert devstack.stale_catalogues(tmp_path) == []
    os.utime(po, (mo.stat().st_mtime + 10,) * 2)
    assert devstack.stale_catalogues(tmp_path) == [po]
