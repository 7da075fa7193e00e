"""The one date field and the one date-and-time field of every form on both
sites: the browser's own inputs (`type=date`, `type=datetime-local`).

Why not FAB's: its DatePickerWidget/DateTimePickerWidget carry the
`.appbuilder_date(time)` classes, to which FAB's ab.js binds an English,
date-only bootstrap-datepicker; a time typed into it is replaced by today's
date on blur, and what it picks does not parse as a datetime. A native input
takes typing and picking in the browser's language (Chinese for our users)
and needs no script, so the CSP has nothing to allow.

The server is lenient in what it reads, so a browser that falls back to a
text box, or a script posting the form, still gets through:
"2026-12-24T09:30", "2026-12-24 09:30" and "2026-12-24 09:30:00". Times are
kept to the minute, like the GPS notice forms. Anything else is a clear
message in Chinese and the field keeps its old value.

NativeDateForms gives every date column of a declared view these fields, in
its add, edit and search forms: ReadWriteModelView (base.py) and FAB's one
view with dates (the user statistics, app/security.py) mix it in; hand-written
forms (the GPS notice form) use the fields directly.
"""
import datetime as dt
from functools import partial

from flask_babel import lazy_gettext as _
from markupsafe import Markup
from wtforms import DateField, DateTimeField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import html_params

from .validation import DATE_MAX, DATE_MIN

MINUTES = "%Y-%m-%dT%H:%M"  # what datetime-local sends and shows
DATETIME_FORMATS = (MINUTES, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
DAY = "%Y-%m-%d"

INVALID_DATETIME = _("请填写有效的日期和时间，格式为“年-月-日 时:分”，例如 2026-12-24 09:30")
INVALID_DATE = _("请填写有效的日期，格式为“年-月-日”，例如 2026-12-24")


def parse_datetime(text: str) -> dt.datetime | None:
    """A date and time as people and browsers write it, to the minute; None
    if it is not one."""
    text = (text or "").strip()
    for pattern in DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).replace(second=0, microsecond=0)
        except ValueError:
            continue
    return None


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime((text or "").strip(), DAY).date()
    except ValueError:
        return None


class NativeInput:
    """<input type=date|datetime-local class=form-control>, bounded like the
    server's date range so a mistyped year (20266) is caught while typing."""

    def __init__(self, input_type: str, low: str, high: str):
        self.input_type, self.low, self.high = input_type, low, high

    def __call__(self, field, **kwargs):
        # FAB's form templates pass no class; the notice form passes class_.
        css = kwargs.pop("class_", None) or kwargs.pop("class", None) or ""
        if "form-control" not in css.split():
            css = f"form-control {css}".strip()
        if "name_" in kwargs:  # FAB's search macro renames the field this way
            kwargs["name"] = kwargs.pop("name_")
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        if field.flags.required:
            kwargs.setdefault("required", True)
        return Markup("<input %s>" % html_params(
            type=self.input_type, value=field._value(), min=self.low, max=self.high,
            **{"class": css}, **kwargs))


class DateTimeMinuteField(DateTimeField):
    """A date and time to the minute, typed or picked."""

    widget = NativeInput("datetime-local", f"{DATE_MIN:%Y-%m-%d}T00:00",
                         f"{DATE_MAX:%Y-%m-%d}T23:59")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", list(DATETIME_FORMATS))
        super().__init__(label, validators, **kwargs)

    def _value(self):
        # Always the browser's own form once parsed, so the input shows it.
        if self.data is not None and not self.process_errors:
            return self.data.strftime(MINUTES)
        return " ".join(self.raw_data) if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = parse_datetime(text) if text else None
        if text and self.data is None:
            raise ValueError(str(INVALID_DATETIME))


class DayField(DateField):
    """A date, typed or picked."""

    widget = NativeInput("date", f"{DATE_MIN:%Y-%m-%d}", f"{DATE_MAX:%Y-%m-%d}")

    def _value(self):
        if self.data is not None and not self.process_errors:
            return self.data.strftime(DAY)
        return " ".join(self.raw_data) if self.raw_data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(str(INVALID_DATE))


def date_fields(datamodel, columns, labels, descriptions=None, validators=None,
                for_search=False) -> dict:
    """{column: field} for the date and datetime columns among `columns`,
    as FAB's form converter would make them (label, description, the view's
    validators, required unless nullable, the column default) but with the
    fields above. Search forms get bare fields, as FAB gives them."""
    descriptions, validators = descriptions or {}, validators or {}
    fields = {}
    for name in columns or []:
        if datamodel.is_relation(name):
            continue
        if datamodel.is_datetime(name):
            kind = DateTimeMinuteField
        elif datamodel.is_date(name):
            kind = DayField
        else:
            continue
        if for_search:
            fields[name] = kind(labels.get(name, ""))
            continue
        required = InputRequired() if not datamodel.is_nullable(name) else Optional()
        fields[name] = kind(labels.get(name, ""), description=descriptions.get(name, ""),
                            validators=[*validators.get(name, []), required],
                            default=datamodel.get_col_default(name))
    return fields


class NativeDateForms:
    """Mixin for a FAB model view (before ModelView in its bases): every date
    column in its add, edit and search forms gets the fields above, made from
    the view's declarations; a view's own extra field still wins. Nothing of
    FAB's is patched: FAB builds its forms from these extra fields."""

    def _init_forms(self):
        # New dicts: a class's own may be shared (edit = add) and by every app.
        # A chart view has a search form only, hence the getattr()s.
        dates = partial(date_fields, self.datamodel, labels=self.label_columns,
                        descriptions=getattr(self, "description_columns", None),
                        validators=getattr(self, "validators_columns", None))
        for form in ("add", "edit"):
            name = f"{form}_form_extra_fields"
            setattr(self, name, {**dates(getattr(self, f"{form}_columns", None)),
                                 **(getattr(self, name, None) or {})})
        self.search_form_extra_fields = {**dates(self.search_columns, for_search=True),
                                         **(self.search_form_extra_fields or {})}
        super()._init_forms()
