"""Helpers for 项目进场受理 tests on the 平顶山市 trading site."""
import datetime as dt
from decimal import Decimal

from tests.helpers import form_token

AGENCY_CREDIT = None  # filled from the demo organisation on first use


def pushed_plan(app, plan_no, budget="1500000.00", agency="河南中原招标代理有限公司",
                status="有效", procurement_method="公开招标"):
    """A plan as GPS's plan.filed would leave it here (the receiving side of
    the sync is tested on its own in test_sync_inbox and end to end)."""
    from app.extensions import db
    from app.models import Organisation, PlanReplica

    with app.app_context():
        org = db.session.query(Organisation).filter_by(name=agency).one()
        db.session.add(PlanReplica(
            plan_no=plan_no, version=1, project_name=f"受理测试项目{plan_no[-3:]}",
            unit_name="平顶山市教育局", unit_credit_code="11410400MB00000012",
            region_code="410400", agency_name=org.name, agency_credit_code=org.credit_code,
            procurement_method=procurement_method, category="货物", item_name="计算机",
            budget=Decimal(budget), fund_source="财政性资金", expected_date=dt.date(2026, 12, 31),
            filed_at=dt.datetime.now(), status=status, received_at=dt.datetime.now()))
        db.session.commit()
    return plan_no


def take_plan(client, plan_no):
    """【选择计划】 → 【选择】. Returns the followed response."""
    return client.post(f"/acceptance/plans/{plan_no}",
                       data={"csrf_token": form_token(client)}, follow_redirects=True)


def project_of(app, plan_no):
    from app.extensions import db
    from app.models import TradingProject

    with app.app_context():
        project = db.session.query(TradingProject).filter_by(plan_no=plan_no).one_or_none()
        return None if project is None else (project.id, project.project_code, project.state)


def complete(client, pk, open_place="平顶山市公共资源交易中心第一开标室"):
    """完善受理信息 (the edit form)."""
    from tests.helpers import csrf_token

    token = csrf_token(client, f"/acceptance/edit/{pk}")
    return client.post(f"/acceptance/edit/{pk}", data={
        "csrf_token": token, "open_place": open_place, "contact": "赵代理",
        "phone": "0375-1234567", "encrypted": "y"})


def add_lot(client, pk, name, budget, content="详见招标文件"):
    from tests.helpers import csrf_token

    token = csrf_token(client, "/lots/add")
    return client.post("/lots/add", data={"csrf_token": token, "project": str(pk),
                                          "name": name, "budget": budget, "content": content})


def submit(client, pk):
    return client.post("/acceptance/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(client)},
        follow_redirects=True)


def lots_of(app, pk):
    from app.extensions import db
    from app.models import Lot

    with app.app_context():
        return [(lot.code, lot.name, str(lot.budget))
                for lot in db.session.query(Lot).filter_by(project_id=pk).order_by(Lot.seq)]


def outbox(app, kind=None):
    import json

    from app.extensions import db
    from app.models import OutboxMessage

    with app.app_context():
        query = db.session.query(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.filter_by(type=kind)
        return [json.loads(row.body) for row in query]


def second_agency_user(app, username="daili2"):
    """A 代理机构 user of another agency on a trading site (南阳宛城项目管理有限公司)."""
    from app.extensions import db
    from app.models import Organisation
    from tests.helpers import DEMO_PASSWORD

    with app.app_context():
        sm = app.appbuilder.sm
        org = db.session.query(Organisation).filter_by(name=OTHER_AGENCY).one()
        user = sm.add_user(username, "钱", "代理", f"{username}@demo.invalid",
                           sm.find_role("代理机构"), password=DEMO_PASSWORD)
        user.organisation_id = org.id
        db.session.commit()


OTHER_AGENCY = "南阳宛城项目管理有限公司"  # second_agency_user's


def hand_to_other_agency(app, pk, region_code=None):
    """Make project `pk` OTHER_AGENCY's (and, given, in `region_code`): a
    project daili must not see, written straight to the table as no page
    would let it happen."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        db.session.execute(text(
            "UPDATE trading_project SET agency_id = "
            "(SELECT id FROM organisation WHERE name = :name),"
            " region_code = COALESCE(:region, region_code) WHERE id = :pk"),
            {"name": OTHER_AGENCY, "region": region_code, "pk": pk})
        db.session.commit()


def accepted_project(app, plan_no, budget="1500000.00",
                     lots=(("第一包 教学计算机", "1000000.00"), ("第二包 多媒体设备", "500000.00"))):
    """A project taken from a pushed plan by daili, with its lots, accepted
    by keshi over REST. Returns (daili's client, pk, project code)."""
    from tests.helpers import api_token, bearer, logged_in

    pushed_plan(app, plan_no, budget=budget)
    daili = logged_in(app, "daili")
    take_plan(daili, plan_no)
    pk, code, _state = project_of(app, plan_no)
    assert complete(daili, pk).status_code == 302
    for name, amount in lots:
        assert add_lot(daili, pk, name, amount).status_code == 302
    submit(daili, pk)
    client = app.test_client()
    approved = client.post(f"/api/v1/acceptance/{pk}/review",
                           headers=bearer(api_token(client, "keshi")),
                           json={"result": "通过", "opinion": "同意受理"})
    assert approved.status_code == 200, approved.get_data(as_text=True)
    return daili, pk, code
