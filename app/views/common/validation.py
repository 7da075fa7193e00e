"""Limits every model form and REST API applies, and REST errors in the
user's language.

Limits: a String(n) column is already held to n characters by FAB (forms) and
marshmallow-sqlalchemy (REST); a Text column or a date had no bound at all, so
a 1.7-million-character remark or a 预计采购时间 of 0001-01-01 was saved.
ReadWriteModelView and ReadWriteApi (base.py) add the bounds below to every
column that has none, from the model, so a new model gets them too.

Messages: marshmallow and FAB's REST layer answer in English ("Not a valid
date.", "Unknown field."). ReadWriteApi passes every 400/422 message through
`translate`, which maps each known English message to a Chinese msgid, so the
API speaks Chinese like the UI, and English with FAB's ?_l_=en.
"""
import datetime as dt
import re

from flask_babel import lazy_gettext as _
from sqlalchemy import Date, DateTime, String, Text, inspect

# Remarks, explanations, opinions: a page of text is plenty.
TEXT_MAX = 2000
# Sanitised HTML bodies (columns named *_html) carry markup besides the text.
HTML_MAX = 50000
# Nothing this system files is dated before 2000 or after 2099; outside that
# a date is a typing error (0001-01-01, 9999-12-31).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


def text_limit(column) -> int | None:
    if not isinstance(column.type, Text) or getattr(column.type, "length", None):
        return None
    return HTML_MAX if column.name.endswith("_html") else TEXT_MAX


def is_date(column) -> bool:
    return isinstance(column.type, (Date, DateTime))


def _columns(model):
    return [c for c in inspect(model).columns if not c.primary_key]


# --- web forms (WTForms) ----------------------------------------------------

def _form_date_range(form, field):
    from wtforms.validators import ValidationError

    value = field.data
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(str(_("日期须在%(min)s至%(max)s之间"))
                              % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})


def _form_no_nul(form, field):
    """PostgreSQL refuses NUL in text, even in the WHERE of FAB's uniqueness
    check (a 500 before the form could say anything). First in the chain,
    and it stops it."""
    from wtforms.validators import StopValidation

    if isinstance(field.data, str) and "\x00" in field.data:
        field.errors[:] = []
        raise StopValidation(str(_("不能含有空字符（\\x00）")))


class NulRefusingForms:
    """Mixin for FAB's own model views (users, roles, groups): their text
    fields get the NUL check, first, as ours get it from form_validators."""

    def _init_forms(self):
        own = self.validators_columns or {}
        added = {column.name: [_form_no_nul] for column in _columns(self.datamodel.obj)
                 if isinstance(column.type, String)}
        self.validators_columns = ahead(added, own)
        super()._init_forms()


def ahead(added: dict, own: dict) -> dict:
    """{column: [validators]}: the added ones first, so the NUL check stops
    the chain before a view's own validator or FAB's uniqueness check
    queries with the text. A new dict: a class's own is shared by every app."""
    return {column: [*added.get(column, []), *own.get(column, [])]
            for column in {*own, *added}}


def form_validators(model) -> dict:
    """{column: [validators]} to add to a FAB-generated form."""
    from wtforms.validators import Length

    added = {}
    for column in _columns(model):
        if limit := text_limit(column):
            added[column.name] = [_form_no_nul,
                                  Length(max=limit, message=_("不能超过%(max)d个字符"))]
        elif is_date(column):
            added[column.name] = [_form_date_range]
        elif isinstance(column.type, String):
            added[column.name] = [_form_no_nul]
    return added


# --- REST (marshmallow) -----------------------------------------------------

def schema_validators(model) -> dict:
    """{column: validator} to add to a FAB-generated marshmallow schema."""
    from marshmallow import validate

    added = {}
    for column in _columns(model):
        if limit := text_limit(column):
            added[column.name] = validate.Length(max=limit)
        elif is_date(column):
            added[column.name] = _schema_date_range
    return added


def _schema_date_range(value):
    from marshmallow import ValidationError

    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            f"Must be greater than or equal to {DATE_MIN} and less than or equal to {DATE_MAX}.")


def both(first, second):
    """Two marshmallow validators as one (FAB takes one per column)."""
    def validator(value):
        first(value)
        second(value)
    return validator


