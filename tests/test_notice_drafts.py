"""A notice draft is the unit's own (and its entrusted agency's: both may
draft, app/security.py PUBLISH_NOTICES) until it is published. Regulators
follow the project through the 项目向导 but see published notices only;
other units and regions see nothing. Checked in the wizard, show, preview,
REST (list, item, check) and the OCDS export, as each role."""
import datetime as dt

import pytest

from tests.helpers import api_token, bearer, logged_in, migration, post_edit_form
from tests.notice_helpers import announcement_fields, plan_of, push_lots


@pytest.fixture(scope="module")
def project(gps_module):
    return _project_with_notices(gps_module)


def _project_with_notices(app):
    """A plan with two lots: lot 1 announced (published), a 采购公告 draft
    for lot 2 by the unit, and a 变更公告 draft by the agency."""
    from flask import g

    from app import notices
    from app.extensions import db
    from app.models import OrgUser, Plan, ProjectReplica

    plan_id = plan_of(app)
    code = push_lots(app, plan_id)
    with app.test_request_context():
        def user(name):
            g.user = db.session.query(OrgUser).filter_by(username=name).one()
            return g.user

        plan, replica = db.session.get(Plan, plan_id), db.session.get(ProjectReplica, code)
        published = notices.start_draft(plan, replica, "采购公告", [f"{code}001"],
                                        user("jingban"))
        values = announcement_fields()
        for key in ("doc_start", "doc_end", "bid_deadline", "open_time"):
            values[key] = dt.datetime.strptime(values[key], "%Y-%m-%dT%H:%M")
        values["doc_price"] = 0
        notices.save_draft(published, values, {f"{code}001": {"requirement_html": "<p>设备</p>"}},
                           g.user)
        assert notices.publish(published, g.user) == []
        unit_draft = notices.start_draft(plan, replica, "采购公告", [f"{code}002"],
                                         user("jingban"))
        unit_draft.title = "单位草稿：第2标段采购公告"
        agency_draft = notices.start_draft(plan, replica, "变更公告", [f"{code}001"],
                                           user("daili"), original=published)
        agency_draft.title = "代理机构草稿：变更公告"
        db.session.commit()
        return {"plan": plan_id, "published": published.id,
                "drafts": {unit_draft.id: unit_draft.notice_key,
                           agency_draft.id: agency_draft.notice_key},
                "published_key": published.notice_key}


# user, may open the project's wizard, sees the drafts
ROLES = [
    ("jingban", True, True),     # 采购单位经办岗 of the unit
    ("shenhe", True, True),      # 单位内部审核岗 of the same unit
    ("daili", True, True),       # the entrusted agency
    ("admin", True, True),       # Admin sees everything, as everywhere
    ("jianguan", True, False),   # 监管处 of the region
    ("chushen", True, False),    # 监管初审岗 of the region
    ("fuhe", True, False),       # 监管复核岗 of the region
    ("sheng", True, False),      # the province's regulator, above the region
    ("jingban2", False, False),  # another unit
    ("chushen2", False, False),  # a regulator of another region
]


@pytest.mark.parametrize("username, follows, sees_drafts", ROLES)
def test_the_wizard_lists_drafts_only_to_the_unit_and_its_agency(gps_module, project,
                                                                  username, follows,
                                                                  sees_drafts):
    client = logged_in(gps_module, username)
    response = client.get(f"/notice-publish/wizard/{project['plan']}")
    assert response.status_code == (200 if follows else 404)
    page = response.get_data(as_text=True)
    for key in project["drafts"].values():
        assert (f'data-key="{key}"' in page) == sees_drafts, key
    assert ("草稿：" in page) == sees_drafts
    assert (f'data-key="{project["published_key"]}"' in page) == follows


@pytest.mark.parametrize("url", ["/notice-publish/notice/{id}",
                                 "/notice-publish/notice/{id}/preview"])
