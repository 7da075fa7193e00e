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


def filed_plan_id(app, username="jingban") -> int:
    """A filed plan of the user's unit (the demo files them)."""
    from app.extensions import db
    from app.models import OrgUser, Plan

    with app.app_context():
        user = db.session.query(OrgUser).filter_by(username=username).one()
        return db.session.query(Plan.id).filter_by(
            unit_id=user.organisation_id, state="已备案").order_by(Plan.id).first()[0]


FIELDS = {
    "lots": "第1标段",
    "original_supplier": "河南甲科技有限公司",
    "original_amount": "1450000.00",
    "new_supplier": "河南乙科技有限公司",
    "new_amount": "1460000.00",
    "reason": "中标人放弃/拒签",
    "explanation": "原中标人书面放弃中标，依法确定排名第二的中标候选人为中标人。",
}


def add_filing(client, plan_id, pdf=("情况说明.pdf", None), **overrides):
    """【增加】 → fill the form → 【保存】. Returns the response (not followed)."""
    data = {"csrf_token": csrf_token(client, "/winner-changes/add"), "plan": str(plan_id),
            **FIELDS, **overrides}
    if pdf is not None:
        name, content = pdf
        data["statement_file"] = (io.BytesIO(pdf_bytes() if content is None else content),
                                  name)
    return client.post("/winner-changes/add", data=data,
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
