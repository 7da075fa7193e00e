"""合同公告及备案 (GPS manual §4): which projects and lots a unit may file a
contract for, what the form starts with, saving, the rules at 提交 and 通过.

Forms and REST call these; moving a contract along its chain is
app/workflows/contract.py, the rules themselves app/rules/contracts.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import contains_eager

from . import attachments, holidays
from .audit import record
from .extensions import db
from .models import Contract, ContractLot, Notice, Plan, ProjectReplica, WinnerChange
from .numbering import next_value
from .public.sanitise import text_as_html
from .rules import contracts as rules
from .rules.credit_code import credit_code_error
from .rules.money import amount_error
from .rules.text import has_control, trimmed
from .scope import is_admin, plan_clause
from .winner_changes import split_lot_codes

EDITABLE_STATES = ("草稿", "已退回")
# Contracts that hold their lots' awards: submitted or filed. A draft may
# never be submitted, and a 补充合同 adds to its original, not to the lot.
COUNTING_STATES = ("待单位审核", "已备案")
RESULT_TYPES = ("结果公告", "结果更正公告")

TEXT_FIELDS = {  # name: (label, max length, required)
    "contract_no": ("合同编号", 64, True),
    "contract_name": ("合同名称", 200, True),
    "purchaser_name": ("采购人（甲方）", 128, True),
    "purchaser_address": ("采购人地址", 200, False),
    "purchaser_phone": ("采购人联系方式", 64, False),
    "supplier_name": ("供应商（乙方）", 128, True),
    "supplier_address": ("供应商地址", 200, False),
    "supplier_phone": ("供应商联系方式", 64, False),
    "supplier_credit_code": ("供应商统一社会信用代码", 18, False),
    "main_items": ("主要标的名称", 500, True),
    "spec": ("规格型号或服务要求", 2000, False),
    "quantity": ("数量", 64, False),
    "amount_note": ("金额差异说明", 500, False),
    "performance_period": ("履约期限", 128, False),
    "performance_place": ("履约地点", 200, False),
    "late_reason": ("逾期原因", 500, False),
    "other_html": ("其他补充事宜", 5000, False),
}
DATE_FIELDS = {"signed_on": ("合同签订日期", True), "award_notice_on": ("中标（成交）通知书日期", False),
               "announce_on": ("公告日期", False)}


class Invalid(Exception):
    """What is wrong with a save, by field; nothing was written."""

    def __init__(self, errors: dict):
        super().__init__("；".join(errors.values()))
        self.errors = errors


# --- what may be filed -----------------------------------------------------

def _published_results():
    return select(Notice.project_code).where(Notice.notice_type == "结果公告",
                                             Notice.state == "已发布")


def projects_for(user, search: str = ""):
    """选择项目: the user's own unit's projects with a published 结果公告."""
    # Each row shows its plan's 采购方式: the plan joined already, read with it.
    query = (db.session.query(ProjectReplica).join(Plan, ProjectReplica.plan_id == Plan.id)
             .options(contains_eager(ProjectReplica.plan)))
    org = getattr(user, "organisation", None)
    if org is None or org.org_type != "采购单位":
        return query.filter(false())
    query = query.filter(plan_clause(user), Plan.unit_id == org.id,
                         ProjectReplica.project_code.in_(_published_results()))
    if search:
        pattern = f"%{search}%"
        query = query.filter(or_(ProjectReplica.project_code.like(pattern),
                                 ProjectReplica.project_name.like(pattern)))
    return query.order_by(ProjectReplica.received_at.desc(), ProjectReplica.project_code)


def project_for(user, project_code) -> ProjectReplica | None:
    if not project_code:
        return None
    return projects_for(user).filter(ProjectReplica.project_code == str(project_code)[:32]) \
        .one_or_none()


def _results(project_code: str) -> list[Notice]:
    return (db.session.query(Notice)
            .filter(Notice.project_code == project_code, Notice.state == "已发布",
                    Notice.notice_type.in_(RESULT_TYPES))
            .order_by(Notice.published_at, Notice.id).all())


def latest_result(project_code: str) -> Notice | None:
    """The newest published 结果公告 or 结果更正公告 of the project."""
    found = _results(project_code)
    return found[-1] if found else None


def awards(project_code: str) -> dict:
    """Per lot code, the NoticeLot of the award in force: a 结果更正公告
    published after the 结果公告 supersedes it for the lots it covers."""
    found = {}
    for notice in _results(project_code):
        for lot in notice.lots:
            if lot.supplier_name and lot.award_amount is not None:
                found[lot.lot_code] = lot
    return found


def contracted(project_code: str, exclude_contract=None) -> dict[str, Decimal]:
    """Per lot code, the amount already taken by submitted or filed contracts."""
    query = (db.session.query(ContractLot.lot_code, func.sum(ContractLot.amount))
             .join(Contract, ContractLot.contract_id == Contract.id)
             .filter(Contract.project_code == project_code,
                     Contract.state.in_(COUNTING_STATES), Contract.original_id.is_(None)))
    if exclude_contract is not None and exclude_contract.id is not None:
        query = query.filter(Contract.id != exclude_contract.id)
    return {code: Decimal(total) for code, total in query.group_by(ContractLot.lot_code)}


def relatable_lots(project_code: str, exclude_contract=None) -> list[dict]:
    """关联标段 offered: the awarded lots not yet fully contracted."""
    taken = contracted(project_code, exclude_contract)
    rows = []
    for code, lot in awards(project_code).items():
        award = Decimal(lot.award_amount)
        already = taken.get(code, Decimal(0))
        if already >= award:
            continue
        rows.append(dict(code=code, name=lot.name, supplier_name=lot.supplier_name,
                         supplier_address=lot.supplier_address,
                         supplier_credit_code=lot.supplier_credit_code,
                         award_amount=award, contracted=already, remaining=award - already,
                         main_items=lot.main_items))
    return rows


# A 中标结果变更备案 on its way: its lots' winner is about to change.
CHANGING_STATES = ("待单位审核", "待监管初审", "待监管复核")


def changing_lots(project_code: str) -> dict[str, str]:
    """Per lot code of the project, the 中标结果变更备案 in progress for it
    ("BG…，待监管初审"). A contract with the winner being replaced would
    be published, and once filed would leave no room for the new winner's."""
    rows = (db.session.query(WinnerChange.filing_no, WinnerChange.state, WinnerChange.lots)
            .filter(WinnerChange.state.in_(CHANGING_STATES),
                    WinnerChange.lots.contains(project_code)))
    return {code: f"{filing_no}，{state}" for filing_no, state, lots in rows
            for code in split_lot_codes(lots) if code.startswith(project_code)}


