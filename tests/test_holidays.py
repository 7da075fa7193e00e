"""【系统管理】→【节假日维护】 (app/holidays.py, app/views/common/holidays.py):
the year drawn as month grids, holidays entered with their 调休 days, the
year's notice and state, import from a file, REST, who may do it, the banner,
/health, and the re-check of verdicts given on 暂定 days."""
import datetime as dt
import json

import pytest
import time_machine

from tests.helpers import HEALTH, api_token, bearer, form_token, in_english, logged_in
from tests.notice_helpers import (announcement_fields, at, draft_id, notice_row, plan_of,
                                  push_lots, start_draft, submit)

NOTE = "按法定节假日暂定计算，2027 年节假日安排尚未录入"
GOOD_2027 = {"year": 2027, "state": "正式", "notice_no": "国办发明电〔2026〕测试号",
             "notice_date": "2026-11-10", "notice_url": "https://www.gov.cn/test/2027.htm",
             "holidays": [
                 {"name": "元旦", "start": "2027-01-01", "end": "2027-01-04",
                  "workdays": ["2027-01-09"]},
                 {"name": "春节", "start": "2027-02-05", "end": "2027-02-12",
                  "workdays": ["2027-02-20", "2027-02-21"]},
                 # The other holidays of the law: a year is 正式 only with all of them.
                 {"name": "清明节", "start": "2027-04-05", "end": "2027-04-05", "workdays": []},
                 {"name": "劳动节", "start": "2027-05-03", "end": "2027-05-05",
                  "workdays": ["2027-04-25"]},
                 {"name": "端午节", "start": "2027-06-09", "end": "2027-06-09", "workdays": []},
                 {"name": "中秋节", "start": "2027-09-15", "end": "2027-09-15", "workdays": []},
                 {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07",
                  "workdays": ["2027-09-26", "2027-10-09"]}]}


