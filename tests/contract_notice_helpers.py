"""Filed contracts for 合同公告 tests, built from the models directly (the
filing form and its chain are another module's: tests/contract_helpers.py).
A plan whose project has a published 结果公告 (tests.notice_helpers), then a
Contract for its awarded lots with both PDFs stored, state 已备案."""
import datetime as dt
from decimal import Decimal

from tests.notice_helpers import WINNERS, plan_of, publish_result

SIGNED = b"%PDF-1.4\n% SIGNED-ORIGINAL with seals and bank account 6222000011112222\n%%EOF\n"
REDACTED = b"%PDF-1.4\n% REDACTED public version\n%%EOF\n"


def filed_contract(app, plan_id=None, username="jingban", seqs=(1,), filing_no="HT-2026-0001",
                   state="已备案", publish=True, original_id=None, now=None, result_seqs=None,
                   **fields) -> dict:
    """A contract of the plan (default: the demo plan of tests.notice_helpers)
    for the lots numbered `seqs`, filed and — with `publish` — its 合同公告
    published through app.contract_notice. `result_seqs`: the lots the
    结果公告 awards (default all). Returns ids and keys."""
    from flask import g

    from app import attachments, contract_notice
    from app.extensions import db
    from app.models import Contract, ContractLot, Notice, OrgUser, Plan, ProjectReplica

    plan_id = plan_id or plan_of(app)
    code = publish_result(app, plan_id, username=username, seqs=result_seqs)
    with app.test_request_context():
        user = g.user = db.session.query(OrgUser).filter_by(username=username).one()
        plan = db.session.get(Plan, plan_id)
        project = db.session.get(ProjectReplica, code)
        result = (db.session.query(Notice).filter_by(project_code=code, notice_type="结果公告",
                                                    state="已发布").order_by(Notice.id).first())
        awarded = {lot.lot_code: lot for lot in result.lots}
        lots = [lot for lot in project.lots if lot.seq in seqs and lot.code in awarded]
        original = db.session.get(Contract, original_id) if original_id else None
        today = (now or dt.datetime.now()).date()
        supplier = awarded[lots[0].code].supplier_name if lots else original.supplier_name
        values = dict(
            filing_no=filing_no, unit_id=plan.unit_id, region_code=plan.region_code, plan=plan,
            project=project, result_notice=result, original=original,
            contract_no=f"PDS-HT-{filing_no}", contract_name=f"{plan.project_name}合同",
            purchaser_name=plan.unit.name, purchaser_address="平顶山市新华区建设路1号",
            purchaser_phone="0375-1234567", supplier_name=supplier,
            supplier_address="郑州市金水区1号", supplier_phone="0371-7654321",
            supplier_credit_code="91410100MA0000101X", main_items="交互式一体机",
            spec="86英寸，4K", quantity="20台", unit_price=Decimal("44000.00"),
            performance_period="合同签订后30日内交货", performance_place="采购人指定地点",
            procurement_method=plan.procurement_method, signed_on=today - dt.timedelta(days=2),
            other_html="<p>质保三年。</p><script>alert(1)</script>", state=state)
        given = fields.pop("amount", None)
        values.update(fields)
        amount = Decimal("0")
        contract = Contract(**values, amount=Decimal("1"))
        for seq, lot in enumerate(lots, 1):
            award = Decimal(WINNERS[lot.seq][1])
            contract.lots.append(ContractLot(seq=seq, lot_code=lot.code, lot_name=lot.name,
                                             supplier_name=awarded[lot.code].supplier_name,
                                             award_amount=award, amount=award))
            amount += award
        contract.amount = given or amount or Decimal("50000.00")
        contract.signed_pdf = attachments.store_pdf("合同原件.pdf", SIGNED, user)
        contract.redacted_pdf = attachments.store_pdf("合同公开版.pdf", REDACTED, user)
        if state == "已备案":
            contract.filed_at = now or dt.datetime.now().replace(microsecond=0)
        db.session.add(contract)
        db.session.flush()
        notice_key = None
        if publish:
            notice_key = contract_notice.publish(contract, user, now=now).notice_key
        db.session.commit()
        return {"id": contract.id, "filing_no": filing_no, "notice_key": notice_key,
                "project_code": code, "plan_id": plan_id,
                "lots": [lot.lot_code for lot in contract.lots],
                "signed": contract.signed_pdf.stored_name,
                "redacted": contract.redacted_pdf.stored_name}
