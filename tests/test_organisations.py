"""Organisations with their credit code, and the threshold matrix Admin edits."""
import datetime as dt

import pytest

from app.extensions import db
from app.models import Organisation, Plan, PushThreshold
from app.rules.credit_code import complete
from tests.helpers import api_token, bearer, csrf_token, form_token, logged_in


def _org_count(app, name):
    with app.app_context():
        return db.session.query(Organisation).filter_by(name=name).count()


def _add_org(client, code):
    region = "410400"
    return client.post("/organisations/add", data={
        "name": "测试采购单位", "org_type": "采购单位", "credit_code": code,
        "region": region, "csrf_token": csrf_token(client, "/organisations/add")})


@pytest.mark.parametrize("code,message", [
    ("91350100M000100Y44", "校验位错误"),
    ("12345", "应为18位"),
])
def test_admin_form_refuses_bad_credit_codes(gps, code, message):
    response = _add_org(logged_in(gps, "admin"), code)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _org_count(gps, "测试采购单位") == 0


def test_admin_adds_organisation_with_valid_code(gps):
    response = _add_org(logged_in(gps, "admin"), complete("11410400MB0000099"))
    assert response.status_code == 302
    assert _org_count(gps, "测试采购单位") == 1


def test_rest_refuses_bad_credit_code(gps):
    client = gps.test_client()
    response = client.post("/api/v1/organisation/", headers=bearer(api_token(client, "admin")),
                           json={"name": "接口单位", "org_type": "采购单位",
                                 "credit_code": "91350100M000100Y44", "region": "410400"})
    assert response.status_code == 422
    assert "校验位错误" in str(response.json["message"]["credit_code"])
    assert _org_count(gps, "接口单位") == 0


def test_threshold_change_applies_from_its_date(gps):
    """Admin raises the 市级货物 limit from today: a new plan at 120万 no longer
    meets it, while a rule dated tomorrow would not yet have counted."""
    from tests.test_plan_filing import GOOD

    client = logged_in(gps, "admin")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for day, amount in ((tomorrow, "5000000"),):
        client.post("/push-thresholds/add", data={
            "region_level": "市级", "category": "货物", "amount": amount,
            "effective_from": day.isoformat(), "basis": "测试",
            "csrf_token": csrf_token(client, "/push-thresholds/add")})
    jingban = logged_in(gps, "jingban")

    def file(name):
        jingban.post("/plans/add", data={**GOOD, "project_name": name, "budget": "1200000",
                                         "csrf_token": csrf_token(jingban, "/plans/add")})
        with gps.app_context():
            return db.session.query(Plan).filter_by(project_name=name).one().meets_push

    assert file("明日新规前") is True
    client.post("/push-thresholds/add", data={
        "region_level": "市级", "category": "货物", "amount": "1500000",
        "effective_from": dt.date.today().isoformat(), "basis": "测试",
        "csrf_token": csrf_token(client, "/push-thresholds/add")})
    with gps.app_context():
        assert db.session.query(PushThreshold).filter_by(region_level="市级",
                                                         category="货物").count() == 4
    assert file("今日新规后") is False


def test_threshold_amount_must_be_positive(gps):
    client = logged_in(gps, "admin")
    response = client.post("/push-thresholds/add", data={
        "region_level": "县级", "category": "工程", "amount": "-1",
        "effective_from": "2027-01-01", "csrf_token": csrf_token(client, "/push-thresholds/add")})
    assert "限额金额必须大于0元" in response.get_data(as_text=True)


def test_regulator_cannot_edit_thresholds(gps):
    client = logged_in(gps, "chushen")
    assert client.get("/push-thresholds/add").status_code == 403


# A write the database refuses reads as a sentence, never the SQL FAB would
# flash or answer (its statement, parameters and a link to SQLAlchemy's docs).
SQL_WORDS = ("INSERT INTO", "DELETE FROM", "IntegrityError", "sqlalche.me", "[SQL:")


def test_a_region_with_organisations_is_not_deleted(gps):
    from app.models import Region

    client = logged_in(gps, "admin")
    response = client.post("/regions/delete/410400", follow_redirects=True,
                           data={"csrf_token": form_token(client)})
    page = response.get_data(as_text=True)
    assert "删除失败：仍有其他记录引用该记录" in page
    assert not any(word in page for word in SQL_WORDS)
    with gps.app_context():
        assert db.session.get(Region, "410400") is not None
        assert db.session.query(Organisation).filter_by(region_code="410400").count() > 0


def test_a_region_code_already_there_is_a_field_error(gps):
    from app.models import Region

    client = logged_in(gps, "admin")
    response = client.post("/regions/add", data={
        "code": "410400", "name": "重复的区划", "level": "市级",
        "csrf_token": csrf_token(client, "/regions/add")})
    assert response.status_code == 200
    assert "该区划代码已存在" in response.get_data(as_text=True)
    with gps.app_context():
        assert db.session.get(Region, "410400").name != "重复的区划"


def test_a_duplicate_over_rest_is_a_chinese_422(gps):
    with gps.app_context():
        taken = db.session.query(Organisation).first()
        values = {"name": "重复的机构", "org_type": taken.org_type,
                  "credit_code": taken.credit_code, "region": taken.region_code}
    client = gps.test_client()
    token = api_token(client, "admin")
    response = client.post("/api/v1/organisation/", json=values, headers=bearer(token))
    assert response.status_code == 422, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    assert "保存失败" in response.json["message"] and not any(w in text for w in SQL_WORDS)
    assert _org_count(gps, "重复的机构") == 0


def _audited(app, action):
    from app.models import AuditLog

    with app.app_context():
        return [(row.entity_key, row.detail) for row in
                db.session.query(AuditLog).filter_by(action=action).order_by(AuditLog.id)]


def test_adding_changing_and_deleting_an_organisation_is_audited(gps):
    """A browser walk found a unit moved with no trace in 审计日志."""
    admin = logged_in(gps, "admin")
    assert _add_org(admin, complete("11410400MB0000099")).status_code == 302
    with gps.app_context():
        pk = db.session.query(Organisation.id).filter_by(name="测试采购单位").scalar()
    assert _audited(gps, "新增组织机构") == [(str(pk), "测试采购单位（采购单位，平顶山市）")]
    client = gps.test_client()
    token = api_token(client, "admin")
    changed = client.put(f"/api/v1/organisation/{pk}", headers=bearer(token),
                         json={"contact": "王五", "phone": "0375-1234567"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert _audited(gps, "修改组织机构") == [(str(pk), "联系人：— → 王五；联系电话：— → 0375-1234567")]
    # Saving with nothing changed writes nothing.
    assert client.put(f"/api/v1/organisation/{pk}", headers=bearer(token),
                      json={"contact": "王五"}).status_code == 200
    assert len(_audited(gps, "修改组织机构")) == 1
    deleted = admin.post(f"/organisations/delete/{pk}",
                         data={"csrf_token": form_token(admin)})
    assert deleted.status_code == 302
    assert _org_count(gps, "测试采购单位") == 0
    assert _audited(gps, "删除组织机构") == [(str(pk), "测试采购单位（采购单位，平顶山市）")]
    added = client.post("/api/v1/organisation/", headers=bearer(token),
                        json={"name": "接口单位", "org_type": "采购单位",
                              "credit_code": complete("11410400MB0000098"), "region": "410400"})
    assert added.status_code == 201, added.get_data(as_text=True)
    assert _audited(gps, "新增组织机构")[-1] == (str(added.json["id"]), "接口单位（采购单位，平顶山市）")
