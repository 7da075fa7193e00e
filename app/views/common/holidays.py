"""【系统管理】→【节假日维护】 (Admin, both kinds of site), and its REST API.

A year is drawn as twelve month grids; holidays are added, changed and
deleted as ranges with their 调休 working days; the year's notice (文号,
date, link) and its state (正式/暂定) are set; a year can be imported from a
JSON or CSV file and exported as JSON. The rules live in app/holidays.py.
"""
from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from flask import Response, abort, flash, g, json, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ... import holidays
from ...extensions import db
from ...models import HolidayDay, HolidayYear, ProvisionalJudgment
from ...rules import workdays
from .base import TranslatedResponses

CONCURRENT = "该年份的节假日正被同时修改（可能是重复提交），本次未保存，请查看当前数据后重试"
PERMISSIONS = {"index": "read", "year": "read", "export": "read", "save_holiday": "edit",
               "delete_holiday": "edit", "save_year": "edit", "import_file": "edit"}
HOLIDAY_FIELDS = ("name", "start", "end", "workdays", "replacing")
YEAR_FIELDS = ("state", "notice_no", "notice_date", "notice_url")


def _year_or_404(year: int) -> int:
    if not workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR:
        abort(404)
    return year


def _date(value: str, label: str, errors: dict, field: str):
    value = (value or "").strip()
    if not value:
        return None
    day = holidays.parse_date(value)
    if day is None:
        shown = value if len(value) <= 20 else value[:20] + "…"
        errors[field] = f"{label}“{shown}”不是有效日期（格式 YYYY-MM-DD）"
    return day


def _dates(value: str, errors: dict):
    try:
        return holidays.parse_dates(value, "调休上班日")
    except holidays.Refusal as refusal:
        errors["workdays"] = refusal.errors["file"]
        return []


def month_grids(year: int, cal, today: dt.date) -> list[dict]:
    """Twelve months, weeks from Monday: each cell a day (or None) with its
    kind (休, 班, or None), its holiday name and whether it is today."""
    names = dict(db.session.query(HolidayDay.day, HolidayDay.name).filter_by(year=year).all())
    from ...rules import statutory_holidays

    if cal.state(year) == workdays.PROVISIONAL:
        for day, name in statutory_holidays.days_off(year).items():
            names.setdefault(day, f"{name}（暂定）")
    kinds = cal.days_of(year)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            weeks.append([None if day.month != month else {
                "day": day, "kind": kinds.get(day), "name": names.get(day, ""),
                "weekend": day.weekday() >= 5, "today": day == today} for day in week])
        months.append({"month": month, "weeks": weeks})
    return months


