"""【系统管理】→【节假日维护】: the working-day calendar as each site's data.

The State Council publishes each year's arrangement (国务院办公厅关于XXXX年
部分节假日安排的通知) in October–December, and no package carries it in
time; so the calendar lives in the database (HolidayYear, HolidayDay) and
administrators enter a year the day its notice is out. The years
`chinese-calendar` knows were seeded by the migration (app/rules/
calendar_seed.py). A year not entered is 暂定 and judged by the law's own
holidays (app/rules/workdays.py).

- `current()`: the Calendar every working-day rule reads, cached per
  process and rebuilt when the tables change (in any process).
- `save_holiday`, `delete_holiday`, `save_year`, `import_year`: the
  administrator's changes, each validated first (nothing saved on a refusal),
  audited, and followed by the re-check of 暂定 verdicts (`RECHECKS`).
- `parse_file`: the import format (JSON or CSV, docs/operations.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import func

from .audit import record
from .extensions import db
from .models import HolidayDay, HolidayYear
from .rules import statutory_holidays, workdays
from .rules.text import unencodable
from .rules.workdays import OFFICIAL, PROVISIONAL, Calendar

MAX_NAME = 32
MAX_RANGE_DAYS = 31
MAX_FILE_BYTES = 256 * 1024
WEEKDAYS = "一二三四五六日"
URL_RE = re.compile(r"^https?://[^\s<>\"']{1,490}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Refusal(ValueError):
    """Bad input: `errors` maps a field (or "file") to its Chinese message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("；".join(errors.values()))


# --- the calendar the rules read ------------------------------------------------

def _stamp():
    days = db.session.query(func.count(HolidayDay.id), func.max(HolidayDay.entered_at)).one()
    years = db.session.query(func.count(HolidayYear.year),
                             func.max(HolidayYear.updated_at)).one()
    return (*days, *years)


def current() -> Calendar:
    """The site's calendar: one small query per request (or app context)
    checks whether another process changed it."""
    if "holiday_calendar" in g:
        return g.holiday_calendar
    stamp = _stamp()
    cached = current_app.extensions.get("holiday_calendar")
    if not cached or cached[0] != stamp:
        cached = (stamp, _build())
        current_app.extensions["holiday_calendar"] = cached
    g.holiday_calendar = cached[1]
    return cached[1]


def _build() -> Calendar:
    rows = db.session.query(HolidayDay.day, HolidayDay.kind).all()
    official = {y for (y,) in db.session.query(HolidayYear.year).filter_by(state=OFFICIAL)}
    return Calendar(days_off=frozenset(d for d, kind in rows if kind == "休"),
                    days_worked=frozenset(d for d, kind in rows if kind == "班"),
                    official_years=frozenset(official))


def year_state(year: int) -> str:
    row = db.session.get(HolidayYear, year)
    return row.state if row is not None else PROVISIONAL


def next_year_state(today: dt.date) -> dict:
    """For /health and the admins' banner."""
    return {"year": today.year + 1, "next_year": year_state(today.year + 1)}


def banner(today: dt.date) -> str | None:
    """From 1 November, while next year is 暂定: what admins are told."""
    year = today.year + 1
    if today.month < 11 or year_state(year) == OFFICIAL:
        return None
    from flask_babel import gettext

    if db.session.query(HolidayDay.id).filter_by(year=year).first() is None:
        return gettext("%(year)s 年节假日安排尚未录入，相关期限按法定节假日暂定计算。"
                       "国务院办公厅公布通知后，请在【系统管理】→【节假日维护】中录入。", year=year)
    return gettext("%(year)s 年节假日已部分录入但尚未设为正式，相关期限仍注明暂定。"
                   "录入完毕后，请在【系统管理】→【节假日维护】中填写文号并设为正式。", year=year)


# --- what a year holds --------------------------------------------------------------

@dataclass
class Holiday:
    """A named holiday of a year: its days off and its 调休 working days."""

    name: str
    days_off: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)

    @property
    def start(self):
        return min(self.days_off, default=None)

    @property
    def end(self):
        return max(self.days_off, default=None)


