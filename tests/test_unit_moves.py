"""Admin moves a unit to another region (组织机构 → 所属区划), or a region
under another parent (行政区划 → 上级区划): the records found by those copies
go with them (app/organisations.py), and the regulators who see them change."""
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Organisation, OrgUser, Region
from app.organisations import UNIT_RECORDS
from app.rules.credit_code import complete
from app.scope import contract_clause, expert_request_clause, plan_clause, winner_change_clause
from tests.contract_helpers import filed_contract
from tests.expert_request_helpers import form_data, newest_request, post_form
from tests.filings import add_filing, newest_filing_id, submit
from tests.helpers import api_token, bearer, logged_in, post_edit_form

OLD, NEW = "410400", "411322"  # 平顶山市 and 方城县 (the 监管初审岗 chushen2's)
TYPED = {"project_code": "", "project_name": "平顶山市教育局教学楼维修工程监理服务",
         "project_no": "PDS-2026-SG-017", "procurement_method": "竞争性磋商",
         "budget": "380000.00"}


def _unit(app, username="jingban") -> int:
    with app.app_context():
        return db.session.execute(select(OrgUser.organisation_id)
                                  .where(OrgUser.username == username)).scalar_one()


def _regions_of_records(app, unit_id) -> dict:
    """Each kind of record of the unit: {its region codes: how many}."""
    with app.app_context():
        return {model.__name__: dict(db.session.execute(
            select(model.region_code, func.count()).where(model.unit_id == unit_id)
            .group_by(model.region_code)).all()) for model in UNIT_RECORDS}


def _seen_by(app, username, records) -> set:
    """Which of `records` ({kind: (model, clause, id)}) the user's scope finds."""
    with app.test_request_context():
        user = db.session.query(OrgUser).filter_by(username=username).one()
        return {kind for kind, (model, clause, pk) in records.items()
                if db.session.query(model.id).filter(model.id == pk, clause(user)).first()}


def test_a_unit_moved_to_another_region_takes_every_record_with_it(gps, today):
    from app.models import Contract, ExpertRequest, Plan, WinnerChange

    plan_id, _, contract_id = filed_contract(gps)
    jingban = logged_in(gps, "jingban")
    assert add_filing(jingban, plan_id).status_code == 302
    submit(jingban, newest_filing_id(gps))  # a regulator sees it once submitted
    assert post_form(jingban, "/expert-requests/add",
                     form_data(today, **TYPED)).status_code == 302
    records = {"plan": (Plan, plan_clause, plan_id),
               "contract": (Contract, contract_clause, contract_id),
               "winner change": (WinnerChange, winner_change_clause, newest_filing_id(gps)),
               "expert request": (ExpertRequest, expert_request_clause, newest_request(gps))}
    unit = _unit(gps)
    before = _regions_of_records(gps, unit)
    assert all(regions == {OLD: regions.get(OLD)} and regions[OLD] > 0
               for regions in before.values()), before
    assert _seen_by(gps, "chushen", records) == set(records)
    assert _seen_by(gps, "chushen2", records) == set()

    admin = logged_in(gps, "admin")
    response = post_edit_form(admin, f"/organisations/edit/{unit}", region=NEW)
    assert response.status_code == 302
    moved = sum(count for regions in before.values() for count in regions.values())
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert f"该单位的 {moved} 条记录已随之转入新的所属区划" in page
    # 审计日志 says who moved it, from where to where, and how much went along.
    from app.models import AuditLog
    with gps.app_context():
        logged = db.session.query(AuditLog).filter_by(action="修改组织机构",
                                                      entity_key=str(unit)).one()
        assert logged.detail == f"所属区划：平顶山市 → 方城县（{moved} 条记录随之转入）"
        assert logged.user_id == db.session.query(OrgUser.id).filter_by(
            username="admin").scalar()
    assert _regions_of_records(gps, unit) == {
        kind: {NEW: regions[OLD]} for kind, regions in before.items()}
    assert _seen_by(gps, "chushen", records) == set()
    assert _seen_by(gps, "chushen2", records) == set(records)
    # The contract's page follows: refused to the old region, shown to the new.
    assert logged_in(gps, "chushen").get(
        f"/contract-filings/show/{contract_id}").status_code == 404
    assert logged_in(gps, "chushen2").get(
        f"/contract-filings/show/{contract_id}").status_code == 200

    # Saved again unchanged: nothing to move, nothing said.
    response = post_edit_form(admin, f"/organisations/edit/{unit}")
    assert "条记录已随之转入" not in admin.get(response.headers["Location"]).get_data(
        as_text=True)
    # And back over REST.
    api = gps.test_client()
    response = api.put(f"/api/v1/organisation/{unit}", json={"region": OLD},
                       headers=bearer(api_token(api, "admin")))
    assert response.status_code == 200, response.get_json()
    assert _regions_of_records(gps, unit) == before
    assert _seen_by(gps, "chushen", records) == set(records)