# --- REST messages ----------------------------------------------------------

# English message (marshmallow 3, FAB's REST layer) → Chinese msgid; named
# groups are filled into the translation.
MESSAGES = [
    (r"Not a valid (date|datetime|time)\.", _("不是有效的日期或时间。")),
    (r"Not a valid string\.", _("不是有效的文本。")),
    (r"Not a valid integer\.", _("不是有效的整数。")),
    (r"Not a valid number\.", _("不是有效的数字。")),
    (r"Not a valid boolean\.", _("不是有效的是/否值。")),
    (r"Not a valid list\.", _("不是有效的列表。")),
    (r"Not a valid mapping type\.", _("不是有效的对象。")),
    (r"Not a valid email address\.", _("不是有效的电子邮件地址。")),
    (r"Not a valid URL\.", _("不是有效的网址。")),
    (r"Not a valid UUID\.", _("不是有效的UUID。")),
    (r"Unknown field\.", _("未知字段。")),
    (r"Missing data for required field\.", _("必填项，不能为空。")),
    (r"Field may not be null\.", _("不能为空值。")),
    (r"Invalid input type\.", _("输入类型无效。")),
    (r"Invalid (value|input|type)\.", _("值无效。")),
    (r"Number too large\.", _("数值过大。")),
    (r"Special numeric values \(nan or infinity\) are not permitted\.",
     _("不允许使用NaN或无穷大。")),
    (r"String does not match expected pattern\.", _("格式不正确。")),
    (r"Must be one of: (?P<choices>.*)\.", _("必须是以下之一：%(choices)s。")),
    (r"Longer than maximum length (?P<max>\d+)\.", _("长度不能超过%(max)s个字符。")),
    (r"Shorter than minimum length (?P<min>\d+)\.", _("长度不能少于%(min)s个字符。")),
    (r"Length must be between (?P<min>\d+) and (?P<max>\d+)\.",
     _("长度须在%(min)s至%(max)s个字符之间。")),
    (r"Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
     _("须在%(min)s至%(max)s之间。")),
    (r"Must be greater than or equal to (?P<min>\S+)\.", _("不能小于%(min)s。")),
    (r"Must be less than or equal to (?P<max>\S+)\.", _("不能大于%(max)s。")),
    (r"Request is not JSON|Request payload is not JSON", _("请求内容不是JSON。")),
    # Werkzeug's, for a body sent as JSON that is not.
    (r"400 Bad Request: The browser \(or proxy\) sent a request that this server "
     r"could not understand\.", _("请求内容不是有效的JSON。")),
    (r"Invalid order by column: (?P<column>.*)",
     _("查询参数q中的order_column不能为%(column)s：请按可排序的列排序。")),
    (r"Filter column: (?P<column>.*) not allowed to filter",
     _("查询参数q中的筛选列%(column)s不可用于筛选。")),
    (r"Filter operation: (?P<operation>.*) not allowed on column: (?P<column>.*)",
     _("查询参数q中的筛选方式%(operation)s不可用于%(column)s。")),
    # FAB's 422 for a write the database refused, with the SQL in it.
    (r"Database exception occurred: .*",
     _("保存失败：必填项为空、与已有记录重复或引用的记录不存在，未作任何修改。")),
    # The login API (FAB's security schemas).
    (r"Alternative authentication provider is not allowed", _("不支持该登录方式，provider须为db。")),
    (r"Password null is not allowed", _("密码不能只含空字符。")),
    (r"Not a valid rison/json argument|Not a valid rison argument",
     _("查询参数q不是有效的Rison或JSON。")),
    (r"Not a valid rison schema (?P<detail>.*)", _("查询参数q不符合要求：%(detail)s")),
]
_COMPILED = [(re.compile(pattern + r"\Z", re.S), message) for pattern, message in MESSAGES]


def translate(messages):
    """The same structure (dict by field, list, or one string) with each known
    English message in the request's language; unknown text is left as is."""
    if isinstance(messages, dict):
        return {key: translate(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translate(value) for value in messages]
    if isinstance(messages, str):
        for pattern, message in _COMPILED:
            if match := pattern.match(messages):
                return str(message) % match.groupdict()
    return messages