def holidays_of(year: int) -> list[Holiday]:
    """The entered holidays of `year`, in date order."""
    found: dict[str, Holiday] = {}
    for row in (db.session.query(HolidayDay).filter_by(year=year)
                .order_by(HolidayDay.day)):
        holiday = found.setdefault(row.name, Holiday(row.name))
        (holiday.days_off if row.kind == "休" else holiday.workdays).append(row.day)
    return sorted(found.values(), key=lambda h: h.start or h.workdays[0])


def weekday_name(day: dt.date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


def _unprintable(text: str) -> bool:
    """Control and format characters (NUL, zero-width …): PostgreSQL refuses
    NUL, and a name no one can see cannot be told apart."""
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def _short(text: str, size: int = 20) -> str:
    """An input quoted back in a message, cut so a huge one stays readable."""
    text = str(text)
    return text if len(text) <= size else text[:size] + "…"


# --- validation (nothing saved until all of it holds) -------------------------------------

def _check_holiday(year: int, name, start, end, worked, taken: dict[dt.date, str]):
    """Errors by field for one holiday, and its (days off, days worked)."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写节日名称"
    elif len(name) > MAX_NAME:
        errors["name"] = f"节日名称不能超过 {MAX_NAME} 个字"
    elif _unprintable(name):
        errors["name"] = "节日名称不能包含控制字符或不可见字符"
    if start is None:
        errors["start"] = "请填写放假开始日期"
    if end is None:
        errors["end"] = "请填写放假结束日期"
    off, on = [], []
    if start and end:
        if end < start:
            errors["end"] = "放假结束日期不能早于开始日期"
        elif start.year != year or end.year != year:
            errors["end" if start.year == year else "start"] = (
                f"放假日期须在 {year} 年内（跨年的部分请录入到所在年份）")
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = f"一次放假不能超过 {MAX_RANGE_DAYS} 天"
        else:
            span = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
            off = [day for day in span if day.weekday() < 5]
            if not off:
                errors["end"] = "所选日期均为星期六、星期日，本来就休息，无需录入为休"
            clash = [f"{day}（{taken[day]}）" for day in off if day in taken]
            if clash:
                errors["start"] = "以下日期已属于其他节日：" + "、".join(clash)
    seen = set()
    for day in worked or []:
        if day in seen:
            errors["workdays"] = f"调休上班日 {day} 重复"
            break
        seen.add(day)
        if day.year != year:
            errors["workdays"] = f"调休上班日 {day} 不在 {year} 年内"
        elif day.weekday() < 5:
            errors["workdays"] = (f"调休上班日 {day} 是{weekday_name(day)}，"
                                  "调休上班日必须是星期六或星期日")
        elif start and end and start <= day <= end:
            errors["workdays"] = f"调休上班日 {day} 在放假期间内"
        elif day in taken:
            errors["workdays"] = f"调休上班日 {day} 已属于“{taken[day]}”"
        else:
            on.append(day)
            continue
        break
    return errors, (off, on)


def holiday_errors(year: int, name, start, end, worked, replacing=None) -> dict[str, str]:
    """Every reason the holiday would be refused (for a form that shows them
    all at once, even while some of its dates could not be read)."""
    errors, _days = _check_holiday(year, name, start, end, worked, _taken(year, replacing))
    return errors


def _taken(year: int, except_name: str | None) -> dict[dt.date, str]:
    query = db.session.query(HolidayDay.day, HolidayDay.name).filter_by(year=year)
    if except_name is not None:
        query = query.filter(HolidayDay.name != except_name)
    return dict(query.all())


def _year_row(year: int, user) -> HolidayYear:
    row = db.session.get(HolidayYear, year)
    if row is None:
        row = HolidayYear(year=year, state=PROVISIONAL, source="录入")
        db.session.add(row)
    row.updated_by_id = getattr(user, "id", None)
    row.updated_at = dt.datetime.now()
    return row


def _check_year(year) -> None:
    if not isinstance(year, int) or not workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR:
        raise Refusal({"year": f"年份须在 {workdays.FIRST_YEAR}–{workdays.LAST_YEAR} 之间"})


def _put_days(year: int, name: str, off, on, user) -> None:
    now = dt.datetime.now()
    for day in off:
        db.session.add(HolidayDay(day=day, year=year, kind="休", name=name,
                                  entered_by_id=getattr(user, "id", None), entered_at=now))
    for day in on:
        db.session.add(HolidayDay(day=day, year=year, kind="班", name=name,
                                  entered_by_id=getattr(user, "id", None), entered_at=now))


# --- the administrator's changes ---------------------------------------------------

def save_holiday(year: int, name, start, end, worked, user, replacing: str | None = None):
    """Add a holiday (replacing=None) or replace the one named `replacing`."""
    _check_year(year)
    # Text PostgreSQL cannot even compare (NUL) is refused before any query.
    if replacing is not None and (len(replacing) > MAX_NAME or _unprintable(replacing)):
        raise Refusal({"name": f"{year} 年没有名为“{_short(replacing)}”的节日"})
    if name and (len(name.strip()) > MAX_NAME or _unprintable(name)):
        errors, _days = _check_holiday(year, name, start, end, worked, {})
        raise Refusal(errors)
    if replacing is not None and not _exists(year, replacing):
        raise Refusal({"name": f"{year} 年没有名为“{replacing}”的节日"})
    name = (name or "").strip()
    if replacing is None and name and _exists(year, name):
        raise Refusal({"name": f"{year} 年已有“{name}”，请修改该节日"})
    if replacing is not None and name != replacing and name and _exists(year, name):
        raise Refusal({"name": f"{year} 年已有“{name}”"})
    errors, (off, on) = _check_holiday(year, name, start, end, worked,
                                       _taken(year, replacing))
    if errors:
        raise Refusal(errors)
    if year_state(year) == OFFICIAL and (gap := official_gap(
            year, _days_off(year, replacing) | set(off))):
        raise Refusal({"start": _gap_message(year, gap, "这样修改")})
    if replacing is not None:
        db.session.query(HolidayDay).filter_by(year=year, name=replacing).delete()
    row = _year_row(year, user)
    db.session.flush()
    _put_days(year, name, off, on, user)
    worked_text = "、".join(str(d) for d in on) or "无"
    record(user, "修改节假日" if replacing else "增加节假日", row,
           f"{year} 年{name}：{start} 至 {end} 放假，调休上班 {worked_text}"
           + (f"（原“{replacing}”）" if replacing and replacing != name else ""))
    _after_change(year)


def delete_holiday(year: int, name: str, user) -> None:
    _check_year(year)
    if not name or len(name) > MAX_NAME or _unprintable(name) or not _exists(year, name):
        raise Refusal({"name": f"{year} 年没有名为“{_short(name)}”的节日"})
    if year_state(year) == OFFICIAL:
        left = _days_off(year, name)
        if not left:
            raise Refusal({"name": f"{year} 年为正式，不能删除最后一个节日；"
                                   "如需重新录入，请先将该年设为暂定"})
        if gap := official_gap(year, left):
            raise Refusal({"name": _gap_message(year, gap, f"删除“{name}”")})
    db.session.query(HolidayDay).filter_by(year=year, name=name).delete()
    row = _year_row(year, user)
    record(user, "删除节假日", row, f"{year} 年：{name}")
    _after_change(year)


def _exists(year: int, name: str) -> bool:
    return db.session.query(HolidayDay.id).filter_by(year=year, name=name).first() is not None


def check_year_info(year: int, state, notice_no, notice_date, notice_url,
                    days_off) -> dict[str, str]:
    """`days_off`: the year's entered 休 days (weekdays)."""
    errors = {}
    notice_no = (notice_no or "").strip()
    notice_url = (notice_url or "").strip()
    if state not in (OFFICIAL, PROVISIONAL):
        errors["state"] = "状态只能是正式或暂定"
    if len(notice_no) > 64:
        errors["notice_no"] = "文号不能超过 64 个字"
    elif _unprintable(notice_no):
        errors["notice_no"] = "文号不能包含控制字符或不可见字符"
    if notice_url and (not URL_RE.match(notice_url) or _unprintable(notice_url)):
        errors["notice_url"] = "通知链接须以 http:// 或 https:// 开头，且不超过 500 个字符"
    if notice_date is not None and not (dt.date(year - 2, 1, 1) <= notice_date
                                        <= dt.date(year, 12, 31)):
        errors["notice_date"] = f"通知日期应在 {year - 2}–{year} 年之间"
    if state == OFFICIAL:
        if not notice_no:
            errors.setdefault("notice_no", "设为正式前请填写国务院办公厅通知的文号")
        if not days_off:
            errors.setdefault("state", f"{year} 年尚未录入任何节假日，不能设为正式")
        elif gap := official_gap(year, days_off):
            errors.setdefault("state", _gap_message(year, gap))
    return errors


def official_gap(year: int, days_off) -> str | None:
    """Which holidays of the law these days off leave out (“清明节、国庆节”):
    as the year's official arrangement, each would silently be a working day."""
    left_out = statutory_holidays.missing(year, days_off)
    return "、".join(left_out) if left_out else None


def _gap_message(year: int, gap: str, change: str = "") -> str:
    law = f"（{statutory_holidays.LAW}第二条规定的节日）"
    if change:
        return (f"{year} 年为正式，{change}后将缺少{gap}的放假安排{law}，这些日期会按工作日"
                "计算期限；如需重新录入，请先将该年设为暂定")
    return (f"{year} 年尚未录入{gap}的放假安排{law}，设为正式后这些日期将按工作日计算期限；"
            "请录入后再设为正式")


def _days_off(year: int, without: str | None = None) -> set:
    query = db.session.query(HolidayDay.day).filter_by(year=year, kind="休")
    if without is not None:
        query = query.filter(HolidayDay.name != without)
    return {day for (day,) in query}


def save_year(year: int, state, notice_no, notice_date, notice_url, user) -> None:
    """The year's notice (文号, date, link) and its state."""
    _check_year(year)
    errors = check_year_info(year, state, notice_no, notice_date, notice_url, _days_off(year))
    if errors:
        raise Refusal(errors)
    row = _year_row(year, user)
    before = row.state
    row.state, row.notice_no = state, (notice_no or "").strip() or None
    row.notice_date, row.notice_url = notice_date, (notice_url or "").strip() or None
    record(user, "节假日年度设置", row,
           f"{year} 年：{before} → {state}；文号 {row.notice_no or '—'}")
    _after_change(year)


# --- import ---------------------------------------------------------------------------

@dataclass
class YearFile:
    """A year as read from an import file."""

    year: int
    holidays: list[tuple[str, dt.date, dt.date, list[dt.date]]]
    state: str | None = None
    notice_no: str | None = None
    notice_date: dt.date | None = None
    notice_url: str | None = None


def parse_date(text) -> dt.date | None:
    """YYYY-MM-DD only (fromisoformat alone would take 20270101 or 2027W011)."""
    if not isinstance(text, str) or not DATE_RE.match(text.strip()):
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _date(text, where: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise Refusal({"file": f"{where}：“{_short(text)}”不是 YYYY-MM-DD 格式的日期"})
    return day


def parse_dates(text, where: str) -> list[dt.date]:
    """A list of dates (JSON), or dates separated by commas, semicolons or spaces."""
    if isinstance(text, list):
        return [_date(item, where) for item in text]
    if not isinstance(text, str):
        raise Refusal({"file": f"{where}：调休上班日须为日期列表"})
    parts = [p for p in re.split(r"[\s;；,，、]+", text) if p]
    return [_date(part, where) for part in parts]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refusal({"file": "文件编码无法识别，请保存为 UTF-8 或 GBK 编码"})


def parse_file(filename: str, data: bytes) -> YearFile:
    """A JSON or CSV file in the documented format (docs/operations.md)."""
    if not data:
        raise Refusal({"file": "请选择要导入的文件"})
    if len(data) > MAX_FILE_BYTES:
        raise Refusal({"file": f"文件不能超过 {MAX_FILE_BYTES // 1024} KB"})
    text = _decode(data)
    name = (filename or "").lower()
    if name.endswith(".json"):
        return _parse_json(text)
    if name.endswith(".csv"):
        return _parse_csv(text)
    raise Refusal({"file": "只能导入 .json 或 .csv 文件"})


def _parse_json(text: str) -> YearFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refusal({"file": f"JSON 格式错误（第 {exc.lineno} 行）"}) from None
    except (ValueError, RecursionError):  # a huge number, or arrays nested too deep
        raise Refusal({"file": "JSON 格式错误"}) from None
    if unencodable(data):  # "\ud800": a lone surrogate no database stores (a 500 on saving)
        raise Refusal({"file": "JSON 中含有无法保存的字符（孤立的UTF-16代理项）"})
    if not isinstance(data, dict) or not isinstance(data.get("holidays"), list):
        raise Refusal({"file": "JSON 须为一个对象，含 year 和 holidays 列表"})
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise Refusal({"file": "JSON 的 year 须为整数年份，例如 2027"})
    found = []
    for number, item in enumerate(data["holidays"], 1):
        where = f"第 {number} 个节日"
        if not isinstance(item, dict):
            raise Refusal({"file": f"{where}须为对象（name、start、end、workdays）"})
        if not isinstance(item.get("name"), str):
            raise Refusal({"file": f"{where}缺少名称 name"})
        workdays_ = item.get("workdays", [])
        if not isinstance(workdays_, list):
            raise Refusal({"file": f"{where}的 workdays 须为日期列表，例如 [\"2027-02-20\"]"})
        found.append((item["name"], _date(item.get("start"), where),
                      _date(item.get("end"), where), parse_dates(workdays_, where)))
    notice_date = data.get("notice_date")
    if notice_date is not None and not isinstance(notice_date, str):
        raise Refusal({"file": "JSON 的 notice_date 须为 YYYY-MM-DD 格式的文字"})
    for key in ("state", "notice_no", "notice_url"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise Refusal({"file": f"JSON 的 {key} 须为文字"})
    return YearFile(year, found, data.get("state"), data.get("notice_no"),
                    _date(notice_date, "notice_date") if notice_date else None,
                    data.get("notice_url"))


CSV_HEADER = ("节日", "开始日期", "结束日期", "调休上班日")


def _parse_csv(text: str) -> YearFile:
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise Refusal({"file": f"CSV 格式错误：{exc}"}) from None
    if not rows or tuple(c.strip() for c in rows[0][:4]) != CSV_HEADER[:len(rows[0][:4])] \
            or len(rows[0]) < 3:
        raise Refusal({"file": "CSV 第一行须为表头：" + ",".join(CSV_HEADER)})
    found = []
    for number, row in enumerate(rows[1:], 2):
        where = f"第 {number} 行"
        if len(row) < 3:
            raise Refusal({"file": f"{where}：至少需要节日、开始日期、结束日期三列"})
        found.append((row[0].strip(), _date(row[1], where), _date(row[2], where),
                      parse_dates(row[3] if len(row) > 3 else "", where)))
    if not found:
        raise Refusal({"file": "CSV 中没有节日"})
    years = {start.year for _n, start, _e, _w in found}
    if len(years) != 1:
        raise Refusal({"file": "一个文件只能包含一个年份的节假日"})
    return YearFile(years.pop(), found)


def _overlap(start, end, on, spans, taken) -> dict[str, str]:
    """A file's holidays meet on days `taken` does not hold: a weekend inside
    two holidays' dates (元旦 1月1日至3日 and another from the 2nd were
    stored as two one-day holidays), or a 调休上班日 inside another's."""
    for other, (first, last) in spans.items():
        if start <= last and first <= end:
            return {"start": f"放假日期 {start} 至 {end} 与“{other}”（{first} 至 {last}）重叠"}
    for day in on:
        for other, (first, last) in spans.items():
            if first <= day <= last:
                return {"workdays": f"调休上班日 {day} 在“{other}”的放假期间内"}
    # `taken`'s weekend days are other holidays' 调休上班日 (its 休 are weekdays).
    worked = sorted(day for day in taken if start <= day <= end and day.weekday() >= 5)
    if worked:
        return {"start": f"放假期间内的 {worked[0]} 是“{taken[worked[0]]}”的调休上班日"}
    return {}


def import_year(parsed: YearFile, user, state=None, notice_no=None, notice_date=None,
                notice_url=None) -> bool:
    """Replace the year's days with the file's; the form's fields win over
    the file's. Returns False when the year already holds exactly that
    (re-importing the same file changes nothing)."""
    year = parsed.year
    _check_year(year)
    state = state or parsed.state or OFFICIAL
    notice_no = notice_no if notice_no is not None and notice_no.strip() else parsed.notice_no
    notice_date = notice_date or parsed.notice_date
    notice_url = notice_url if notice_url and notice_url.strip() else parsed.notice_url
    taken: dict[dt.date, str] = {}
    wanted: dict[dt.date, tuple[str, str]] = {}
    names = set()
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for number, (name, start, end, worked) in enumerate(parsed.holidays, 1):
        errors, (off, on) = _check_holiday(year, name, start, end, worked, taken)
        if not errors and name.strip() in names:
            errors = {"name": f"节日“{name.strip()}”出现了两次"}
        if not errors:
            errors = _overlap(start, end, on, spans, taken)
        if errors:
            raise Refusal({"file": f"第 {number} 个节日（{_short(name) or '未命名'}）："
                           + "；".join(errors.values())})
        names.add(name.strip())
        spans[name.strip()] = (start, end)
        for day in off:
            taken[day], wanted[day] = name.strip(), ("休", name.strip())
        for day in on:
            taken[day], wanted[day] = name.strip(), ("班", name.strip())
    if not wanted:
        raise Refusal({"file": "文件中没有节日"})
    errors = check_year_info(year, state, notice_no, notice_date, notice_url,
                             {day for day, (kind, _n) in wanted.items() if kind == "休"})
    if errors.get("notice_no", "").startswith("设为正式前"):
        errors["notice_no"] = "导入为正式时请填写文号（文件中的 notice_no 或下方的文号），或将状态选为暂定"
    if errors:
        raise Refusal({"file": "；".join(errors.values())})
    have = {row.day: (row.kind, row.name)
            for row in db.session.query(HolidayDay).filter_by(year=year)}
    row = db.session.get(HolidayYear, year)
    if have == wanted and row is not None and (row.state, row.notice_no, row.notice_date,
                                               row.notice_url) == (
            state, (notice_no or "").strip() or None, notice_date,
            (notice_url or "").strip() or None):
        return False
    db.session.query(HolidayDay).filter_by(year=year).delete()
    row = _year_row(year, user)
    row.state, row.source = state, "导入"
    row.notice_no = (notice_no or "").strip() or None
    row.notice_date, row.notice_url = notice_date, (notice_url or "").strip() or None
    db.session.flush()
    now = dt.datetime.now()
    for day, (kind, name) in sorted(wanted.items()):
        db.session.add(HolidayDay(day=day, year=year, kind=kind, name=name,
                                  entered_by_id=getattr(user, "id", None), entered_at=now))
    record(user, "导入节假日", row,
           f"{year} 年（{state}）：{len(names)} 个节日，"
           f"{sum(k == '休' for k, _n in wanted.values())} 天休、"
           f"{sum(k == '班' for k, _n in wanted.values())} 天调休上班；文号 {row.notice_no or '—'}")
    _after_change(year)
    return True


def export_year(year: int) -> dict:
    """The year in the import format (JSON), so a file can round-trip."""
    row = db.session.get(HolidayYear, year)
    return {
        "year": year,
        "state": row.state if row else PROVISIONAL,
        "notice_no": row.notice_no if row else None,
        "notice_date": row.notice_date.isoformat() if row and row.notice_date else None,
        "notice_url": row.notice_url if row else None,
        "holidays": [{"name": h.name,
                      "start": h.start.isoformat() if h.start else None,
                      "end": h.end.isoformat() if h.end else None,
                      "workdays": [d.isoformat() for d in h.workdays]}
                     for h in holidays_of(year) if h.start],
    }


# --- after a change: re-check the verdicts given on 暂定 days -----------------------------

def _after_change(year: int) -> None:
    """Flush, then let the domains that judged on 暂定 days take their
    verdicts again (app/notices.py registers itself in create_app)."""
    db.session.flush()
    new = _build()
    g.pop("holiday_calendar", None)  # this request's later checks see the change
    for recheck in current_app.extensions.get("holiday_rechecks", ()):
        recheck(year, new)
