"""Helpers for tests of 中标结果变更备案: a PDF, and the steps a user takes."""
import io
import re

from tests.helpers import csrf_token, form_token


def pdf_bytes(pages: int = 1) -> bytes:
    """A real (blank) PDF, as a scanner or "print to PDF" would give."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def filed_plan_id(app, username="jingban", seqs=None) -> int:
    """A filed plan of the user's unit (the demo files them) whose 结果公告
    is published (for the lots numbered `seqs`, default all): a winner
    change concerns a published result."""
    from app.extensions import db
    from app.models import OrgUser, Plan
    from sqlalchemy import text

    from tests.notice_helpers import publish_result

    with app.app_context():
        user = db.session.query(OrgUser).filter_by(username=username).one()
        plan = db.session.query(Plan).filter_by(
            unit_id=user.organisation_id, state="已备案").order_by(
            Plan.pushed_to.is_(None), Plan.id).first()
        plan_id = plan.id
        if plan.pushed_to is None:  # below the push limit: as if it had gone to its platform
            # (plain SQL: the audit columns' onupdate wants a signed-in user)
            db.session.execute(text('UPDATE "plan" SET pushed_to = :code WHERE id = :id'),
                               {"code": plan.platform_code, "id": plan_id})
            db.session.commit()
    publish_result(app, plan_id, username, seqs)
    return plan_id


def lot_of(app, plan_id, seq=1) -> str:
    """The code of the plan's lot `seq` (as 标段推送 left it on GPS)."""
    from app.extensions import db
    from app.models import LotReplica, ProjectReplica

    with app.app_context():
        return db.session.query(LotReplica.code).join(ProjectReplica).filter(
            ProjectReplica.plan_id == plan_id, LotReplica.seq == seq).scalar()


FIELDS = {
    "new_supplier": "河南乙科技有限公司",
    "new_amount": "1460000.00",
    "reason": "中标人放弃/拒签",
    "explanation": "原中标人书面放弃中标，依法确定排名第二的中标候选人为中标人。",
}


def rest_fields(app, plan_id, seq=1) -> dict:
    """A REST body for a filing on lot `seq` of the plan's published result."""
    return {"plan": plan_id, "lots": lot_of(app, plan_id, seq), **FIELDS}


def add_filing(client, plan_id, pdf=("情况说明.pdf", None), **overrides):
    """【增加】 → 选择项目 → fill the form (涉及标段: lot 1 unless given) →
    【保存】. Returns the response (not followed)."""
    url = f"/winner-changes/add?plan={plan_id}"
    data = {"csrf_token": csrf_token(client, url),
            "lot_codes": [lot_of(client.application, plan_id)], **FIELDS, **overrides}
    if pdf is not None:
        name, content = pdf
        data["statement_file"] = (io.BytesIO(pdf_bytes() if content is None else content),
                                  name)
    return client.post(url, data=data,
                       content_type="multipart/form-data")


def newest_filing_id(app) -> int:
    from app.extensions import db
    from app.models import WinnerChange

    with app.app_context():
        return db.session.query(WinnerChange.id).order_by(WinnerChange.id.desc()).first()[0]


def submit(client, pk):
    """【提交】 on the list (FAB's action post)."""
    token = form_token(client)
    return client.post("/winner-changes/action_post",
                       data={"action": "submit", "rowid": str(pk), "csrf_token": token},
                       follow_redirects=True)


VERSION_RE = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')


def review(client, pk, result="通过", opinion="", version=None):
    """【进入审批】 → 审批结果, 审批意见 → 【审核】. Returns the followed response."""
    page = client.get(f"/winner-changes/review/{pk}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    if version is None:
        version = VERSION_RE.search(page).group(1)
    return client.post(f"/winner-changes/review/{pk}", data={
        "csrf_token": token, "result": result, "opinion": opinion, "version": version},
        follow_redirects=True)


def state_of(app, pk) -> str:
    from app.extensions import db
    from app.models import WinnerChange

    with app.app_context():
        return db.session.get(WinnerChange, pk).state


def records_of(app, pk) -> list[tuple]:
    from app.extensions import db
    from app.models import ApprovalRecord

    with app.app_context():
        rows = (db.session.query(ApprovalRecord).filter_by(chain="winner_change", item_id=pk)
                .order_by(ApprovalRecord.id).all())
        return [(r.step, r.result, r.opinion, r.role, r.user_name) for r in rows]


def with_published_result(db_url, redis_url, username="jingban") -> int:
    """Before an end-to-end stack starts on `db_url`: give the user's filed
    plan a published 结果公告 (through app/notices.py, in-process), so a
    winner change can be filed against it. Returns the plan id."""
    from app.extensions import db
    from tests.conftest import make_app

    app = make_app("gps", db_url, redis_url)
    try:
        return filed_plan_id(app, username)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
