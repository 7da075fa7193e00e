"""【专家管理】→【专家库】: the provincial expert library (GPS).

Who maintains it: the regulators (监管初审岗, 监管复核岗, 监管处) for their own
region and the regions below it, and Admin. 身份证号 and 手机号码 are personal
data: they leave the library's pages only masked, so every page or message
that shows an expert goes through display_id_number / display_mobile.

【导入】 reads an .xlsx file: either every row is imported or none is (one
transaction), and each refusal names its row and column.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from .extensions import db
from .models import EXPERT_STATES, Expert, ExpertRecusal, ExpertSpeciality, Region
from .rules.credit_code import credit_code_error
from .rules.personal_ids import id_number_error, mobile_error, normalise_id_number

# The permission that makes a role a maintainer (security.MAINTAIN_EXPERTS).
MAINTAIN = ("can_edit", "Expert")

# 评审专业: a small 品目-like tree; experts may hold any node, a need for a
# node matches its subtree through `path`.
SPECIALITIES = [  # code, name, parent
    ("A", "货物", None),
    ("A02", "信息技术设备", "A"),
    ("A0201", "计算机设备", "A02"),
    ("A0202", "网络设备", "A02"),
    ("A0203", "办公设备", "A02"),
    ("A03", "医疗设备", "A"),
    ("A0301", "医用电子仪器", "A03"),
    ("A0302", "医学影像设备", "A03"),
    ("A0303", "检验设备", "A03"),
    ("A04", "教学设备", "A"),
    ("A0401", "教学仪器", "A04"),
    ("A0402", "家具用具", "A04"),
    ("A05", "车辆", "A"),
    ("B", "工程", None),
    ("B01", "房屋建筑工程", "B"),
    ("B0101", "土建", "B01"),
    ("B0102", "装饰装修", "B01"),
    ("B02", "市政工程", "B"),
    ("B0201", "道路桥梁", "B02"),
    ("B0202", "给水排水", "B02"),
    ("B03", "安装工程", "B"),
    ("B0301", "电气安装", "B03"),
    ("C", "服务", None),
    ("C01", "信息技术服务", "C"),
    ("C0101", "软件开发", "C01"),
    ("C0102", "信息系统集成", "C01"),
    ("C02", "物业管理服务", "C"),
    ("C03", "法律与财务服务", "C"),
    ("C0301", "法律服务", "C03"),
    ("C0302", "审计与财务", "C03"),
]

# The import file's columns, in the template's order. The first six must be
# present; the others may be left out of a file.
HEADERS = ["姓名", "身份证号", "手机号码", "工作单位", "统一社会信用代码", "评审专业",
           "所在地区", "状态", "回避单位", "职称", "监管部门人员"]
REQUIRED_HEADERS = ["姓名", "身份证号", "手机号码", "工作单位", "评审专业", "所在地区"]
HEADER_NOTES = {
    "姓名": "必填",
    "身份证号": "必填，18位，末位可为X；请将本列设为文本格式，否则电子表格软件会把长数字改写为科学计数法",
    "手机号码": "必填，11位",
    "工作单位": "必填",
    "统一社会信用代码": "工作单位的统一社会信用代码，18位，可不填",
    "评审专业": "必填，评审专业编码（见“评审专业”表），多个用、或;分隔，如 A0201、C0101",
    "所在地区": "必填，6位行政区划代码（见“行政区划”表），如 410400",
    "状态": "正常、暂停或注销，不填为正常",
    "回避单位": "单位名称:统一社会信用代码（信用代码可省略），多个用;分隔",
    "职称": "可不填",
    "监管部门人员": "是或否，不填为否；监管部门工作人员不参加评审",
}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
LIST_SPLIT = re.compile(r"[、;；,，\s]+")
RECUSAL_SPLIT = re.compile(r"[;；\n]+")


# --- who may see and maintain ------------------------------------------------

def may_maintain(user) -> bool:
    """Whether the user maintains the library at all (a regulator role or Admin)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from .security import ADMIN

    for role in user.roles:
        if role.name == ADMIN:
            return True
        if any((pv.permission.name, pv.view_menu.name) == MAINTAIN for pv in role.permissions):
            return True
    return False


def in_region_of(expert, user) -> bool:
    """The expert is in the user's region or below it (Admin: everywhere)."""
    from .scope import is_admin

    if is_admin(user):
        return True
    org = getattr(user, "organisation", None)
    if org is None or org.org_type != "监管部门" or expert.region is None:
        return False
    return expert.region.path.startswith(org.region.path)


def may_see_personal_data(expert, user) -> bool:
    return may_maintain(user) and in_region_of(expert, user)


def mask_id_number(value) -> str:
    """4104**********1234: the region's first four digits and the last four."""
    text = str(value or "")
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_mobile(value) -> str:
    """138****5678."""
    text = str(value or "")
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def display_id_number(expert, user) -> str:
    return expert.id_number if may_see_personal_data(expert, user) \
        else mask_id_number(expert.id_number)


