"""Builders for 合同公告及备案 tests: a project with a published 结果公告 and,
if asked, a contract filed on it; the steps a user takes on the pages."""
import datetime as dt
import io
import re
from decimal import Decimal

from tests.filings import filed_plan_id, pdf_bytes
from tests.helpers import form_token

# The awards tests.notice_helpers.publish_result publishes, by lot number.
AWARDS = {1: ("河南甲科技有限公司", Decimal("880000.00")), 2: ("河南丙科技有限公司", Decimal("590000.00"))}


def resulted_project(app, username="jingban", seqs=None) -> tuple[int, str]:
    """(plan id, project code) of the user's filed plan whose 结果公告 is
    published (for the lots numbered `seqs`, default all)."""
    from app.extensions import db
    from app.models import ProjectReplica

    plan_id = filed_plan_id(app, username, seqs)
    with app.app_context():
        code = db.session.query(ProjectReplica.project_code).filter_by(plan_id=plan_id).scalar()
    return plan_id, code


def lot_codes(app, project_code) -> list[str]:
    from app.extensions import db
    from app.models import LotReplica

    with app.app_context():
        return [c for (c,) in db.session.query(LotReplica.code).filter_by(
            project_code=project_code).order_by(LotReplica.seq)]


def contract_values(today: dt.date | None = None, **overrides) -> dict:
    """A complete contract as the form posts it, signed today."""
    today = today or dt.date.today()
    values = {
        "contract_no": "PDS-JY-2026-001", "contract_name": "多媒体教室设备采购合同",
        "purchaser_name": "平顶山市教育局", "purchaser_address": "平顶山市新华区建设路1号",
        "purchaser_phone": "0375-1234567", "supplier_name": "河南甲科技有限公司",
        "supplier_address": "郑州市金水区1号", "supplier_phone": "0371-7654321",
        "supplier_credit_code": "91410100MA0000000T", "main_items": "交互式一体机",
        "spec": "86英寸", "quantity": "20台", "unit_price": "44000.00", "amount": "880000.00",
        "amount_note": "", "performance_period": "合同签订后30日内交货",
        "performance_place": "平顶山市教育局", "award_notice_on": "",
        "signed_on": today.isoformat(), "announce_on": "", "other_html": "", "late_reason": "",
    }
    values.update(overrides)
    return values


def add_contract(client, project_code, parts: dict, pdfs=True, original_id="", **overrides):
    """【新增】 → 选择项目 → the form → 【保存】. Returns the response (not followed)."""
    data = {"csrf_token": form_token(client), "action": "保存", "original_id": original_id,
            **contract_values(**overrides), "lots": list(parts)}
    for code, amount in parts.items():
        data[f"part-{code}"] = amount
    if pdfs:
        data["signed_file"] = (io.BytesIO(pdf_bytes()), "合同原件.pdf")
        data["redacted_file"] = (io.BytesIO(pdf_bytes()), "合同公开版.pdf")
    return client.post(f"/contracts/add?project={project_code}", data=data,
                       content_type="multipart/form-data")


def edit_contract(client, pk, parts: dict, **overrides):
    """【修改】 as the form sends it, with the version the edit page shows."""
    page = client.get(f"/contracts/edit/{pk}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    data = {"csrf_token": form_token(client), "action": "保存",
            "version": version.group(1) if version else "",
            **contract_values(**overrides), "lots": list(parts)}
    for code, amount in parts.items():
        data[f"part-{code}"] = amount
    return client.post(f"/contracts/edit/{pk}", data=data, content_type="multipart/form-data")


def saved_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return int(re.search(r"/contracts/show/(\d+)", response.headers["Location"]).group(1))


def submit(client, pk):
    """【提交】 on the list (tick the row; FAB's action post). Followed."""
    return client.post("/contracts/action_post", data={
        "action": "submit", "rowid": str(pk), "csrf_token": form_token(client)},
        follow_redirects=True)


def review(client, pk, result="通过", opinion=""):
    """【待办任务】→【进入审批】→ 审批结果, 审批意见 →【审核】. Followed."""
    page = client.get(f"/contracts/review/{pk}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1)
    return client.post(f"/contracts/review/{pk}", data={
        "csrf_token": token, "result": result, "opinion": opinion, "version": version},
        follow_redirects=True)


def contract_row(app, pk):
    from app.extensions import db
    from app.models import Contract

    with app.app_context():
        item = db.session.get(Contract, pk)
        row = {"state": item.state, "filed_at": item.filed_at, "amount": item.amount,
               "lots": [(lot.lot_code, lot.amount) for lot in item.lots],
               "notice": item.notice and (item.notice.notice_type, item.notice.state,
                                          [(lot.lot_code, lot.supplier_name, lot.award_amount)
                                           for lot in item.notice.lots]),
               "late_reason": item.late_reason}
        return row


def filed_contract(app, username="jingban", reviewer="shenhe", seqs=(1,),
                   amount=None) -> tuple[int, str, int]:
    """A project with a published 结果公告 and a contract filed (已备案) for
    its lots `seqs`, through the pages. Returns (plan id, project code,
    contract id)."""
    from tests.helpers import logged_in

    plan_id, code = resulted_project(app, username)
    codes = lot_codes(app, code)
    parts = {codes[s - 1]: f"{AWARDS[s][1]:.2f}" for s in seqs}
    total = amount or f"{sum(AWARDS[s][1] for s in seqs):.2f}"
    client = logged_in(app, username)
    pk = saved_id(add_contract(client, code, parts, amount=total,
                               supplier_name=AWARDS[seqs[0]][0]))
    assert "已提交" in submit(client, pk).get_data(as_text=True)
    assert "当前状态：已备案" in review(logged_in(app, reviewer), pk, "通过", "同意").get_data(
        as_text=True)
    return plan_id, code, pk