def changing_problem(project_code: str, codes) -> str | None:
    changing = changing_lots(project_code)
    found = [f"{code}（{changing[code]}）" for code in codes if code in changing]
    if found:
        return (f"标段 {'、'.join(found)}有正在办理的中标结果变更备案，"
                "请在变更备案完成、发布结果更正公告后再填报合同")
    return None


def originals(project_code: str) -> list[Contract]:
    """补充合同 of: the project's filed contracts (not supplements themselves)."""
    return (db.session.query(Contract)
            .filter(Contract.project_code == project_code, Contract.state == "已备案",
                    Contract.original_id.is_(None))
            .order_by(Contract.id).all())


def _contact_line(org) -> str | None:
    return " ".join(filter(None, (org.contact, org.phone))) or None


def prefill(plan: Plan, project: ProjectReplica, lots: list[dict]) -> dict:
    """The form's first values: 采购人 from the unit, 供应商 from the award
    (when every lot went to one supplier), 采购方式 from the plan."""
    unit = plan.unit
    values = {"contract_name": project.project_name, "purchaser_name": unit.name,
              "purchaser_address": unit.address, "purchaser_phone": _contact_line(unit),
              "procurement_method": plan.procurement_method}
    suppliers = {lot["supplier_name"] for lot in lots}
    if len(suppliers) == 1:
        first = lots[0]
        values.update(supplier_name=first["supplier_name"],
                      supplier_address=first["supplier_address"],
                      supplier_credit_code=first["supplier_credit_code"],
                      main_items="、".join(filter(None, (lot["main_items"] for lot in lots))))
    return {k: v for k, v in values.items() if v}