def display_mobile(expert, user) -> str:
    return expert.mobile if may_see_personal_data(expert, user) else mask_mobile(expert.mobile)


def speciality_names(expert) -> str:
    return "、".join(str(s) for s in expert.specialities)


def recusal_text(expert, separator="；") -> str:
    return separator.join(f"{r.unit_name}:{r.credit_code}" if r.credit_code else r.unit_name
                          for r in expert.recusals)


# --- 评审专业 seed -------------------------------------------------------------

def seed_specialities() -> int:
    """Add the tree's missing nodes (idempotent); returns how many were added.
    A node an administrator renamed keeps its name."""
    known = {code for (code,) in db.session.execute(select(ExpertSpeciality.code))}
    paths = {}
    added = 0
    for code, name, parent in SPECIALITIES:
        paths[code] = (paths[parent] if parent else "") + code + "/"
        if code in known:
            continue
        db.session.add(ExpertSpeciality(code=code, name=name, parent_code=parent,
                                        path=paths[code]))
        added += 1
    db.session.flush()
    return added


# --- import ------------------------------------------------------------------

@dataclass
class RowError:
    row: int  # the Excel row number (1: the header); 0 for the file itself
    column: str
    message: str


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_name(value) -> str:
    # "评审专业（编码）" and "评审专业(编码)" both name 评审专业.
    return re.split(r"[（(]", _cell_text(value), maxsplit=1)[0].strip()


def parse_recusals(text: str) -> tuple[list[tuple[str, str | None]], str | None]:
    """"单位A:9141…;单位B" → [(name, credit code or None)], or an error."""
    units = []
    for part in RECUSAL_SPLIT.split(text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.*?)[:：](.*)", part, re.S)
        name, code = (match.group(1), match.group(2)) if match else (part, "")
        name, code = name.strip(), code.strip().upper()
        if not name:
            return [], f"回避单位“{part[:40]}”缺少单位名称"
        if len(name) > 128:
            return [], f"回避单位名称“{name[:20]}…”超过128个字"
        if code and (message := credit_code_error(code)):
            return [], f"回避单位“{name}”的{message}"
        units.append((name, code or None))
    return units, None


def _read_rows(data: bytes):
    """(header names, [(row number, cells)]) of the first sheet, or raise ValueError."""
    from openpyxl import load_workbook

    if not data:
        raise ValueError("请选择要导入的电子表格文件（.xlsx）")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请分批导入")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zip, XML or openpyxl's own refusals alike
        raise ValueError("文件不是有效的电子表格（.xlsx），请使用【下载导入模板】填写后再导入") \
            from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ValueError("文件是空的：第1行应为表头")
        names = [_header_name(v) for v in header]
        body = []
        for number, cells in enumerate(rows, start=2):
            if not any(_cell_text(c) for c in cells):
                continue
            if len(body) >= MAX_ROWS:
                raise ValueError(f"一次最多导入{MAX_ROWS}行，请分批导入")
            body.append((number, cells))
        return names, body
    except ValueError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet inside a valid zip
        raise ValueError("文件内容无法读取，请使用【下载导入模板】填写后再导入") from None
    finally:
        book.close()


