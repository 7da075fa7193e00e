"""Helpers for 信息发布 tests on GPS: a plan whose lots arrived (标段推送),
and the wizard's steps as a user takes them."""
import datetime as dt
import re
from decimal import Decimal

from tests.helpers import form_token


def plan_of(app, name="平顶山市教育局多媒体教室设备采购") -> int:
    from app.extensions import db
    from app.models import Plan

    with app.app_context():
        return db.session.query(Plan.id).filter_by(project_name=name).scalar()


def push_lots(app, plan_id, budgets=("900000.00", "600000.00")) -> str:
    """The plan's trading project with its lots, as project.accepted leaves
    them on GPS (the message itself is tested in test_project_sync)."""
    from app.extensions import db
    from app.models import LotReplica, Plan, ProjectReplica

    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        code = f"JY{plan.pushed_to}-2026-{plan_id:04d}"
        project = ProjectReplica(
            project_code=code, platform_code=plan.pushed_to, plan_no=plan.plan_no, plan=plan,
            project_name=plan.project_name, agency_name=plan.agency.name,
            agency_credit_code=plan.agency.credit_code, budget=plan.budget, stage="受理通过",
            version=1, received_at=dt.datetime.now())
        for seq, budget in enumerate(budgets, 1):
            project.lots.append(LotReplica(code=f"{code}{seq:03d}", seq=seq,
                                           name=f"第{seq}标段", budget=Decimal(budget),
                                           content=f"<p>第{seq}标段采购内容</p>"))
        db.session.add(project)
        db.session.commit()
        return code


def at(day: dt.date, hour=9, minute=0) -> str:
    """A datetime-local form value."""
    return dt.datetime.combine(day, dt.time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


def next_workday(day: dt.date) -> dt.date:
    from tests.workcal import add_workdays

    return add_workdays(day, 1)


def announcement_fields(today: dt.date | None = None) -> dict:
    """A complete, lawful 采购公告 (公开招标): documents from the next working
    day for 7 working days, bids due 25 days after."""
    from tests.workcal import add_workdays

    today = today or dt.date.today()
    start = next_workday(today)
    return {
        "title": "平顶山市教育局多媒体教室设备采购公开招标公告",
        "performance_period": "合同签订后30日内交货",
        "qualification_html": "<p>2. 落实政府采购政策需满足的资格要求：无</p>",
        "doc_start": at(start), "doc_end": at(add_workdays(start, 6), 17),
        "doc_place": "平顶山市公共资源交易中心网站", "doc_method": "网上下载",
        "doc_price": "0",
        "bid_deadline": at(start + dt.timedelta(days=25), 9, 30),
        "open_time": at(start + dt.timedelta(days=25), 9, 30),
        "open_place": "平顶山市公共资源交易中心第一开标室",
        "purchaser_name": "平顶山市教育局", "purchaser_address": "平顶山市新华区建设路1号",
        "purchaser_phone": "0375-1234567",
        "agency_name": "河南中原招标代理有限公司", "agency_address": "平顶山市湛河区开源路8号",
        "agency_phone": "0375-7654321",
        "project_contact": "赵代理", "project_phone": "0375-7654321",
    }


def start_draft(client, plan_id, kind="采购公告", lots=(), original=None):
    """【起草公告】 step one. Returns the response (not followed)."""
    data = {"csrf_token": form_token(client), "type": kind, "lots": list(lots)}
    if original is not None:
        data["original"] = str(original)
    return client.post(f"/notice-publish/wizard/{plan_id}/draft?type={kind}", data=data)


def draft_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    match = re.search(r"/notice-publish/notice/(\d+)/edit", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def submit(client, notice_id, fields: dict, action="publish", lots: dict | None = None):
    """Step two: the form with `fields` and lot fields {code: {column: value}}."""
    data = {"csrf_token": form_token(client), "action": action, **fields}
    for code, values in (lots or {}).items():
        for column, value in values.items():
            data[f"lot-{code}-{column}"] = value
    return client.post(f"/notice-publish/notice/{notice_id}/edit", data=data)


def notice_row(app, notice_id):
    from app.extensions import db
    from app.models import Notice

    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        db.session.expunge(notice)
        return notice


def notice_messages(app) -> list:
    from app.extensions import db
    from app.models import OutboxMessage

    with app.app_context():
        rows = db.session.query(OutboxMessage).filter_by(type="notice.published").all()
        return [(row.entity_key, row.target, row.body) for row in rows]


def result_fields(confirmed_on):
    """A complete 结果公告 but for the lot part (see `award`)."""
    fields = {k: v for k, v in announcement_fields().items()
              if k.startswith(("purchaser", "agency", "project"))}
    return {**fields, "title": "中标结果公告", "confirmed_on": confirmed_on.isoformat(),
            "experts": "张三、李四、王五、赵六、钱七", "agency_fee": "按计价格〔2002〕1980号，1.2万元"}


def award(code):
    """Lot 1's award (中标信息) for a 结果公告."""
    return {f"{code}001": {"supplier_name": "河南甲科技有限公司",
                           "supplier_address": "郑州市金水区1号", "award_amount": "880000.00",
                           "main_items": "交互式一体机 20台"}}