@pytest.mark.parametrize("username, follows, sees_drafts", ROLES)
def test_a_drafts_pages_are_404_to_everyone_else(gps_module, project, url, username,
                                                  follows, sees_drafts):
    client = logged_in(gps_module, username)
    for notice_id in project["drafts"]:
        response = client.get(url.format(id=notice_id))
        assert response.status_code == (200 if sees_drafts else 404), (url, notice_id)
    published = client.get(url.format(id=project["published"]))
    assert published.status_code == (200 if follows else 404)


@pytest.mark.parametrize("username, follows, sees_drafts", ROLES)
def test_rest_answers_404_for_a_draft_and_lists_published_notices_only(gps_module, project,
                                                                       username, follows,
                                                                       sees_drafts):
    api = gps_module.test_client()
    headers = bearer(api_token(api, username))
    for notice_id in project["drafts"]:
        expected = 200 if sees_drafts else 404
        assert api.get(f"/api/v1/notice/{notice_id}", headers=headers).status_code == expected
        assert api.get(f"/api/v1/notice/{notice_id}/check",
                       headers=headers).status_code == expected
    listed = {row["notice_key"]
              for row in api.get("/api/v1/notice/", headers=headers).json["result"]}
    assert (set(project["drafts"].values()) <= listed) == sees_drafts
    assert not (set(project["drafts"].values()) & listed) or sees_drafts
    assert (project["published_key"] in listed) == follows


@pytest.mark.parametrize("username, follows, sees_drafts", ROLES)
def test_the_ocds_export_carries_no_draft(gps_module, project, username, follows,
                                          sees_drafts):
    response = logged_in(gps_module, username).get(
        f"/notice-publish/wizard/{project['plan']}/ocds")
    assert response.status_code == (200 if follows else 404)
    if follows:
        body = response.get_data(as_text=True)
        assert project["published_key"] in body
        assert "草稿" not in body
        assert not any(key in body for key in project["drafts"].values())


def test_a_regulator_cannot_edit_or_delete_a_draft(gps_module, project):
    from tests.helpers import form_token
    from tests.notice_helpers import notice_row

    client = logged_in(gps_module, "jianguan")
    notice_id = next(iter(project["drafts"]))
    assert client.get(f"/notice-publish/notice/{notice_id}/edit").status_code in (302, 403)
    client.post(f"/notice-publish/notice/{notice_id}/delete",
                data={"csrf_token": form_token(client)})
    assert notice_row(gps_module, notice_id).state == "草稿"


def _seen_by_copies_and_through_plans(app):
    """Per user, the notices notice_clause finds; each user's must be those
    of the plans it sees (drafts only to the unit and its agency)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Notice, OrgUser, Plan
    from app.scope import is_admin, notice_clause, plan_clause

    with app.app_context():
        seen = {}
        for user in db.session.query(OrgUser):
            through_plans = db.session.query(Notice.id).filter(
                Notice.plan_id.in_(select(Plan.id).where(plan_clause(user))))
            org = user.organisation
            if not (is_admin(user) or (org and org.org_type in ("采购单位", "代理机构"))):
                through_plans = through_plans.filter(Notice.state != "草稿")
            by_copies = {i for (i,) in db.session.query(Notice.id).filter(notice_clause(user))}
            assert by_copies == {i for (i,) in through_plans}, user.username
            seen[user.username] = by_copies
    return seen


def test_each_user_sees_by_the_notices_copies_what_it_sees_through_their_plans(gps_module,
                                                                               project):
    """scope._notice_rule reads the unit, agency and region each notice
    holds (copied from its plan), not the plans in scope."""
    seen = _seen_by_copies_and_through_plans(gps_module)
    everything = {project["published"], *project["drafts"]}
    assert seen["jingban"] == seen["daili"] == everything
    assert seen["jianguan"] == seen["sheng"] == {project["published"]}
    assert seen["jingban2"] == seen["chushen2"] == set()


def test_a_unit_moved_to_another_region_takes_its_notices_with_its_plan(gps):
    """The 组织机构 page lets Admin move a unit to another region. Its plan
    takes the new region when next saved (plans.prepare), and so do the
    plan's notices: the new region's regulator sees the published one, the
    old region's no longer does."""
    from flask import g

    from app import plans
    from app.extensions import db
    from app.models import Notice, OrgUser, Plan
    from app.scope import notice_clause

    made = _project_with_notices(gps)
    with gps.test_request_context():
        def user(name):
            return db.session.query(OrgUser).filter_by(username=name).one()

        def notices_of(name):
            return {i for (i,) in db.session.query(Notice.id).filter(notice_clause(user(name)))}

        assert made["published"] in notices_of("jianguan")
        g.user = user("jingban")
        fangcheng = user("chushen2").organisation.region_code
        g.user.organisation.region_code = fangcheng
        plan = db.session.get(Plan, made["plan"])
        plans.prepare(plan, g.user)
        db.session.commit()
        assert plan.region_code == fangcheng
        assert {n.region_code for n in db.session.query(Notice).filter_by(plan_id=plan.id)} \
            == {fangcheng}
        assert made["published"] in notices_of("chushen2")
        assert made["published"] not in notices_of("jianguan")