def test_another_units_records_stay(gps):
    unit, other = _unit(gps), _unit(gps, "jingban2")
    others = _regions_of_records(gps, other)
    post_edit_form(logged_in(gps, "admin"), f"/organisations/edit/{unit}", region=NEW)
    assert _regions_of_records(gps, other) == others


def _paths(app) -> dict:
    with app.app_context():
        return dict(db.session.execute(select(Region.code, Region.path)).all())


def test_a_region_moved_under_another_parent_takes_the_regions_below(gps):
    """行政区划 【修改】 上级区划: the region's path and every path below it
    follow, so a regulator above the new parent now sees their records."""
    admin = logged_in(gps, "admin")
    with gps.app_context():
        db.session.add_all([
            Region(code="419900", name="测试市", level="市级", parent_code="410000",
                   path="410000/419900/"),
            Region(code="410499", name="测试区", level="县级", parent_code="410400",
                   path="410000/410400/410499/"),
            Region(code="410498", name="测试乡", level="县级", parent_code="410499",
                   path="410000/410400/410499/410498/")])
        db.session.commit()
    before = _paths(gps)
    response = post_edit_form(admin, "/regions/edit/410499", parent="419900")
    assert response.status_code == 302
    after = _paths(gps)
    assert after["410499"] == "410000/419900/410499/"
    assert after["410498"] == "410000/419900/410499/410498/"
    assert {code: path for code, path in after.items() if code not in ("410499", "410498")} \
        == {code: path for code, path in before.items() if code not in ("410499", "410498")}


def test_a_region_cannot_go_under_itself_or_below_itself(gps):
    admin = logged_in(gps, "admin")
    with gps.app_context():
        db.session.add(Region(code="410499", name="测试区", level="县级", parent_code="410400",
                              path="410000/410400/410499/"))
        db.session.commit()
    before = _paths(gps)
    # 平顶山市 under its own 测试区; 测试区 under itself.
    for code, parent in (("410400", "410499"), ("410499", "410499")):
        offered = re.findall(r'<option[^>]*value="(\d+)"',
                             admin.get(f"/regions/edit/{code}").get_data(as_text=True))
        assert "410000" in offered and parent not in offered and code not in offered
        response = post_edit_form(admin, f"/regions/edit/{code}", parent=parent)
        assert response.status_code == 200
        assert "所选的上级区划不存在或不在可选范围内" in response.get_data(as_text=True)
    assert _paths(gps) == before


def test_parent_refusal_names_the_rule(gps):
    """The form offers no such parent; the rule itself, for any other caller."""
    from app.organisations import parent_refusal

    with gps.app_context():
        city = db.session.get(Region, "410400")
        county = Region(code="410499", path="410000/410400/410499/")
        assert parent_refusal(city, county) == parent_refusal(city, city) \
            == "上级区划不能是本区划或其下级区划"
        assert parent_refusal(city, db.session.get(Region, "410000")) is None


