"""中标结果变更备案: numbering, validation, the stamped statement.

Forms and REST call these so a filing is checked the same way wherever it
comes from; moving it along its chain is app/workflows/winner_change.py.
"""
import datetime as dt

from . import attachments
from .audit import record
from .models import WinnerChange
from .numbering import next_value
from .rules.money import amount_error

EDITABLE_STATES = ("草稿", "已退回")

REQUIRED = {
    "plan": "项目信息",
    "original_supplier": "原中标供应商",
    "new_supplier": "变更后供应商",
    "reason": "变更原因",
    "explanation": "变更情况说明",
}


def next_filing_no(region_code: str, year: int) -> str:
    """备案编号: BG<区划码>-<年度>-<5位流水号>."""
    return f"BG{region_code}-{year}-{next_value(f'winner_change:{region_code}:{year}'):05d}"


def prepare(item: WinnerChange, user) -> None:
    """Fill what the user does not type: unit, region and number."""
    from .extensions import db

    with db.session.no_autoflush:
        if item.unit is None and item.unit_id is None and user.organisation is not None:
            item.unit = user.organisation
        unit = item.unit
        if unit is not None:
            item.region_code = unit.region_code
        if not item.state:
            item.state = "草稿"
        if not item.filing_no and item.region_code:
            item.filing_no = next_filing_no(item.region_code, dt.date.today().year)


def errors(item: WinnerChange) -> dict[str, str]:
    """Every problem with the filing, by field name; empty when valid."""
    found = {f: f"请填写{label}" for f, label in REQUIRED.items()
             if getattr(item, f) in (None, "")}
    unit = item.unit
    if unit is None or unit.org_type != "采购单位":
        found["unit"] = "只有采购单位的经办岗可以填报中标结果变更备案"
    plan = item.plan
    if plan is not None:
        if unit is not None and plan.unit_id != unit.id:
            found["plan"] = f"项目“{plan}”不属于本单位"
        elif plan.state != "已备案":
            found["plan"] = f"项目“{plan}”{plan.state}，只能选择已备案的项目"
    for field, label in (("original_amount", "原中标金额"), ("new_amount", "变更后中标金额")):
        if message := amount_error(getattr(item, field), label):
            found[field] = message
    if (item.original_supplier and item.new_supplier
            and item.original_supplier.strip() == item.new_supplier.strip()):
        found["new_supplier"] = "变更后供应商不能与原中标供应商相同"
    if item.reason == "其他" and len((item.explanation or "").strip()) < 10:
        found["explanation"] = "变更原因为“其他”时，请在变更情况说明中写明具体原因（不少于10个字）"
    return found


def edit_refusal(item: WinnerChange) -> str | None:
    if item.state not in EDITABLE_STATES:
        return f"备案“{item.filing_no}”{item.state}，只有草稿或已退回的备案可以修改"
    return None


def delete_refusal(item: WinnerChange) -> str | None:
    if item.state != "草稿":
        return f"备案“{item.filing_no}”{item.state}，只有未提交过的草稿可以删除"
    return None


def attach_statement(item: WinnerChange, filename: str, data: bytes, user) -> str | None:
    """Check and store the stamped statement PDF; returns an error or None."""
    if refusal := edit_refusal(item):
        return refusal
    if message := attachments.pdf_error(filename, data):
        return message
    item.statement = attachments.store_pdf(filename, data, user)
    record(user, "上传情况说明材料", item, filename)
    return None
