"""Values as a person reads them, in one place.

Every page shows a value through these functions: FAB's list and show pages
through `formatters_for` (ReadWriteModelView derives one per column from its
type), our own templates through the Jinja filters `register` adds
(`show`, `money`, `minutes`, `platform_name`). Nothing shows Python's own
spelling of a value: not "None", "True", a list's brackets, an object's repr
or a timestamp's microseconds.
"""
import datetime as dt
import enum
from decimal import Decimal

from flask_babel import gettext

EMPTY = "—"


def minutes(value) -> str:
    """A time to the minute, a date as a date; empty is "—"."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def money(value, unit: bool = True) -> str:
    """1,500,000.00 元 (without 元 where the label already says it)."""
    if value is None or value == "":
        return EMPTY
    try:
        amount = Decimal(value)
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return f"{text} {gettext('元')}" if unit else text


def number(value) -> str:
    if value is None:
        return EMPTY
    return f"{value:,}" if isinstance(value, int) else f"{value:,f}".rstrip("0").rstrip(".")


def yes_no(value) -> str:
    if value is None:
        return EMPTY
    return gettext("是") if value else gettext("否")


def show(value) -> str:
    """Any value: names for records, "、" between items, "—" for nothing."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return minutes(value)
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, enum.Enum):
        return show(value.value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return gettext("、").join(show(item) for item in value) or EMPTY
    if hasattr(value, "__table__"):  # a record: its own name for itself
        return record_name(value)
    return str(value)


def record_name(record) -> str:
    if type(record).__str__ is not object.__str__:
        return str(record)
    for attribute in ("name", "title", "code"):
        if getattr(record, attribute, None):
            return str(getattr(record, attribute))
    if getattr(record, "username", None):
        # AuditMixin's created_by/changed_by load FAB's User, which has no
        # __str__ of its own (填报人 read "—"): the name as OrgUser gives it.
        return f"{record.first_name or ''}{record.last_name or ''}" or record.username
    return EMPTY


def platform_name(code) -> str:
    """A platform or peer code (410400, gps) as its name; an unknown code as itself."""
    if not code:
        return EMPTY
    from ...extensions import db
    from ...models import Peer, Platform, Region

    if code == "gps":
        return gettext("政府采购系统")
    for model in (Platform, Peer):
        record = db.session.get(model, code)
        if record is not None and record.name:
            return record.name
    # A trading site holds no Platform row for itself: a platform is named
    # after the region whose code it carries.
    region = db.session.get(Region, code)
    if region is not None:
        return gettext("%(region)s公共资源交易平台", region=region.name)
    return str(code)


def platform_names(codes) -> str:
    """"410400,411322" or a list of codes, as names."""
    if not codes:
        return EMPTY
    if isinstance(codes, str):
        codes = [c for c in codes.replace("，", ",").split(",") if c.strip()]
    return "、".join(platform_name(c.strip()) for c in codes)


# Columns that hold a platform's code; people read the platform's name.
PLATFORM_COLUMNS = {"platform_code", "pushed_to"}


def formatters_for(datamodel, columns, labels) -> dict:
    """A formatter for each of `columns` by the type of its model column:
    money for two-decimal amounts (the label's 元 is not repeated), minutes
    for times, 是/否 for booleans, a stored state or kind in the reader's
    language, names for platform codes and records; `show` for the rest."""
    from sqlalchemy import Boolean, Date, DateTime, Enum, Numeric
    from sqlalchemy.inspection import inspect

    from .stored_words import word

    mapper = inspect(datamodel.obj)
    formatters = {}
    for name in columns:
        column = mapper.columns.get(name) if name in mapper.columns else None
        kind = column.type if column is not None else None
        if name in PLATFORM_COLUMNS:
            formatters[name] = platform_name
        elif isinstance(kind, Boolean):
            formatters[name] = yes_no
        elif isinstance(kind, Enum):
            formatters[name] = lambda v: show(word(v))
        elif isinstance(kind, (DateTime, Date)):
            formatters[name] = minutes
        elif isinstance(kind, Numeric) and kind.scale == 2 and (kind.precision or 0) >= 10:
            with_unit = "元" not in str(labels.get(name, ""))
            formatters[name] = lambda v, u=with_unit: money(v, unit=u)
        else:
            formatters[name] = show
    return formatters


def register(app) -> None:
    """The Jinja filters our templates use for values."""
    from .stored_words import word

    app.jinja_env.globals["word"] = word  # a template's own `word` (项目监督's) wins
    app.jinja_env.filters.update({
        "show": show, "money": money, "minutes": minutes, "yes_no": yes_no,
        "platform_name": platform_name, "platform_names": platform_names,
    })