# --- saving ----------------------------------------------------------------

def edit_refusal(contract: Contract) -> str | None:
    if contract.id is not None and contract.state not in EDITABLE_STATES:
        return f"合同“{contract.filing_no}”{contract.state}，只有草稿或已退回的合同可以修改"
    return None


def delete_refusal(contract: Contract) -> str | None:
    if contract.state != "草稿":
        return f"合同“{contract.filing_no}”{contract.state}，只有未提交过的草稿可以删除"
    return None


def _decimal(value, label, errors, field, required=True):
    if value in (None, "") and not required:
        return None
    if message := amount_error(value, label):
        errors[field] = message
        return None
    return Decimal(str(value))


def _date(value, label, errors, field, required):
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        if required:
            errors[field] = f"请填写{label}"
        return None
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = f"{label}“{value}”不是有效日期，请按 年-月-日 填写"
        return None
    if not 2000 <= day.year <= 2099:
        errors[field] = f"{label} {day} 超出可填写的范围（2000年至2099年）"
        return None
    return day


def _date_problems(clean: dict, today: dt.date, result: Notice | None,
                   original: Contract | None, errors: dict) -> None:
    """The dates against today, each other and the result they follow. The
    中标（成交）通知书 goes out with the result's announcement (87号令第六十九条),
    so it cannot be later than the result in force: a later date typed there
    would move the 30-day signing clock."""
    signed, award_day, announce = (clean["signed_on"], clean["award_notice_on"],
                                   clean["announce_on"])
    published = result.published_at.date() if result is not None and result.published_at \
        else None
    if signed and signed > today:
        errors["signed_on"] = f"合同签订日期 {signed} 晚于今天（{today}），请填写实际签订日期"
    if award_day and award_day > today:
        errors["award_notice_on"] = f"中标（成交）通知书日期 {award_day} 晚于今天（{today}）"
    elif award_day and original is None and published and award_day > published:
        errors["award_notice_on"] = (
            f"中标（成交）通知书日期 {award_day} 晚于结果公告发布日期 {published}；中标（成交）"
            "通知书应在公告中标（成交）结果的同时发出（87号令第六十九条），请核对")
    start = award_day or (published if original is None else None)
    if "signed_on" not in errors and signed and start and signed < start:
        what = "中标（成交）通知书日期" if award_day else "结果公告发布日期"
        errors["signed_on"] = (f"合同签订日期 {signed} 早于{what} {start}，"
                               "合同应在发出中标（成交）通知书后签订，请核对")
    if original is not None and signed and signed < original.signed_on:
        errors["signed_on"] = (f"补充合同签订日期 {signed} 早于原合同签订日期 "
                               f"{original.signed_on}，请核对")
    if announce and signed and announce < signed:
        errors["announce_on"] = "公告日期不能早于合同签订日期"
    elif announce and announce > today + dt.timedelta(days=30):
        errors["announce_on"] = (f"公告日期 {announce} 过远；合同公告在审核通过时发布，"
                                 "请填写计划公告的日期或留空")


def award_on(contract: Contract) -> dt.date | None:
    """The 中标（成交）通知书 date; the result's publication stands for it."""
    if contract.award_notice_on:
        return contract.award_notice_on
    notice = contract.result_notice
    return notice.published_at.date() if notice is not None and notice.published_at else None