def import_experts(data: bytes, user) -> ImportResult:
    """Check every row; add them all (flushed, not committed) only if none is
    refused. The caller commits, or rolls back on errors."""
    result = ImportResult()
    try:
        names, body = _read_rows(data)
    except ValueError as refusal:
        result.errors.append(RowError(0, "文件", str(refusal)))
        return result
    missing = [h for h in REQUIRED_HEADERS if h not in names]
    if missing:
        result.errors.append(RowError(1, "表头", "缺少列：" + "、".join(missing)
                                      + "（请使用导入模板）"))
        return result
    if not body:
        result.errors.append(RowError(0, "文件", "文件中没有专家数据（第2行起）"))
        return result
    where = {name: i for i, name in reversed(list(enumerate(names))) if name in HEADERS}
    specialities = {s.code: s for s in db.session.query(ExpertSpeciality)}
    regions = {r.code: r for r in db.session.query(Region)}
    in_library = set(db.session.execute(select(Expert.id_number)).scalars())
    seen: dict[str, int] = {}
    pending = []
    for number, cells in body:
        def cell(header):
            i = where.get(header)
            return _cell_text(cells[i]) if i is not None and i < len(cells) else ""

        def refuse(header, message):
            result.errors.append(RowError(number, header, message))

        values = {h: cell(h) for h in HEADERS}
        for header, limit in (("姓名", 32), ("工作单位", 128), ("职称", 64)):
            if header in REQUIRED_HEADERS and not values[header]:
                refuse(header, f"{header}不能为空")
            elif len(values[header]) > limit:
                refuse(header, f"{header}超过{limit}个字")
        id_number = normalise_id_number(values["身份证号"])
        if message := id_number_error(id_number):
            refuse("身份证号", message)
        elif id_number in seen:
            refuse("身份证号", f"身份证号与第{seen[id_number]}行重复")
        elif id_number in in_library:
            refuse("身份证号", "该身份证号的专家已在专家库中")
        else:
            seen[id_number] = number
        if message := mobile_error(values["手机号码"]):
            refuse("手机号码", message)
        credit = values["统一社会信用代码"].upper()
        if credit and (message := credit_code_error(credit)):
            refuse("统一社会信用代码", message)
        codes = [c for c in LIST_SPLIT.split(values["评审专业"].upper()) if c]
        unknown = [c for c in codes if c not in specialities]
        if not codes:
            refuse("评审专业", "评审专业不能为空")
        elif unknown:
            refuse("评审专业", "评审专业编码不存在：" + "、".join(unknown[:5]))
        region_code = values["所在地区"].split(" ")[0]
        region = regions.get(region_code)
        if region is None:
            refuse("所在地区", f"行政区划代码“{region_code[:12]}”不存在" if region_code
                   else "所在地区不能为空")
        elif not _region_in_scope(region, user):
            refuse("所在地区", f"{region.name}不在本部门管辖范围内，不能导入该地区的专家")
        state = values["状态"] or "正常"
        if state not in EXPERT_STATES:
            refuse("状态", f"状态“{state[:10]}”无效：应为" + "、".join(EXPERT_STATES))
        regulator = values["监管部门人员"] or "否"
        if regulator not in ("是", "否"):
            refuse("监管部门人员", "监管部门人员应填“是”或“否”")
        recusals, message = parse_recusals(values["回避单位"])
        if message:
            refuse("回避单位", message)
        pending.append((values, id_number, credit, codes, region_code, state,
                        regulator == "是", recusals))
    if result.errors:
        return result
    for values, id_number, credit, codes, region_code, state, regulator, recusals in pending:
        expert = Expert(
            name=values["姓名"], id_number=id_number, mobile=values["手机号码"],
            work_unit=values["工作单位"], work_unit_credit_code=credit or None,
            region_code=region_code, state=state, is_regulator=regulator,
            title=values["职称"] or None,
            specialities=[specialities[c] for c in dict.fromkeys(codes)],
            recusals=[ExpertRecusal(unit_name=n, credit_code=c) for n, c in recusals])
        stamp(expert, user)
        db.session.add(expert)
        result.created.append(expert)
    db.session.flush()
    return result


def stamp(expert, user) -> None:
    # Set here so that the import works without FAB's request-bound default.
    if expert.created_by_fk is None:
        expert.created_by_fk = user.id
    expert.changed_by_fk = user.id


def _region_in_scope(region, user) -> bool:
    from .scope import is_admin

    if is_admin(user):
        return True
    org = getattr(user, "organisation", None)
    return org is not None and region.path.startswith(org.region.path)


# --- Excel files ---------------------------------------------------------------

def _sheet_with_header(book, title, headers, widths=None):
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = width
    return sheet


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WIDTHS = [10, 22, 14, 30, 22, 20, 10, 8, 40, 12, 12]


def template_workbook() -> bytes:
    """The 【导入】 template: the 专家 sheet (read by the import), notes, and
    the codes of 评审专业 and 行政区划."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    experts = _sheet_with_header(book, "专家", HEADERS, WIDTHS)
    for column in ("B", "C", "E", "G"):  # long numbers stay text
        for row in range(2, 1002):
            experts[f"{column}{row}"].number_format = "@"
    notes = _sheet_with_header(book, "填写说明", ["列", "说明"], [16, 80])
    for header in HEADERS:
        notes.append([header, HEADER_NOTES[header]])
    notes.append([])
    notes.append(["说明", "导入时逐行检查，任何一行有误则整个文件都不导入，并列出出错的行和列。"])
    codes = _sheet_with_header(book, "评审专业", ["编码", "名称", "上级编码"], [10, 20, 10])
    for s in db.session.query(ExpertSpeciality).order_by(ExpertSpeciality.path):
        codes.append([s.code, s.name, s.parent_code or ""])
    regions = _sheet_with_header(book, "行政区划", ["代码", "名称", "级别"], [10, 16, 8])
    for r in db.session.query(Region).order_by(Region.path):
        regions.append([r.code, r.name, r.level])
    return _save(book)


def export_workbook(experts, user) -> bytes:
    """The list as an .xlsx in the import's columns (so a maintainer's export
    can be edited and imported elsewhere); masked for anyone else."""
    from openpyxl import Workbook

    from .xlsx import append_as_text

    book = Workbook()
    book.remove(book.active)
    sheet = _sheet_with_header(book, "专家", HEADERS, WIDTHS)
    for expert in experts:
        append_as_text(sheet, [
            expert.name, display_id_number(expert, user), display_mobile(expert, user),
            expert.work_unit, expert.work_unit_credit_code or "",
            "、".join(s.code for s in expert.specialities), expert.region_code, expert.state,
            recusal_text(expert, ";"), expert.title or "", "是" if expert.is_regulator else "否"])
    return _save(book)