class HolidayView(BaseView):
    route_base = "/holidays"
    class_permission_name = "Holiday"
    method_permission_name = PERMISSIONS
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        today = dt.date.today()
        rows = {row.year: row for row in db.session.query(HolidayYear)}
        counts = {(year, kind): n for year, kind, n in db.session.query(
            HolidayDay.year, HolidayDay.kind, func.count(HolidayDay.id))
            .group_by(HolidayDay.year, HolidayDay.kind)}
        years = sorted(set(rows) | {today.year, today.year + 1}, reverse=True)
        listed = [{"year": year, "row": rows.get(year),
                   "state": rows[year].state if year in rows else workdays.PROVISIONAL,
                   "off": counts.get((year, "休"), 0), "worked": counts.get((year, "班"), 0)}
                  for year in years]
        return self.render_template("holidays/index.html", title=_("节假日维护"),
                                    years=listed, today=today,
                                    banner=holidays.banner(today))

    def _year_page(self, year: int, holiday_form=None, year_form=None, errors=None,
                   status=200):
        today = dt.date.today()
        cal = holidays.current()
        row = db.session.get(HolidayYear, year)
        changed = (db.session.query(ProvisionalJudgment)
                   .filter(ProvisionalJudgment.changed.is_(True),
                           ProvisionalJudgment.years.contains(str(year)))
                   .order_by(ProvisionalJudgment.id).all())
        year_form = year_form or {
            "state": row.state if row else workdays.PROVISIONAL,
            "notice_no": (row.notice_no or "") if row else "",
            "notice_date": row.notice_date.isoformat() if row and row.notice_date else "",
            "notice_url": (row.notice_url or "") if row else ""}
        page = self.render_template(
            "holidays/year.html", title=_("节假日维护"), year=year, row=row,
            state=cal.state(year), months=month_grids(year, cal, today),
            holidays=holidays.holidays_of(year), weekday_name=holidays.weekday_name,
            holiday_form=holiday_form or {}, year_form=year_form, errors=errors or {},
            changed=changed, today=today, first_year=workdays.FIRST_YEAR,
            last_year=workdays.LAST_YEAR,
            weekday_heads=[_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")])
        return page, status

    @expose("/<int:year>")
    @has_access
    def year(self, year):
        _year_or_404(year)
        edit = request.args.get("edit")
        form = None
        if edit:
            found = [h for h in holidays.holidays_of(year) if h.name == edit]
            if found:
                h = found[0]
                form = {"name": h.name, "replacing": h.name,
                        "start": h.start.isoformat() if h.start else "",
                        "end": h.end.isoformat() if h.end else "",
                        "workdays": ", ".join(d.isoformat() for d in h.workdays)}
        return self._year_page(year, holiday_form=form)

    def _change(self, year, change, done: str, **page):
        """Run `change` (it raises holidays.Refusal on bad input): commit and
        go back to the year, or roll back and show the form again with the
        reasons and what was typed."""
        try:
            change()
            db.session.commit()
        except holidays.Refusal as refusal:
            db.session.rollback()
            flash(gettext("未保存：%(reasons)s", reasons="；".join(refusal.errors.values())), "danger")
            return self._year_page(year, errors=refusal.errors, status=422, **page)
        except IntegrityError:  # the same change sent twice at once (a double click)
            db.session.rollback()
            flash(CONCURRENT, "danger")
            return self._year_page(year, status=409, **page)
        flash(done, "success")
        return redirect(url_for(".year", year=year))

    @expose("/<int:year>/holiday", methods=["POST"])
    @has_access
    def save_holiday(self, year):
        _year_or_404(year)
        form = {key: (request.form.get(key) or "")[:500] for key in HOLIDAY_FIELDS}

        def change():
            errors: dict = {}
            start = _date(form["start"], "放假开始日期", errors, "start")
            end = _date(form["end"], "放假结束日期", errors, "end")
            worked = _dates(form["workdays"], errors)
            if errors:  # with the other reasons, so one round shows them all
                others = holidays.holiday_errors(year, form["name"], start, end, worked,
                                                 form["replacing"] or None)
                raise holidays.Refusal({**others, **errors})
            holidays.save_holiday(year, form["name"], start, end, worked, g.user,
                                  replacing=form["replacing"] or None)

        return self._change(year, change, f"已保存“{form['name'].strip()}”",
                            holiday_form=form)

    @expose("/<int:year>/holiday/delete", methods=["POST"])
    @has_access
    def delete_holiday(self, year):
        _year_or_404(year)
        name = (request.form.get("name") or "")[:64]
        return self._change(year, lambda: holidays.delete_holiday(year, name, g.user),
                            f"已删除“{name}”")

    @expose("/<int:year>/info", methods=["POST"])
    @has_access
    def save_year(self, year):
        _year_or_404(year)
        form = {key: (request.form.get(key) or "")[:600] for key in YEAR_FIELDS}

        def change():
            errors: dict = {}
            notice_date = _date(form["notice_date"], "通知日期", errors, "notice_date")
            if errors:
                raise holidays.Refusal(errors)
            holidays.save_year(year, form["state"], form["notice_no"], notice_date,
                               form["notice_url"], g.user)

        return self._change(year, change, f"{year} 年已保存为{form['state']}", year_form=form)

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def import_file(self):
        form = {key: (request.form.get(key) or "")[:600] for key in YEAR_FIELDS}
        errors: dict = {}
        if request.method == "POST":
            upload = request.files.get("file")
            try:
                data = upload.read(holidays.MAX_FILE_BYTES + 1) if upload else b""
                parsed = holidays.parse_file(upload.filename if upload else "", data)
                notice_date = _date(form["notice_date"], "通知日期", errors, "notice_date")
                if errors:
                    raise holidays.Refusal(errors)
                changed = holidays.import_year(
                    parsed, g.user, state=form["state"] or None,
                    notice_no=form["notice_no"], notice_date=notice_date,
                    notice_url=form["notice_url"])
                db.session.flush()
            except holidays.Refusal as refusal:
                db.session.rollback()
                errors = refusal.errors
                flash(gettext("未导入：%(reasons)s", reasons="；".join(errors.values())), "danger")
            except IntegrityError:
                db.session.rollback()
                errors = {"file": CONCURRENT}
                flash(CONCURRENT, "danger")
            else:
                db.session.commit()
                flash(gettext("已导入 %(year)d 年节假日", year=parsed.year) if changed
                      else gettext("%(year)d 年的节假日与文件一致，未作修改", year=parsed.year),
                      "success" if changed else "info")
                return redirect(url_for(".year", year=parsed.year))
        return self.render_template("holidays/import.html", title=_("导入节假日"),
                                    form=form, errors=errors,
                                    header=",".join(holidays.CSV_HEADER)), \
            (422 if errors else 200)

    @expose("/<int:year>/export")
    @has_access
    def export(self, year):
        _year_or_404(year)
        body = json.dumps(holidays.export_year(year), ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f"attachment; filename=holidays-{year}.json"})


class HolidayApi(TranslatedResponses, BaseApi):
    """GET /api/v1/holiday/<year>: the year as in the import format, with its
    state; PUT the same to replace it (Admin)."""

    resource_name = "holiday"
    class_permission_name = "Holiday"
    method_permission_name = {"get_year": "read", "put_year": "edit"}
    allow_browser_login = False

    @api_expose("/<int:year>", methods=["GET"])
    @protect()
    @safe
    def get_year(self, year):
        if not workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR:
            return self.response_404()
        return self.response(200, **holidays.export_year(year))

    @api_expose("/<int:year>", methods=["PUT"])
    @protect()
    @safe
    def put_year(self, year):
        if not workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR:
            return self.response_404()
        data = request.get_data(cache=False)
        if not data.strip():
            # parse_file's words are the upload form's (请选择要导入的文件).
            return self.response(422, message="请求体为空：请发送该年度的日历JSON（格式见 docs/operations.md）",
                                 errors={"body": "请求体为空"})
        try:
            parsed = holidays.parse_file("body.json", data)
            if parsed.year != year:
                raise holidays.Refusal({"year": f"请求体的 year（{parsed.year}）与地址中的 {year} 不一致"})
            changed = holidays.import_year(parsed, g.user)
            db.session.commit()
        except holidays.Refusal as refusal:
            db.session.rollback()
            return self.response(422, message="；".join(refusal.errors.values()),
                                 errors=refusal.errors)
        except IntegrityError:
            db.session.rollback()
            return self.response(409, message=CONCURRENT)
        return self.response(200, changed=changed, **holidays.export_year(year))
