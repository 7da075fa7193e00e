"""中标结果变更备案: numbering, validation, the stamped statement.

Forms and REST call these so a filing is checked the same way wherever it
comes from; moving it along its chain is app/workflows/winner_change.py.
"""
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from . import attachments
from .audit import record
from .models import Notice, Plan, WinnerChange
from .numbering import next_value
from .rules.money import amount_error

EDITABLE_STATES = ("草稿", "已退回")

# 原中标供应商 and 原中标金额 are not typed: they come from the published
# result of the lots chosen (fill_from_result).
REQUIRED = {
    "plan": "项目信息",
    "new_supplier": "变更后供应商",
    "reason": "变更原因",
    "explanation": "变更情况说明",
}


@dataclass(frozen=True)
class Award:
    """One lot's award as the published result states it."""

    lot_code: str
    lot_name: str
    supplier: str
    amount: Decimal
    notice_key: str

    def __str__(self):
        return (f"{self.lot_code} {self.lot_name}（原中标供应商：{self.supplier}，"
                f"原中标金额：{self.amount:,.2f} 元）")


def with_published_result():
    """Plans with a published 结果公告: the only ones a change may concern."""
    return Plan.id.in_(select(Notice.plan_id).where(Notice.notice_type == "结果公告",
                                                    Notice.state == "已发布"))


def awards_in_force(plan: Plan | None) -> dict[str, Award]:
    """Per lot code, the award in force: the published 结果公告, as later
    published 结果更正公告 changed it (oldest first, so the newest wins)."""
    from . import notices

    if plan is None or plan.id is None:
        return {}
    project = notices.project_of(plan)
    if project is None:
        return {}
    found = {}
    for notice in notices.published(project.project_code, "结果公告", "结果更正公告"):
        for lot in notice.lots:
            if lot.supplier_name and lot.award_amount is not None:
                found[lot.lot_code] = Award(lot.lot_code, lot.name, lot.supplier_name,
                                            Decimal(lot.award_amount), notice.notice_key)
    return found


def split_lot_codes(value) -> list[str]:
    """涉及标段 as stored ("code、code") or as a REST client may send it."""
    if not value:
        return []
    if isinstance(value, str):
        value = re.split(r"[、,，;；\s]+", value)
    return list(dict.fromkeys(code.strip() for code in value if code and code.strip()))


def fill_from_result(item: WinnerChange) -> None:
    """原中标供应商 and 原中标金额 of the chosen lots, from the result in force;
    left empty when a lot is not in it (errors() says which)."""
    codes = split_lot_codes(item.lots)
    awards = awards_in_force(item.plan)
    chosen = [awards[code] for code in codes if code in awards]
    if not chosen or len(chosen) != len(codes):
        item.original_supplier, item.original_amount = None, None
        return
    item.lots = "、".join(codes)
    item.original_supplier = "、".join(dict.fromkeys(award.supplier for award in chosen))
    item.original_amount = sum((award.amount for award in chosen), Decimal(0))


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
            # Neither its number nor its name: the unit may not know of it.
            found["plan"] = "所选项目不存在、不属于本单位或尚未发布结果公告，请重新选择项目"
        elif plan.state != "已备案":
            found["plan"] = f"项目“{plan}”{plan.state}，只能选择已备案的项目"
        else:
            found.update(_result_errors(item))
    for field, label in (("original_amount", "原中标金额"), ("new_amount", "变更后中标金额")):
        if message := amount_error(getattr(item, field), label):
            found[field] = message
    originals = {name.strip() for name in (item.original_supplier or "").split("、")}
    if item.new_supplier and item.new_supplier.strip() in originals:
        found["new_supplier"] = "变更后供应商不能与原中标供应商相同"
    if item.reason == "其他" and len((item.explanation or "").strip()) < 10:
        found["explanation"] = "变更原因为“其他”时，请在变更情况说明中写明具体原因（不少于10个字）"
    return found


def _result_errors(item: WinnerChange) -> dict[str, str]:
    """The project has a published result, and every lot chosen is in it."""
    awards = awards_in_force(item.plan)
    if not awards:
        return {"plan": f"项目“{item.plan}”尚未发布结果公告，不能办理中标结果变更备案"}
    codes = split_lot_codes(item.lots)
    if not codes:
        return {"lots": "请选择涉及标段"}
    stray = [code for code in codes if code not in awards]
    if stray:
        return {"lots": f"标段 {'、'.join(stray)} 不在本项目已发布的结果公告中，请重新选择涉及标段"}
    if len(item.original_supplier or "") > 128:
        return {"lots": "所选标段的原中标供应商过多，请按供应商分别备案"}
    return {}


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