def save(contract: Contract, values: dict, lot_parts: dict, user, today: dt.date | None = None,
         uploads: dict | None = None) -> Contract:
    """Check and write a new or edited contract (not committed). `values`:
    the typed fields and `project_code`, `original_id` (补充合同); `lot_parts`:
    关联标段 code → 本合同金额; `uploads`: "signed"/"redacted" → (name, bytes).
    Raises Invalid with every problem; nothing is changed then."""
    today = today or dt.date.today()
    if refusal := edit_refusal(contract):
        raise Invalid({"state": refusal})
    org = getattr(user, "organisation", None)
    if org is None or org.org_type != "采购单位":
        raise Invalid({"unit": "只有采购单位的经办岗可以填报合同公告及备案"})
    errors = {}
    project = (contract.project if contract.id is not None
               else project_for(user, values.get("project_code")))
    if project is None:
        raise Invalid({"project_code": "所选项目不存在、不属于本单位或尚未发布结果公告，请重新选择项目"})
    clean = {}
    for name, (label, limit, required) in TEXT_FIELDS.items():
        value = values.get(name)
        # Zero-width spaces too: "\u200b" alone was saved as a 合同编号.
        value = trimmed(value) if isinstance(value, str) else value
        if required and not value:
            errors[name] = f"请填写{label}"
        # Invisible on the form, but published as they are (a reversed name
        # on the public notice).
        elif value and has_control(value):
            errors[name] = (f"{label}含有不可见的控制字符（如从其他软件粘贴带入），"
                            "会原样出现在公开的合同公告中，请删除后重新填写")
        elif value and len(value) > limit:
            errors[name] = f"{label}不能超过{limit}个字（现有{len(value)}个字）"
        if name == "other_html" and value:
            value = text_as_html(value)  # typed in a textarea: text, not markup
        clean[name] = value or None
    code = clean.get("supplier_credit_code")
    if code and "supplier_credit_code" not in errors and (wrong := credit_code_error(code)):
        # Published on the 合同公告: its check character is checked as 回避单位's is.
        errors["supplier_credit_code"] = f"供应商{wrong}"
    for name, (label, required) in DATE_FIELDS.items():
        clean[name] = _date(values.get(name), label, errors, name, required)
    clean["amount"] = _decimal(values.get("amount"), "合同金额", errors, "amount")
    clean["unit_price"] = _decimal(values.get("unit_price"), "单价", errors, "unit_price",
                                   required=False)
    original = None
    original_id = values.get("original_id")
    if original_id not in (None, ""):
        original = next((c for c in originals(project.project_code)
                         if str(c.id) == str(original_id)), None)
        if original is None:
            errors["original_id"] = "补充合同只能对应本项目已备案的原合同，请重新选择"
    _date_problems(clean, today, contract.result_notice or latest_result(project.project_code),
                   original, errors)
    parts = []
    if original is None and "original_id" not in errors:
        parts = _lot_parts(project.project_code, contract, lot_parts, errors)
    if errors:
        raise Invalid(errors)

    checked = {}
    for role, label in (("signed", "合同原件"), ("redacted", "合同文本（公开版）")):
        name, data = (uploads or {}).get(role) or ("", b"")
        if name:
            if message := attachments.pdf_error(name, data, label):
                checked[role] = None
                errors[f"{role}_file"] = f"{label}：{message}"
            else:
                checked[role] = (name, data)
    if original is not None:
        problem = rules.supplement_problem(original.amount, _supplements_total(original, contract),
                                           clean["amount"])
        if problem:
            errors["amount"] = problem
    else:
        found = rules.amount_problems(clean["amount"], [(c, a, al, p) for c, a, al, p, _ in parts],
                                      clean["amount_note"])
        for n, message in enumerate(found):
            errors["amount" if n == 0 else f"amount-{n}"] = message
    if errors:
        raise Invalid(errors)

    new = contract.id is None
    if new:
        plan = project.plan
        contract.project_code, contract.plan, contract.unit_id = \
            project.project_code, plan, plan.unit_id
        contract.region_code, contract.state = plan.region_code, "草稿"
        contract.filing_no = next_filing_no(plan.region_code, today.year)
    contract.procurement_method = contract.plan.procurement_method
    contract.original = original
    contract.result_notice = (original.result_notice if original is not None
                              else latest_result(project.project_code))
    for name, value in clean.items():
        setattr(contract, name, value)
    # Rows kept by lot code: the unit of work inserts before it deletes, so
    # replacing a lot's row with a new one would collide on (contract, lot).
    existing = {lot.lot_code: lot for lot in contract.lots}
    kept = []
    for seq, (c, a, _al, p, lot) in enumerate(parts, 1):
        row = existing.get(c) or ContractLot(lot_code=c)
        row.seq, row.lot_name, row.supplier_name = seq, lot["name"], lot["supplier_name"]
        row.award_amount, row.amount = a, p
        kept.append(row)
    contract.lots = kept
    for role, label in (("signed", "上传合同原件"), ("redacted", "上传合同文本（公开版）")):
        if checked.get(role):
            name, data = checked[role]
            setattr(contract, f"{role}_pdf", attachments.store_pdf(name, data, user))
            record(user, label, contract, name)
    db.session.add(contract)
    record(user, "新增" if new else "修改", contract,
           f"逾期原因：{contract.late_reason}" if contract.late_reason else "")
    return contract


