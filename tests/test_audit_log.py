"""【审计日志】: searched by 用户 as one types, and 【导出】 as searched."""
import re

from tests.helpers import logged_in, xlsx_text


def _user_id(app, username):
    from app.extensions import db
    from app.models import OrgUser

    with app.app_context():
        return db.session.query(OrgUser.id).filter_by(username=username).scalar()


def test_a_user_is_found_by_the_whole_name_as_well_as_by_its_parts(gps):
    """姓 and 名 are two columns; people type the name whole."""
    admin = logged_in(gps, "admin")
    pk = str(_user_id(gps, "chushen"))
    for typed in ("钱初审", "钱", "初审", "chushen", "钱初"):
        found = admin.get(f"/audit/related/user?q={typed}").get_json()
        assert pk in {r["id"] for r in found["results"]}, typed
        assert "钱初审" in {r["text"] for r in found["results"]}, typed
    assert not admin.get("/audit/related/user?q=钱审").get_json()["results"]


def test_an_admin_finds_one_users_rows_and_exports_them(gps):
    jingban = logged_in(gps, "jingban")
    jingban.get("/plans/list/")  # signing in is audited: jingban has rows
    admin = logged_in(gps, "admin")
    found = admin.get("/audit/related/user?q=jing").get_json()
    pk = str(_user_id(gps, "jingban"))
    assert pk in {r["id"] for r in found["results"]}
    mine = admin.get(f"/audit/list/?_flt_0_user={pk}").get_data(as_text=True)
    assert 'id="btn-export"' in mine and f"/audit/export?_flt_0_user={pk}" in mine
    exported = admin.get(f"/audit/export?_flt_0_user={pk}")
    assert exported.status_code == 200
    assert "audit-log.xlsx" in exported.headers["Content-Disposition"]
    text = xlsx_text(exported.data)
    assert text.splitlines()[:6] == ["时间", "用户", "操作", "对象类型", "对象编号", "详情"]
    from app.extensions import db
    from app.models import AuditLog, OrgUser

    with gps.app_context():
        name = str(db.session.get(OrgUser, int(pk)))
        rows = db.session.query(AuditLog).filter_by(user_id=int(pk)).count()
        admin_name = str(db.session.query(OrgUser).filter_by(username="admin").one())
        # The export is audited itself.
        assert db.session.query(AuditLog).filter_by(action="导出", entity="AuditLog").count() == 1
    assert rows >= 1 and text.count(name) == rows and admin_name not in text.splitlines()[6:]


def test_in_english_the_column_is_the_action_done(gps):
    """操作 is what was done here, not the buttons' column (Actions)."""
    admin = logged_in(gps, "admin")
    admin.get("/lang/en")
    heads = re.findall(r"<th[^>]*>(.*?)</th>", admin.get("/audit/list/").get_data(as_text=True),
                       re.S)
    assert "Action" in [re.sub(r"<[^>]+>", "", head).strip() for head in heads]
    header = xlsx_text(admin.get("/audit/export").data).splitlines()[:6]
    assert header[2] == "Action" and "Actions" not in header