def travel(day: str):
    """Today is `day` (10:00) for the block, whatever the suite's clock says."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00"), tick=True)


def post(client, url, data):
    return client.post(url, data={"csrf_token": form_token(client), **data})


def snapshot(app):
    """Everything a refused change must leave as it was."""
    from app.extensions import db
    from app.models import AuditLog, HolidayDay, HolidayYear

    with app.app_context():
        days = sorted((str(r.day), r.kind, r.name) for r in db.session.query(HolidayDay))
        years = sorted((r.year, r.state, r.notice_no) for r in db.session.query(HolidayYear))
        audits = db.session.query(AuditLog).count()
    return days, years, audits


def year_days(app, year):
    from app.extensions import db
    from app.models import HolidayDay

    with app.app_context():
        return sorted((str(r.day), r.kind, r.name)
                      for r in db.session.query(HolidayDay).filter_by(year=year))


# --- the year as a picture ---------------------------------------------------------

def test_the_year_page_draws_twelve_months_with_off_and_worked_days(gps_demo):
    with travel("2026-11-30"):
        # A session signed later than "today" is refused: log in inside the travel.
        admin = logged_in(gps_demo, "admin")
        page = admin.get("/holidays/2026").get_data(as_text=True)
    assert page.count('class="hol-month"') == 12
    assert 'id="year-state">正式' in page
    # 国庆 2026: 1–7 October, 调休 Sunday 20 September and Saturday 10 October.
    for day in ("2026-10-01", "2026-10-07", "2026-02-16"):
        assert f'data-date="{day}" data-kind="休"' in page
    for day in ("2026-09-20", "2026-10-10", "2026-02-14"):
        assert f'data-date="{day}" data-kind="班"' in page
    assert 'data-date="2026-10-08" data-kind=""' in page
    assert "2026-04-06 至 2026-04-06（1 天）" in page and "（6 天）" in page  # 清明; 春节
    assert "today" in page.split('data-date="2026-11-30"')[0].rsplit("<td", 1)[1]

    with travel("2026-11-30"):
        provisional = admin.get("/holidays/2027").get_data(as_text=True)
        listing = admin.get("/holidays/").get_data(as_text=True)
    assert 'id="year-state">暂定' in provisional and 'id="provisional-note"' in provisional
    # The law's 2027: 元旦, 春节 from 除夕 with the weekend made up, no 调休.
    for day in ("2027-01-01", "2027-02-05", "2027-02-08", "2027-02-10", "2027-10-05"):
        assert f'data-date="{day}" data-kind="休"' in provisional
    assert 'data-kind="班"' not in provisional
    assert 'data-year="2027"' in listing and 'data-year="2004"' in listing


def test_the_year_page_counts_a_holidays_days_in_english(gps_demo):
    with travel("2026-11-30"), in_english(logged_in(gps_demo, "admin")) as admin:
        page = admin.get("/holidays/2026").get_data(as_text=True)
    table = page.split('id="holidays-table"')[1].split("</table>")[0]
    assert "2026-04-06 to 2026-04-06 (1 day)" in table  # 清明
    assert "2026-02-16 to 2026-02-23 (6 days)" in table  # 春节
    assert "(1 days)" not in table and "天" not in table


# --- who may -------------------------------------------------------------------------

CALENDAR_GETS = ["/holidays/", "/holidays/2027", "/holidays/2027/export", "/holidays/import"]
CALENDAR_POSTS = [("/holidays/2027/holiday", {"name": "元旦", "start": "2027-01-01",
                                              "end": "2027-01-01"}),
                  ("/holidays/2027/holiday/delete", {"name": "元旦"}),
                  ("/holidays/2027/info", {"state": "暂定", "notice_no": "x"})]


@pytest.mark.parametrize("site, username", [
    ("gps", "jingban"), ("gps", "shenhe"), ("gps", "daili"), ("gps", "chushen"),
    ("gps", "fuhe"), ("gps", "jianguan"), ("pds", "daili"), ("pds", "keshi")])
def test_no_one_but_the_administrator_reaches_the_calendar(site_factory, site, username):
    app = site_factory(site)
    before = snapshot(app)
    client = logged_in(app, username)
    for url in CALENDAR_GETS:
        assert client.get(url).status_code in (403, 404), url
    for url, data in CALENDAR_POSTS:
        assert post(client, url, data).status_code in (403, 404), url
    menu = client.get("/").get_data(as_text=True)
    assert "节假日维护" not in menu
    api = app.test_client()
    auth = bearer(api_token(api, username))
    assert api.get("/api/v1/holiday/2027", headers=auth).status_code in (401, 403, 404)
    assert api.put("/api/v1/holiday/2027", headers=auth,
                   data=json.dumps(GOOD_2027)).status_code in (401, 403, 404)
    assert snapshot(app) == before


def test_anonymous_visitors_are_sent_to_log_in(gps_demo):
    client = gps_demo.test_client()
    for url in CALENDAR_GETS:
        response = client.get(url)
        assert response.status_code in (302, 401, 403) and "/login" in response.headers.get(
            "Location", "/login"), url
    assert client.get("/api/v1/holiday/2027").status_code == 401


@pytest.mark.parametrize("site", ["gps", "pds"])
def test_both_kinds_of_site_have_the_calendar_for_their_administrator(site_factory, site):
    app = site_factory(site)
    admin = logged_in(app, "admin")
    assert "节假日维护" in admin.get("/").get_data(as_text=True)
    assert admin.get("/holidays/2027").status_code == 200


# --- the administrator's form -------------------------------------------------------

BAD_HOLIDAYS = [
    ("no-name", {"name": "", "start": "2027-01-01", "end": "2027-01-01"}, "请填写节日名称"),
    ("long-name", {"name": "节" * 33, "start": "2027-01-01", "end": "2027-01-01"},
     "不能超过 32 个字"),
    ("no-start", {"name": "元旦", "start": "", "end": "2027-01-01"}, "请填写放假开始日期"),
    ("bad-date", {"name": "元旦", "start": "2027-13-01", "end": "2027-01-01"}, "不是有效日期"),
    ("end-before-start", {"name": "元旦", "start": "2027-01-04", "end": "2027-01-01"},
     "结束日期不能早于开始日期"),
    ("other-year", {"name": "元旦", "start": "2026-12-31", "end": "2027-01-01"},
     "放假日期须在 2027 年内"),
    ("weekend-only", {"name": "周末", "start": "2027-01-02", "end": "2027-01-03"},
     "本来就休息，无需录入"),
    ("worked-weekday", {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01",
                        "workdays": "2027-01-06"}, "是星期三，调休上班日必须是星期六或星期日"),
    ("worked-in-range", {"name": "春节", "start": "2027-02-05", "end": "2027-02-12",
                         "workdays": "2027-02-06"}, "在放假期间内"),
    ("worked-twice", {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01",
                      "workdays": "2027-01-09, 2027-01-09"}, "重复"),
    ("worked-bad-date", {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01",
                         "workdays": "明天"}, "不是 YYYY-MM-DD 格式的日期"),
    ("too-long", {"name": "长假", "start": "2027-01-04", "end": "2027-03-04"},
     "一次放假不能超过 31 天"),
    ("nul-in-name", {"name": "名\x00称", "start": "2027-01-01", "end": "2027-01-01"},
     "不能包含控制字符或不可见字符"),
    ("invisible-name", {"name": "\u200b", "start": "2027-01-01", "end": "2027-01-01"},
     "不能包含控制字符或不可见字符"),
    ("compact-date", {"name": "元旦", "start": "20270101", "end": "2027-01-01"}, "不是有效日期"),
    ("week-date", {"name": "元旦", "start": "2027W011", "end": "2027-01-01"}, "不是有效日期"),
]


def test_every_reason_is_given_in_one_round(gps_module):
    admin = logged_in(gps_module, "admin")
    page = post(admin, "/holidays/2027/holiday", {
        "name": "", "start": "2027-13-01", "end": ""}).get_data(as_text=True)
    for message in ("请填写节日名称", "不是有效日期", "请填写放假结束日期"):
        assert message in page


@pytest.mark.parametrize("data, message", [row[1:] for row in BAD_HOLIDAYS],
                         ids=[row[0] for row in BAD_HOLIDAYS])
def test_the_form_refuses_each_bad_holiday_and_saves_nothing(gps_module, data, message):
    admin = logged_in(gps_module, "admin")
    before = snapshot(gps_module)
    refused = post(admin, "/holidays/2027/holiday", data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert message in page and "未保存" in page
    assert f'value="{data["name"]}"' in page  # what was typed stays in the form
    assert snapshot(gps_module) == before


def test_a_day_already_in_another_holiday_is_refused(gps):
    admin = logged_in(gps, "admin")
    assert post(admin, "/holidays/2027/holiday", {
        "name": "春节", "start": "2027-02-05", "end": "2027-02-12",
        "workdays": "2027-02-20"}).status_code == 302
    before = snapshot(gps)
    clash = post(admin, "/holidays/2027/holiday", {
        "name": "元宵", "start": "2027-02-11", "end": "2027-02-15"})
    assert clash.status_code == 422
    assert "以下日期已属于其他节日：2027-02-11（春节）" in clash.get_data(as_text=True)
    worked = post(admin, "/holidays/2027/holiday", {
        "name": "元旦", "start": "2027-01-01", "end": "2027-01-01", "workdays": "2027-02-20"})
    assert "已属于“春节”" in worked.get_data(as_text=True)
    again = post(admin, "/holidays/2027/holiday", {
        "name": "春节", "start": "2027-03-01", "end": "2027-03-01"})
    assert "2027 年已有“春节”，请修改该节日" in again.get_data(as_text=True)
    assert snapshot(gps) == before


def test_the_year_state_is_refused_without_its_notice_or_days(gps):
    admin = logged_in(gps, "admin")
    before = snapshot(gps)
    for data, message in [
            ({"state": "正式", "notice_no": "国办发明电〔2026〕1号"}, "尚未录入任何节假日，不能设为正式"),
            ({"state": "正式", "notice_no": ""}, "请填写国务院办公厅通知的文号"),
            ({"state": "作废", "notice_no": ""}, "状态只能是正式或暂定"),
            ({"state": "暂定", "notice_url": "javascript:alert(1)"}, "须以 http:// 或 https:// 开头"),
            ({"state": "暂定", "notice_date": "2020-01-01"}, "通知日期应在 2025–2027 年之间"),
            ({"state": "暂定", "notice_no": "号" * 65}, "文号不能超过 64 个字")]:
        refused = post(admin, "/holidays/2027/info", data)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True), data
    assert snapshot(gps) == before


def test_add_change_and_delete_a_holiday_each_audited(gps):
    from app.extensions import db
    from app.models import AuditLog

    admin = logged_in(gps, "admin")
    added = post(admin, "/holidays/2027/holiday", {
        "name": "元旦", "start": "2027-01-01", "end": "2027-01-03", "workdays": "2027-01-09"})
    assert added.status_code == 302
    assert year_days(gps, 2027) == [("2027-01-01", "休", "元旦"), ("2027-01-09", "班", "元旦")]
    form = admin.get("/holidays/2027?edit=元旦").get_data(as_text=True)
    assert 'name="replacing" value="元旦"' in form and 'value="2027-01-09"' in form
    changed = post(admin, "/holidays/2027/holiday", {
        "replacing": "元旦", "name": "元旦", "start": "2027-01-01", "end": "2027-01-04",
        "workdays": "2027-01-10"})
    assert changed.status_code == 302
    assert year_days(gps, 2027) == [("2027-01-01", "休", "元旦"), ("2027-01-04", "休", "元旦"),
                                    ("2027-01-10", "班", "元旦")]
    page = admin.get("/holidays/2027").get_data(as_text=True)
    assert 'data-date="2027-01-10" data-kind="班"' in page
    assert "2027-01-10（星期日）" in page
    deleted = post(admin, "/holidays/2027/holiday/delete", {"name": "元旦"})
    assert deleted.status_code == 302 and year_days(gps, 2027) == []
    with gps.app_context():
        keys = {k for (k,) in db.session.query(AuditLog.entity_key).filter_by(
            entity="HolidayYear")}
    assert keys == {"2027"}
    missing = post(admin, "/holidays/2027/holiday/delete", {"name": "元旦"})
    assert missing.status_code == 422
    assert "2027 年没有名为“元旦”的节日" in missing.get_data(as_text=True)
    with gps.app_context():
        actions = [a for (a,) in db.session.query(AuditLog.action)
                   .filter_by(entity="HolidayYear").order_by(AuditLog.id)]
    assert actions == ["增加节假日", "修改节假日", "删除节假日"]


# --- import from a file -------------------------------------------------------------

def upload(client, name, data: bytes, **fields):
    from io import BytesIO

    return client.post("/holidays/import", data={
        "csrf_token": form_token(client), "file": (BytesIO(data), name), **fields},
        content_type="multipart/form-data")


def test_import_a_json_year_then_again_changes_nothing(gps):
    from app.extensions import db
    from app.models import AuditLog, HolidayYear

    admin = logged_in(gps, "admin")
    body = json.dumps(GOOD_2027, ensure_ascii=False).encode()
    done = upload(admin, "2027.json", body)
    assert done.status_code == 302 and done.headers["Location"].endswith("/holidays/2027")
    days = year_days(gps, 2027)
    assert ("2027-01-04", "休", "元旦") in days and ("2027-02-21", "班", "春节") in days
    assert len([d for d in days if d[1] == "休"]) == 2 + 6 + 1 + 3 + 1 + 1 + 5  # weekdays only
    with gps.app_context():
        year = db.session.get(HolidayYear, 2027)
        assert (year.state, year.notice_no, year.source) == ("正式", GOOD_2027["notice_no"], "导入")
        audits = db.session.query(AuditLog).filter_by(action="导入节假日").count()
    before = snapshot(gps)
    again = upload(admin, "2027.json", body)
    assert again.status_code == 302
    assert "与文件一致，未作修改" in admin.get(again.headers["Location"]).get_data(as_text=True)
    assert snapshot(gps) == before and audits == 1
    exported = admin.get("/holidays/2027/export")
    assert exported.headers["Content-Disposition"].endswith("holidays-2027.json")
    assert json.loads(exported.get_data(as_text=True))["holidays"] == GOOD_2027["holidays"]


def test_import_a_csv_saved_by_excel_in_gbk(gps):
    admin = logged_in(gps, "admin")
    csv_text = ("节日,开始日期,结束日期,调休上班日\r\n元旦,2027-01-01,2027-01-01,\r\n"
                "春节,2027-02-05,2027-02-12,2027-02-20;2027-02-21\r\n"
                + "".join(f"{h['name']},{h['start']},{h['end']},{';'.join(h['workdays'])}\r\n"
                          for h in GOOD_2027["holidays"][2:]))
    done = upload(admin, "2027.csv", csv_text.encode("gbk"), state="正式",
                  notice_no="国办发明电〔2026〕测试号")
    assert done.status_code == 302
    assert ("2027-02-20", "班", "春节") in year_days(gps, 2027)


BAD_FILES = [
    ("not-json", "x.json", b'{"year": 2027, "holidays": [', "JSON 格式错误"),
    ("no-holidays", "x.json", b'{"year": 2027}', "含 year 和 holidays 列表"),
    ("year-text", "x.json", b'{"year": "2027", "holidays": []}', "year 须为整数年份"),
    ("bad-date", "x.json", json.dumps({"year": 2027, "holidays": [
        {"name": "元旦", "start": "2027-01-32", "end": "2027-01-01"}]}).encode(),
     "不是 YYYY-MM-DD 格式的日期"),
    ("worked-weekday", "x.json", json.dumps({"year": 2027, "state": "暂定", "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01",
         "workdays": ["2027-01-05"]}]}).encode(), "调休上班日必须是星期六或星期日"),
    ("same-name-twice", "x.json", json.dumps({"year": 2027, "state": "暂定", "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"},
        {"name": "元旦", "start": "2027-01-04", "end": "2027-01-04"}]}).encode(), "出现了两次"),
    ("official-without-number", "x.json", json.dumps({"year": 2027, "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"}]}).encode(),
     "导入为正式时请填写文号"),
    ("csv-header", "x.csv", "日期,名称\n2027-01-01,元旦\n".encode(), "CSV 第一行须为表头"),
    ("csv-two-years", "x.csv", "节日,开始日期,结束日期\n元旦,2027-01-01,2027-01-01\n"
     "国庆,2028-10-02,2028-10-03\n".encode(), "一个文件只能包含一个年份"),
    ("csv-short-row", "x.csv", "节日,开始日期,结束日期\n元旦,2027-01-01\n".encode(), "第 2 行"),
    ("binary", "x.csv", b"\xff\xfe\x00\x81\x00garbage", "节日"),
    ("wrong-type", "x.xlsx", b"PK\x03\x04", "只能导入 .json 或 .csv 文件"),
    ("empty", "x.json", b"", "请选择要导入的文件"),
    ("nested-deep", "x.json", b"[" * 100000 + b"]" * 100000, "JSON 格式错误"),
    ("huge-number", "x.json", b'{"year": ' + b"9" * 5000 + b"}", "JSON 格式错误"),
    ("workdays-not-list", "x.json", json.dumps({"year": 2027, "state": "暂定", "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01",
         "workdays": "2027-01-09"}]}).encode(), "workdays 须为日期列表"),
    ("date-as-number", "x.json", json.dumps({"year": 2027, "state": "暂定", "holidays": [
        {"name": "元旦", "start": 20270101, "end": "2027-01-01"}]}).encode(),
     "不是 YYYY-MM-DD 格式的日期"),
    ("notice-date-number", "x.json", json.dumps({"year": 2027, "state": "暂定",
                                                 "notice_date": 20260101, "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"}]}).encode(),
     "notice_date 须为 YYYY-MM-DD"),
    ("nul-in-csv", "x.csv", "节日,开始日期,结束日期\n元\x00旦,2027-01-01,2027-01-01\n".encode(),
     "控制字符"),
    ("too-big", "x.json", b" " * (256 * 1024 + 1), "文件不能超过 256 KB"),
]


@pytest.mark.parametrize("name, data, message", [row[1:] for row in BAD_FILES],
                         ids=[row[0] for row in BAD_FILES])
def test_a_bad_file_is_refused_with_its_reason_and_nothing_saved(gps_module, name, data,
                                                                 message):
    admin = logged_in(gps_module, "admin")
    before = snapshot(gps_module)
    refused = upload(admin, name, data)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "未导入" in page and message in page
    assert snapshot(gps_module) == before


def test_the_cli_imports_the_same_file_idempotently(gps, tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(GOOD_2027, ensure_ascii=False), encoding="utf-8")
    runner = gps.test_cli_runner()
    first = runner.invoke(args=["calendar", "import", str(path)])
    assert first.exit_code == 0 and "2027: imported" in first.output
    before = snapshot(gps)
    second = runner.invoke(args=["calendar", "import", str(path)])
    assert second.exit_code == 0 and "2027: unchanged" in second.output
    assert snapshot(gps) == before
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2028, "holidays": [{"name": "x", "start": "2028-01-01"}]}')
    refused = runner.invoke(args=["calendar", "import", str(bad)])
    assert refused.exit_code != 0 and "未导入" in refused.output
    assert snapshot(gps) == before


# --- REST ---------------------------------------------------------------------------

def test_rest_reads_and_replaces_a_year_for_the_administrator(gps):
    client = gps.test_client()
    auth = bearer(api_token(client, "admin"))
    known = client.get("/api/v1/holiday/2026", headers=auth)
    assert known.status_code == 200 and known.json["state"] == "正式"
    assert {"name": "国庆节", "start": "2026-10-01", "end": "2026-10-07",
            "workdays": ["2026-09-20", "2026-10-10"]} in known.json["holidays"]
    before = snapshot(gps)
    bad = dict(GOOD_2027, holidays=[{"name": "元旦", "start": "2027-01-02", "end": "2027-01-03"}])
    refused = client.put("/api/v1/holiday/2027", headers=auth, data=json.dumps(bad))
    assert refused.status_code == 422 and "本来就休息" in refused.json["message"]
    wrong_year = client.put("/api/v1/holiday/2028", headers=auth, data=json.dumps(GOOD_2027))
    assert wrong_year.status_code == 422 and "不一致" in wrong_year.json["message"]
    junk = client.put("/api/v1/holiday/2027", headers=auth, data=b"\xff\x00junk")
    assert junk.status_code == 422
    for empty in (b"", b"  \n"):  # not the upload form's 请选择要导入的文件
        nothing = client.put("/api/v1/holiday/2027", headers=auth, data=empty)
        assert nothing.status_code == 422 and nothing.json["message"].startswith("请求体为空")
    assert client.get("/api/v1/holiday/99999", headers=auth).status_code == 404
    assert snapshot(gps) == before
    done = client.put("/api/v1/holiday/2027", headers=auth, data=json.dumps(GOOD_2027))
    assert done.status_code == 200 and done.json["changed"] is True
    assert done.json["state"] == "正式"


# --- telling the operators in time -------------------------------------------------------

def test_from_november_admins_see_a_banner_while_next_year_is_provisional(gps):
    with travel("2026-10-30"):
        admin = logged_in(gps, "admin")
        assert 'id="calendar-banner"' not in admin.get("/").get_data(as_text=True)
        assert gps.test_client().get("/health", headers=HEALTH).json["calendar"] == {
            "year": 2027, "next_year": "暂定"}
    with travel("2026-11-02"):
        admin, jingban = logged_in(gps, "admin"), logged_in(gps, "jingban")
        page = admin.get("/holidays/").get_data(as_text=True)
        assert 'id="calendar-banner"' in page and "2027 年节假日安排尚未录入" in page
        assert 'id="calendar-banner"' not in jingban.get("/").get_data(as_text=True)
        admin.get("/lang/en")
        english = admin.get("/holidays/").get_data(as_text=True)
        assert "The holidays of 2027 have not been entered" in english
        assert "年节假日安排尚未录入" not in english
        admin.get("/lang/zh")
        assert upload(admin, "2027.json", json.dumps(GOOD_2027).encode()).status_code == 302
        assert 'id="calendar-banner"' not in admin.get("/holidays/").get_data(as_text=True)
        assert gps.test_client().get("/health", headers=HEALTH).json["calendar"]["next_year"] == "正式"


# --- verdicts given on 暂定 days, then the year entered -----------------------------------

def test_a_notice_judged_provisionally_is_rechecked_when_the_year_is_entered(gps):
    """Published on Thursday 24 December 2026 with documents obtainable
    28 December → 4 January: five working days with 2027 暂定, so lawful, and
    the note says 暂定. The administrator then enters 元旦 as 1–4 January with
    Saturday 9 January worked: four working days; the verdict changes, and
    【节假日维护】 lists the notice."""
    from app.extensions import db
    from app.models import AuditLog, ProvisionalJudgment

    plan_id = plan_of(gps)
    code = push_lots(gps, plan_id)
    fields = {**announcement_fields(dt.date(2026, 12, 24)),
              "doc_start": at(dt.date(2026, 12, 28)), "doc_end": at(dt.date(2027, 1, 4), 17),
              "bid_deadline": at(dt.date(2027, 1, 18), 9, 30),
              "open_time": at(dt.date(2027, 1, 18), 9, 30)}
    lots = {f"{code}001": {"requirement_html": "<p>设备</p>"}}
    with travel("2026-12-24"):
        jingban, admin = logged_in(gps, "jingban"), logged_in(gps, "admin")
        notice_id = draft_id(start_draft(jingban, plan_id, lots=[f"{code}001"]))
        saved = submit(jingban, notice_id, fields, action="save", lots=lots)
        assert saved.status_code == 302
        page = jingban.get(f"/notice-publish/notice/{notice_id}/edit").get_data(as_text=True)
        assert NOTE in page
        check = jingban.get(f"/api/v1/notice/{notice_id}/check",
                            headers=bearer(api_token(gps.test_client(), "jingban")))
        assert check.json["problems"] == [] and NOTE in check.json["warnings"]
        published = submit(jingban, notice_id, fields, lots=lots)
        assert published.status_code == 302, published.get_data(as_text=True)[-2000:]
        assert notice_row(gps, notice_id).state == "已发布"
        shown = jingban.get(published.headers["Location"]).get_data(as_text=True)
        assert NOTE in shown and "录入该年节假日后将自动复核" in shown
        with gps.app_context():
            [judgment] = db.session.query(ProvisionalJudgment).all()
            assert (judgment.years, judgment.verdict, judgment.changed) == ("2027", "", False)
            detail = db.session.query(AuditLog.detail).filter_by(
                action="发布采购公告").scalar()
            assert NOTE in detail

        # The same dates on a second lot's draft, after the year is entered.
        second = draft_id(start_draft(jingban, plan_id, lots=[f"{code}002"]))
        assert post(admin, "/holidays/2027/holiday", {
            "name": "元旦", "start": "2027-01-01", "end": "2027-01-04",
            "workdays": "2027-01-09"}).status_code == 302
        for holiday in GOOD_2027["holidays"][1:]:  # later in the year: no bearing on January
            assert post(admin, "/holidays/2027/holiday", {
                **holiday, "workdays": ",".join(holiday["workdays"])}).status_code == 302
        assert post(admin, "/holidays/2027/info", {
            "state": "正式", "notice_no": "国办发明电〔2026〕测试号",
            "notice_date": "2026-12-20"}).status_code == 302
        year_page = admin.get("/holidays/2027").get_data(as_text=True)
        assert 'class="recheck-row"' in year_page and notice_row(gps, notice_id).notice_key \
            in year_page
        assert "获取截止最早为 2027-01-05" in year_page
        with gps.app_context():
            judgment = db.session.query(ProvisionalJudgment).one()
            assert judgment.changed and "还差 1 个工作日" in judgment.recheck_verdict
        shown = jingban.get(f"/notice-publish/notice/{notice_id}").get_data(as_text=True)
        assert "结论有变化" in shown and "获取截止最早为 2027-01-05" in shown

        refused = submit(jingban, second, fields, lots={f"{code}002": lots[f"{code}001"]})
        text = refused.get_data(as_text=True)
        assert refused.status_code == 200 and "获取截止最早为 2027-01-05" in text
        assert NOTE not in text  # 2027 is 正式 now


def test_the_year_end_table_before_and_after_entering_2027_through_the_form(gps):
    """tests/test_deadlines.py's cases across 2026-12-31 → 2027-01-04, judged on
    the site's own calendar: 暂定 first, then after the administrator enters
    元旦 (1–4 January) with Saturday 9 January worked in 【节假日维护】."""
    from app import holidays
    from tests.test_deadlines import ACROSS

    def verdicts():
        with gps.app_context():
            calendar = holidays.current()
            return [check(calendar) for _id, check, _p, _e in ACROSS]

    def matches(got, wanted):
        return got is None if wanted is None else (got is not None and wanted in got)

    before = verdicts()
    assert all(matches(got, row[2]) for got, row in zip(before, ACROSS)), before
    admin = logged_in(gps, "admin")
    assert post(admin, "/holidays/2027/holiday", {
        "name": "元旦", "start": "2027-01-01", "end": "2027-01-04",
        "workdays": "2027-01-09"}).status_code == 302
    after = verdicts()
    assert all(matches(got, row[3]) for got, row in zip(after, ACROSS)), after
    assert before != after


def test_an_official_year_keeps_every_holiday_of_the_law(gps):
    """The walk set a year 正式 with only 春节 entered: 元旦, 清明… then
    counted as working days in every deadline reaching into it."""
    admin = logged_in(gps, "admin")
    partial = dict(GOOD_2027, holidays=GOOD_2027["holidays"][1:2])  # 春节 alone
    refused = upload(admin, "2027.json", json.dumps(partial).encode())
    assert refused.status_code == 422
    assert "尚未录入元旦、清明节、劳动节、端午节、中秋节、国庆节的放假安排" in \
        refused.get_data(as_text=True)
    assert upload(admin, "2027.json", json.dumps(GOOD_2027).encode()).status_code == 302
    before = snapshot(gps)
    deleted = post(admin, "/holidays/2027/holiday/delete", {"name": "劳动节"})
    assert deleted.status_code == 422
    assert "删除“劳动节”后将缺少劳动节的放假安排" in deleted.get_data(as_text=True)
    moved = post(admin, "/holidays/2027/holiday", {
        "name": "清明节", "replacing": "清明节", "start": "2027-04-06", "end": "2027-04-06"})
    assert moved.status_code == 422 and "缺少清明节" in moved.get_data(as_text=True)
    assert snapshot(gps) == before
    # 暂定, the year may be entered again from scratch.
    assert post(admin, "/holidays/2027/info", {"state": "暂定"}).status_code == 302
    assert post(admin, "/holidays/2027/holiday/delete", {"name": "劳动节"}).status_code == 302
    formal = post(admin, "/holidays/2027/info", {"state": "正式",
                                                 "notice_no": "国办发明电〔2026〕测试号"})
    assert formal.status_code == 422 and "尚未录入劳动节" in formal.get_data(as_text=True)


def test_the_same_holiday_saved_twice_at_once_is_a_clear_refusal(gps, monkeypatch):
    """Two identical 保存 at the same instant both pass validation; the second
    meets the unique day. Simulated by letting validation miss the first."""
    from app import holidays

    admin = logged_in(gps, "admin")
    data = {"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"}
    assert post(admin, "/holidays/2027/holiday", data).status_code == 302
    before = snapshot(gps)
    monkeypatch.setattr(holidays, "_taken", lambda year, except_name: {})
    monkeypatch.setattr(holidays, "_exists", lambda year, name: False)
    again = post(admin, "/holidays/2027/holiday", data)
    assert again.status_code == 409 and "重复提交" in again.get_data(as_text=True)
    assert snapshot(gps) == before



def test_import_refuses_a_lone_surrogate_in_chinese(gps):
    """It was a 500 on saving the year."""
    admin = logged_in(gps, "admin")
    body = json.dumps(GOOD_2027, ensure_ascii=False).replace('"元旦"', '"\\ud800"').encode()
    before = snapshot(gps)
    page = upload(admin, "2027.json", body)
    assert page.status_code == 422
    assert "JSON 中含有无法保存的字符" in page.get_data(as_text=True)
    assert snapshot(gps) == before


@pytest.mark.parametrize("junk", [{"_flt_0_x": "1"}, {"page_size": "-5"}, {"psize_x": "0"}])
def test_an_export_with_a_lists_junk_goes_back_to_the_year(gps_demo, junk):
    """An attack probe's 500: the refusal looked for a list page the calendar does not have."""
    response = logged_in(gps_demo, "admin").get("/holidays/2026/export", query_string=junk)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/holidays/2026")