def _lot_parts(project_code, contract, lot_parts, errors) -> list:
    """(code, award, already, part, lot) for each ticked 关联标段."""
    offered = {lot["code"]: lot for lot in relatable_lots(project_code, contract)}
    chosen = list(dict.fromkeys(code for code in (lot_parts or {}) if code))
    if not chosen:
        errors["lots"] = "请勾选关联标段"
        return []
    if problem := changing_problem(project_code, chosen):
        errors["lots"] = problem
        return []
    stray = [code for code in chosen if code not in offered]
    if stray:
        errors["lots"] = (f"标段 {'、'.join(stray)} 不在本项目已发布的结果公告中或已全部签订合同，"
                          "请重新勾选关联标段")
        return []
    parts = []
    for code in chosen:
        raw = lot_parts[code]
        if message := amount_error(raw, f"标段 {code} 的本合同金额"):
            errors[f"part-{code}"] = message
            continue
        lot = offered[code]
        parts.append((code, lot["award_amount"], lot["contracted"], Decimal(str(raw)), lot))
    return parts


def _supplements_total(original: Contract, contract: Contract) -> Decimal:
    query = db.session.query(func.coalesce(func.sum(Contract.amount), 0)).filter(
        Contract.original_id == original.id, Contract.state.in_(COUNTING_STATES))
    if contract.id is not None:
        query = query.filter(Contract.id != contract.id)
    return Decimal(query.scalar())


def next_filing_no(region_code: str, year: int) -> str:
    """备案编号: HT<区划码>-<年度>-<5位流水号>."""
    return f"HT{region_code}-{year}-{next_value(f'contract:{region_code}:{year}'):05d}"


# --- the rules at 提交 and 通过 -----------------------------------------------

def clocks(contract: Contract, today: dt.date, cal=None) -> list[rules.Clock]:
    """The clocks as they stand if the contract is announced and filed today
    (or on the planned 公告日期 when it is later)."""
    if contract.signed_on is None:
        return []
    cal = cal or holidays.current()
    announce = max(filter(None, (contract.announce_on, today)))
    return rules.clock_checks(cal, None if contract.is_supplement else award_on(contract),
                              contract.signed_on, announce, today)


def problems(contract: Contract, today: dt.date) -> list[str]:
    """Everything that stops 提交 or 通过, in the user's words."""
    found = []
    if contract.signed_pdf_id is None:
        found.append("请先上传合同原件（PDF）")
    if contract.redacted_pdf_id is None:
        found.append("请先上传合同文本（公开版，PDF，已删除国家秘密和商业秘密内容）")
    if contract.is_supplement:
        original = contract.original
        if original is None or original.state != "已备案":
            found.append("补充合同对应的原合同尚未备案")
        elif problem := rules.supplement_problem(
                original.amount, _supplements_total(original, contract), contract.amount):
            found.append(problem)
    elif not contract.lots:
        found.append("请勾选关联标段")
    elif problem := changing_problem(contract.project_code,
                                     [lot.lot_code for lot in contract.lots]):
        found.append(problem)  # a change submitted since the contract was saved
    else:
        found.extend(_lots_still_free(contract))
    if problem := rules.late_problem(clocks(contract, today), contract.late_reason):
        found.append(problem)
    return found