def test_a_new_agency_takes_the_plans_notices(gps):
    """【修改】 of a filed plan may change its 委托代理机构: the plan's notices
    go with it (plans.prepare), on the page and over REST, and the former
    agency no longer sees them."""
    from app.extensions import db
    from app.models import Notice, Organisation

    made = _project_with_notices(gps)
    with gps.app_context():
        other = db.session.query(Organisation).filter(
            Organisation.org_type == "代理机构", Organisation.name != "河南中原招标代理有限公司"
        ).order_by(Organisation.id).first()
        other_id = other.id
    assert made["published"] in _seen_by_copies_and_through_plans(gps)["daili"]
    client = logged_in(gps, "jingban")
    assert post_edit_form(client, f"/plans/edit/{made['plan']}",
                          agency=str(other_id)).status_code == 302
    with gps.app_context():
        assert {n.agency_id for n in db.session.query(Notice).filter_by(plan_id=made["plan"])} \
            == {other_id}
    assert _seen_by_copies_and_through_plans(gps)["daili"] == set()
    # And back over REST; a refused edit carries nothing.
    with gps.app_context():
        daili = db.session.query(Organisation).filter_by(name="河南中原招标代理有限公司").one().id
    api = gps.test_client()
    headers = bearer(api_token(api, "jingban"))
    refused = api.put(f"/api/v1/plan/{made['plan']}", json={"agency": daili, "budget": "0"},
                      headers=headers)
    assert refused.status_code == 422, refused.get_json()
    assert "必须大于0元" in str(refused.get_json())  # plan_errors, after prepare
    assert _seen_by_copies_and_through_plans(gps)["daili"] == set()
    response = api.put(f"/api/v1/plan/{made['plan']}", json={"agency": daili}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert made["published"] in _seen_by_copies_and_through_plans(gps)["daili"]


def test_the_migration_realigns_copies_left_behind(gps):
    """Before plans.prepare carried them, a changed agency or region stayed
    behind on the plan's notices: the migration sets each notice's copies
    to its plan's again, and leaves the others as they were."""
    from sqlalchemy import text

    from app.extensions import db
    from app.models import Notice, Plan

    made = _project_with_notices(gps)
    with gps.app_context():
        plan = db.session.get(Plan, made["plan"])
        rightly = {n.id: (n.agency_id, n.region_code) for n in db.session.query(Notice)}
        db.session.execute(text("UPDATE notice SET agency_id = NULL, region_code = '411322' "
                                "WHERE id = :id"), {"id": made["published"]})
        db.session.execute(text("UPDATE notice SET agency_id = :unit WHERE id = :id"),
                           {"unit": plan.unit_id, "id": min(made["drafts"])})
        db.session.commit()
        assert (plan.agency_id, plan.region_code) == rightly[made["published"]]
        db.session.execute(text(migration("1c421c2f1eb5").REALIGN))
        db.session.commit()
        db.session.expire_all()
        assert {n.id: (n.agency_id, n.region_code) for n in db.session.query(Notice)} == rightly
