"""Helpers for tests of 专家抽取申请: a project GPS knows the lots of, the
评审专业 rows the library would seed, and the steps a user takes."""
import datetime as dt
import re

from tests.helpers import CSRF_RE, csrf_token, form_token

SPECIALITIES = [("A", "货物", None), ("A02", "信息技术设备", "A"),
                ("A0201", "计算机设备", "A02"), ("A0202", "网络设备", "A02"),
                ("C", "服务", None)]


def seed_specialities(app) -> None:
    """The few 评审专业 the tests use (the expert library seeds the full tree)."""
    from app.extensions import db
    from app.models import ExpertSpeciality

    with app.app_context():
        for code, name, parent in SPECIALITIES:
            if db.session.get(ExpertSpeciality, code) is None:
                path = (db.session.get(ExpertSpeciality, parent).path if parent else "") \
                    + code + "/"
                db.session.add(ExpertSpeciality(code=code, name=name, parent_code=parent,
                                                path=path))
                db.session.flush()
        db.session.commit()


def pushed_project(app, username="jingban") -> str:
    """A filed plan of the user's unit, pushed to its platform, whose project
    and lots came back (标段推送): an interconnected project."""
    from sqlalchemy import text

    from app.extensions import db
    from app.models import OrgUser, Plan
    from tests.notice_helpers import push_lots

    with app.app_context():
        user = db.session.query(OrgUser).filter_by(username=username).one()
        plan = db.session.query(Plan).filter_by(
            unit_id=user.organisation_id, state="已备案").filter(
            Plan.agency_id.isnot(None)).order_by(Plan.pushed_to.is_(None), Plan.id).first()
        plan_id = plan.id
        if plan.pushed_to is None:
            db.session.execute(text('UPDATE "plan" SET pushed_to = :code WHERE id = :id'),
                               {"code": plan.platform_code, "id": plan_id})
            db.session.commit()
    return push_lots(app, plan_id)


def review_at(today: dt.date, days=10) -> str:
    return (dt.datetime.combine(today, dt.time(9, 30)) + dt.timedelta(days=days)).strftime(
        "%Y-%m-%dT%H:%M")


def form_data(today, **overrides) -> dict:
    """A complete 评审信息 and one 专家需求 row of 5 experts."""
    data = {"review_at": review_at(today), "review_place": "平顶山市公共资源交易中心第3评标室",
            "duration_hours": "3", "need_speciality": ["A0201", ""],
            "need_count": ["5", ""], "need_reserve": ["2", ""],
            "recusal_name": ["河南甲科技有限公司", ""],
            "recusal_code": ["", ""], "recusal_kind": ["投标人", "其他"]}
    data.update(overrides)
    return data


ACTIONS = {"save": "保存", "submit": "提交", "rows": "增加行"}


def post_form(client, url, data, action="save"):
    """The form's buttons: save 【保存】, submit 【提交】, rows 【增加行】, with
    the version the form showed (an edit without it is refused)."""
    action = ACTIONS[action]
    page = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page)
    sent = {"csrf_token": token, "action": action, **data}
    if version and "version" not in data:
        sent["version"] = version.group(1)
    return client.post(url, data=sent)


def newest_request(app):
    from app.extensions import db
    from app.models import ExpertRequest

    with app.app_context():
        row = db.session.query(ExpertRequest.id).order_by(ExpertRequest.id.desc()).first()
        return row[0] if row else None


def count_requests(app) -> int:
    from app.extensions import db
    from app.models import ExpertRequest

    with app.app_context():
        return db.session.query(ExpertRequest).count()


def request_row(app, pk) -> dict:
    from app.extensions import db
    from app.models import ExpertRequest

    with app.app_context():
        item = db.session.get(ExpertRequest, pk)
        return {"state": item.state, "project_code": item.project_code,
                "lot_code": item.lot_code, "unit": item.unit.name,
                "agency_id": item.agency_id, "region_code": item.region_code,
                "approved_at": item.approved_at, "request_no": item.request_no,
                "needs": [(n.speciality_code, n.count, n.reserve_count) for n in item.needs],
                "recusals": [(r.kind, r.unit_name) for r in item.recusal_units],
                "last_opinion": item.last_opinion}


def submit_from_list(client, pk):
    return client.post("/expert-requests/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(client)},
        follow_redirects=True)


VERSION_RE = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')


def review(client, pk, result="通过", opinion=""):
    page = client.get(f"/expert-requests/review/{pk}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    match = VERSION_RE.search(page)
    return client.post(f"/expert-requests/review/{pk}", data={
        "csrf_token": token, "result": result, "opinion": opinion,
        "version": match.group(1) if match else ""}, follow_redirects=True)


def approval_records(app, pk) -> list[tuple]:
    from app.extensions import db
    from app.models import ApprovalRecord

    with app.app_context():
        rows = (db.session.query(ApprovalRecord).filter_by(chain="expert_request", item_id=pk)
                .order_by(ApprovalRecord.id).all())
        return [(r.step, r.result, r.opinion, r.role) for r in rows]
