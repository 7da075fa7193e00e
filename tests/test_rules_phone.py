"""联系电话 (app/rules/phone.py): what people write is kept, junk refused."""
import pytest

from app.rules.phone import phone_error


@pytest.mark.parametrize("phone", [
    "", None, "0375-1234567", "(0375)1234567", "（0375）1234567 转 8001", "13800000000",
    "+86 138 0000 0000", "0375-1234567、0375-7654321", "0375-1234567/13800000000",
])
def test_what_people_write_is_kept(phone):
    assert phone_error(phone) is None


@pytest.mark.parametrize("phone, words", [
    ("1e309", "只能填写数字"), ("张经办", "只能填写数字"), ("0375-12", "至少包含7位数字"),
    ("<script>", "只能填写数字"), ("1" * 41, "数字过多"),
])
def test_junk_is_refused_with_the_reason(phone, words):
    assert words in phone_error(phone)


def test_the_forms_and_rest_refuse_a_junk_phone(gps):
    from app.extensions import db
    from app.models import Organisation, OrgUser, Plan
    from tests.helpers import api_token, bearer, logged_in, post_edit_form

    client = gps.test_client()
    with gps.app_context():
        unit = db.session.query(OrgUser).filter_by(username="jingban").one().organisation_id
        plan = db.session.query(Plan).filter_by(unit_id=unit, state="草稿").order_by(Plan.id) \
            .first().id
        before = (db.session.get(Organisation, unit).phone, db.session.get(Plan, plan).phone)
    org = client.put(f"/api/v1/organisation/{unit}", json={"phone": "1e309"},
                     headers=bearer(api_token(client, "admin")))
    assert org.status_code == 422 and "只能填写数字" in org.json["message"]["phone"][0]
    rest_plan = client.put(f"/api/v1/plan/{plan}", json={"phone": "1e309"},
                           headers=bearer(api_token(client, "jingban")))
    assert rest_plan.status_code == 422 and "只能填写数字" in str(rest_plan.json["message"])
    page = post_edit_form(logged_in(gps, "admin"), f"/organisations/edit/{unit}", phone="1e309")
    assert page.status_code == 200 and "只能填写数字" in page.get_data(as_text=True)
    page = post_edit_form(logged_in(gps, "jingban"), f"/plans/edit/{plan}", phone="1e309")
    assert page.status_code == 200 and "只能填写数字" in page.get_data(as_text=True)
    with gps.app_context():
        assert (db.session.get(Organisation, unit).phone, db.session.get(Plan, plan).phone) == before