def test_a_move_refused_for_another_field_moves_nothing(gps):
    """REST: the region changed with another unit's 统一社会信用代码 is refused
    as a whole (422, not a 500), and no record moved."""
    unit = _unit(gps)
    with gps.app_context():
        taken = db.session.execute(select(Organisation.credit_code)
                                   .where(Organisation.id != unit)).scalars().first()
    before = _regions_of_records(gps, unit)
    api = gps.test_client()
    response = api.put(f"/api/v1/organisation/{unit}", json={"region": NEW, "credit_code": taken},
                       headers=bearer(api_token(api, "admin")))
    assert response.status_code == 422, response.get_json()
    assert _regions_of_records(gps, unit) == before
    with gps.app_context():
        assert db.session.get(Organisation, unit).region_code == OLD


def test_the_board_does_not_place_a_moved_unit_by_old_counts(gps):
    """【监督看板】's counts hold each project's region: a move drops them, and
    the board counts live (the unit's projects in the new region) until the
    sweeper counts again."""
    from app import supervision_tally
    from app.models import SupervisionTally

    gps.config["DASHBOARD_TALLY_SECONDS"] = 300
    try:
        with gps.app_context():
            supervision_tally.rebuild(db.session)
        board = "/supervision/dashboard/data"
        old, new = logged_in(gps, "jianguan"), logged_in(gps, "chushen2")
        before = (old.get(board).json["totals"]["projects"],
                  new.get(board).json["totals"]["projects"])
        unit = _unit(gps)
        moving = _regions_of_records(gps, unit)["SupervisionProject"][OLD]
        post_edit_form(logged_in(gps, "admin"), f"/organisations/edit/{unit}", region=NEW)
        with gps.app_context():
            assert db.session.scalar(select(func.count()).select_from(SupervisionTally)) == 0
        after = old.get(board).json, new.get(board).json
        assert [body["every_minutes"] for body in after] == [1, 1]  # counted live
        assert (after[0]["totals"]["projects"], after[1]["totals"]["projects"]) == (
            before[0] - moving, before[1] + moving)
    finally:
        gps.config["DASHBOARD_TALLY_SECONDS"] = 0


def test_the_edit_forms_ask_before_a_move(gps):
    """The one dialog (confirm.js, data-confirm-change) asks when 所属区划 or
    上级区划 was changed; tests/e2e/test_confirm_browser.py clicks it."""
    import re

    admin = logged_in(gps, "admin")
    for path, field, title in ((f"/organisations/edit/{_unit(gps)}", "region", "修改所属区划"),
                               ("/regions/edit/410421", "parent", "修改上级区划")):
        page = admin.get(path).get_data(as_text=True)
        [select] = re.findall(rf'<select[^>]*name="{field}"[^>]*>', page)
        assert f'data-confirm-title="{title}"' in select and "data-confirm-change=" in select


def test_a_units_type_is_fixed_once_it_has_users_or_records(gps):
    """A 采购单位 made 代理机构 (over REST or in the form) lost every plan,
    contract and application to its own users. Refused with the reason,
    nothing changed; a new organisation with nothing yet may change type."""
    unit = _unit(gps)
    api = gps.test_client()
    response = api.put(f"/api/v1/organisation/{unit}", json={"org_type": "代理机构"},
                       headers=bearer(api_token(api, "admin")))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["message"] == {"org_type": ["该机构已有用户或业务记录，不能修改机构类型"]}
    admin = logged_in(gps, "admin")
    page = post_edit_form(admin, f"/organisations/edit/{unit}", org_type="代理机构")
    assert page.status_code == 200
    assert "该机构已有用户或业务记录，不能修改机构类型" in page.get_data(as_text=True)
    with gps.app_context():
        assert db.session.get(Organisation, unit).org_type == "采购单位"
        fresh = Organisation(name="新成立的单位", org_type="采购单位",
                             credit_code=complete("91410400MA0000001"), region_code=OLD)
        db.session.add(fresh)
        db.session.commit()
        fresh_id = fresh.id
    page = post_edit_form(admin, f"/organisations/edit/{fresh_id}", org_type="代理机构")
    assert page.status_code == 302
    with gps.app_context():
        assert db.session.get(Organisation, fresh_id).org_type == "代理机构"