def _lots_still_free(contract: Contract) -> list[str]:
    """Another contract may have taken the lot since this one was saved; the
    award may have been corrected."""
    current = awards(contract.project_code)
    taken = contracted(contract.project_code, contract)
    rows = []
    for lot in contract.lots:
        award = current.get(lot.lot_code)
        if award is None:
            return [f"标段 {lot.lot_code} 已不在本项目已发布的结果公告中，请修改关联标段"]
        rows.append((lot.lot_code, award.award_amount, taken.get(lot.lot_code, Decimal(0)),
                     lot.amount))
    return rules.amount_problems(contract.amount, rows, contract.amount_note)


def late_detail(contract: Contract, today: dt.date) -> str:
    """For the audit row: which clocks were missed and why."""
    late = [str(c) for c in clocks(contract, today) if c.late]
    if not late:
        return ""
    return "；".join(late) + f"；逾期原因：{contract.late_reason}"


# --- who may have the signed original -----------------------------------------

def may_see_signed(contract: Contract, user) -> bool:
    """The unit's own staff and the regulators of its region and above."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user):
        return True
    org = user.organisation
    if org is None:
        return False
    if org.org_type == "采购单位":
        return contract.unit_id == org.id
    if org.org_type == "监管部门":
        return contract.state == "已备案" and contract.region.path.startswith(org.region.path)
    return False



# --- moving it along its chain (app/workflows/contract.py) ----------------------
# Each commits with its approval record, or raises workflows.engine.Refused
# with the reason and changes nothing.

def submit(contract: Contract, user) -> None:
    from .workflows.contract import ContractChain
    from .workflows.engine import take

    take(ContractChain, contract, "submit", user)


def approve(contract: Contract, user, opinion: str = "", seen_version=None) -> None:
    """通过: 已备案, and the 合同公告 published in the same transaction."""
    from .workflows.contract import ContractChain
    from .workflows.engine import take

    take(ContractChain, contract, "approve", user, opinion=opinion, seen_version=seen_version)


def reject(contract: Contract, user, opinion: str, seen_version=None) -> None:
    """退回 (an opinion is required)."""
    from .workflows.contract import ContractChain
    from .workflows.engine import take

    take(ContractChain, contract, "reject", user, opinion=opinion, seen_version=seen_version)


# --- 【合同备案查询】【导出】 ------------------------------------------------------------

EXPORT_HEADERS = ["备案编号", "采购单位", "合同编号", "合同名称", "项目编号", "供应商（乙方）",
                  "合同金额（元）", "合同签订日期", "备案时间", "补充合同（原合同备案编号）", "逾期原因"]
EXPORT_WIDTHS = [20, 24, 18, 30, 24, 24, 16, 14, 18, 22, 40]


def export_workbook(items) -> bytes:
    """The filed contracts as listed, as .xlsx. Amounts are numbers (the
    regulator adds them up); text is text, never a formula: a contract name
    typed as “=…” must not run in the reader's spreadsheet."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .xlsx import append_as_text

    book = Workbook()
    sheet = book.active
    sheet.title = "合同备案"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(EXPORT_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = width
    for item in items:
        append_as_text(sheet, [
            item.filing_no, item.unit_name, item.contract_no, item.contract_name,
            item.project_code, item.supplier_name, float(item.amount),
            item.signed_on.isoformat() if item.signed_on else "",
            item.filed_at.strftime("%Y-%m-%d %H:%M") if item.filed_at else "",
            item.original.filing_no if item.original is not None else "",
            item.late_reason or ""])
        sheet.cell(sheet.max_row, 7).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