@pytest.mark.parametrize("worked, second, said", [
    # Met on the weekend only (2027-01-02/03): stored as two one-day holidays.
    ([], {"name": "春节", "start": "2027-01-02", "end": "2027-01-04", "workdays": []},
     "放假日期 2027-01-02 至 2027-01-04 与“元旦”（2027-01-01 至 2027-01-03）重叠"),
    ([], {"name": "春节", "start": "2027-02-05", "end": "2027-02-12", "workdays": ["2027-01-02"]},
     "调休上班日 2027-01-02 在“元旦”的放假期间内"),
    (["2027-01-09"], {"name": "春节", "start": "2027-01-08", "end": "2027-01-11", "workdays": []},
     "放假期间内的 2027-01-09 是“元旦”的调休上班日"),
])
def test_holidays_of_a_file_may_not_meet_on_a_weekend_either(gps, worked, second, said):
    """An attack probe's PUT with overlapping 元旦 and 春节 was taken (200),
    both trimmed to their weekdays: refused, nothing changed."""
    body = {**GOOD_2027, "state": "暂定", "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03", "workdays": worked}, second]}
    before = snapshot(gps)
    api = gps.test_client()
    auth = bearer(api_token(api, "admin"))
    refused = api.put("/api/v1/holiday/2027", headers=auth,
                      data=json.dumps(body, ensure_ascii=False).encode(),
                      content_type="application/json")
    assert refused.status_code == 422 and said in refused.json["message"], refused.json
    assert snapshot(gps) == before
