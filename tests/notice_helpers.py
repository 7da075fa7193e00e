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
        # Pushed already (here, or by a real project.accepted from a platform).
        pushed = db.session.query(ProjectReplica.project_code).filter_by(plan_id=plan_id).scalar()
        if pushed is not None:
            return pushed
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


def form_values(page: str, form_id="notice-form") -> dict:
    """What a browser would send for the form as the page shows it: every
    input's value, checked boxes, textareas (lists for repeated names)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.textarea, self.values = False, None, {}

        def add(self, name, value):
            if name in self.values:
                old = self.values[name]
                self.values[name] = (old if isinstance(old, list) else [old]) + [value]
            else:
                self.values[name] = value

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = attrs.get("id") == form_id
            elif self.inside and tag == "input" and attrs.get("name"):
                kind = attrs.get("type", "text")
                if kind in ("checkbox", "radio"):
                    if "checked" in attrs:
                        self.add(attrs["name"], attrs.get("value", "y"))
                elif kind not in ("submit", "button"):
                    self.add(attrs["name"], attrs.get("value") or "")
            elif self.inside and tag == "textarea":
                self.textarea = attrs.get("name")
                self.add(self.textarea, "")

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                # A browser drops the newline that starts a textarea's content.
                value = self.values[self.textarea]
                self.values[self.textarea] = value[2:] if value.startswith("\r\n") else (
                    value[1:] if value.startswith("\n") else value)
                self.textarea = None
            elif tag == "form":
                self.inside = False

    reader = Reader()
    reader.feed(page)
    return reader.values


WINNERS = {1: ("河南甲科技有限公司", "880000.00"), 2: ("河南丙科技有限公司", "590000.00")}


def publish_result(app, plan_id, username="jingban", seqs=None) -> str:
    """The plan's project with a published 采购公告 and, after its bids
    closed, a published 结果公告 for every lot (or the lots numbered `seqs`) (through app/notices.py, on
    the days they would have been published). Returns the project code;
    a plan that already has its result is left as it is."""
    from app import notices
    from app.extensions import db
    from app.models import Notice, OrgUser, Plan, ProjectReplica

    today = dt.date.today()
    with app.app_context():
        if db.session.query(Notice.id).filter_by(plan_id=plan_id, notice_type="结果公告",
                                                 state="已发布").first():
            return db.session.query(ProjectReplica.project_code).filter_by(
                plan_id=plan_id).scalar()
    code = push_lots(app, plan_id)
    announced_on = today - dt.timedelta(days=40)
    deadline = dt.datetime.combine(announced_on + dt.timedelta(days=26), dt.time(9, 30))
    resulted_on = deadline.date() + dt.timedelta(days=1)
    with app.test_request_context():
        from flask import g

        user = g.user = db.session.query(OrgUser).filter_by(username=username).one()
        plan = db.session.get(Plan, plan_id)
        project = db.session.get(ProjectReplica, code)
        lots = [lot for lot in project.lots if seqs is None or lot.seq in seqs]
        codes = [lot.code for lot in lots]
        notice = notices.start_draft(plan, project, "采购公告", codes, user)
        values = dict(announcement_fields(announced_on))
        for key in ("doc_start", "doc_end"):
            values[key] = dt.datetime.strptime(values[key], "%Y-%m-%dT%H:%M")
        values["bid_deadline"] = values["open_time"] = deadline
        values["doc_price"] = 0
        notices.save_draft(notice, values, {c: {"requirement_html": "<p>设备</p>"} for c in codes},
                           user)
        assert notices.publish(notice, user, now=dt.datetime.combine(announced_on,
                                                                     dt.time(8))) == []
        result = notices.start_draft(plan, project, "结果公告", codes, user)
        fields = result_fields(resulted_on)
        fields["confirmed_on"] = resulted_on
        awards = {}
        for lot in lots:
            supplier, amount = WINNERS[lot.seq]
            awards[lot.code] = {"supplier_name": supplier, "supplier_address": "郑州市金水区1号",
                                "award_amount": Decimal(amount), "main_items": "交互式一体机"}
        notices.save_draft(result, fields, awards, user)
        problems = notices.publish(result, user, now=dt.datetime.combine(resulted_on,
                                                                         dt.time(10)))
        assert problems == [], [str(p) for p in problems]
        db.session.commit()
    return code
