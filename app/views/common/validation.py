"""Limits every model form and REST API applies, and REST errors in the
user's language.

Limits: a String(n) column is already held to n characters by FAB (forms) and
marshmallow-sqlalchemy (REST); a Text column or a date had no bound at all, so
a 1.7-million-character remark or a 预计采购时间 of 0001-01-01 was saved.
ReadWriteModelView and ReadWriteApi (base.py) add the bounds below to every
column that has none, from the model, so a new model gets them too.

Messages: marshmallow and FAB's REST layer answer in English ("Not a valid
date.", "Unknown field."). ReadWriteApi passes every 400/422 message through
`translate` (app/validation_messages.py), which maps each known English
message to a Chinese msgid, so the API speaks Chinese like the UI, and
English with FAB's ?_l_=en.
"""
import datetime as dt

from flask_babel import lazy_gettext as _
from sqlalchemy import BigInteger, Date, DateTime, Enum, Integer, String, Text, inspect

from ...rules import text
from ...rules.phone import phone_error
from ...validation_messages import translate  # noqa: F401 - the REST bases' import

# Remarks, explanations, opinions: a page of text is plenty.
TEXT_MAX = 2000
# Sanitised HTML bodies (columns named *_html) carry markup besides the text.
HTML_MAX = 50000
# Nothing this system files is dated before 2000 or after 2099; outside that
# a date is a typing error (0001-01-01, 9999-12-31).
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


# An INTEGER column (32 bits on PostgreSQL): a 评委会人数 of 2147483648 was a
# 500 there ("integer out of range") and kept on SQLite.
INT_MIN, INT_MAX = -2**31, 2**31 - 1


def is_integer(column) -> bool:
    return isinstance(column.type, Integer) and not isinstance(column.type, BigInteger)


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


# A required text of nothing but spaces (full-width too) or invisible
# characters: FAB's InputRequired let “   ” or “\u200b” through as a 项目名称
# or 变更后中标供应商.
BLANK_MESSAGE = _("不能只填空格或不可见字符")
REQUIRED_MESSAGE = _("必填项，不能为空。")
CONTROL_MESSAGE = _("含有不可见的控制字符或文字方向符（如从其他软件粘贴带入），请删除后重新填写")


def is_required_text(column) -> bool:
    return (not column.nullable and isinstance(column.type, (String, Text))
            and not isinstance(column.type, Enum))


def _form_not_blank(form, field):
    from wtforms.validators import StopValidation

    if isinstance(field.data, str) and field.data and text.blank(field.data):
        field.errors[:] = []
        raise StopValidation(str(BLANK_MESSAGE))


def _schema_not_blank(value):
    from marshmallow import ValidationError

    # A form's required field refuses "" itself; a REST schema's "required"
    # only asks that the key be there (a PUT of {"name": ""} was saved).
    if value == "":
        raise ValidationError(str(REQUIRED_MESSAGE))
    if isinstance(value, str) and text.blank(value):
        raise ValidationError(str(BLANK_MESSAGE))


def keeps_no_control(column) -> bool:
    """Names, titles, numbers, remarks: every text but a sanitised HTML body
    (its editor's paste is cleaned by the sanitiser, not refused)."""
    return (isinstance(column.type, (String, Text)) and not isinstance(column.type, Enum)
            and not column.name.endswith("_html"))


def _form_no_control(form, field):
    from wtforms.validators import StopValidation

    if text.has_control(field.data):
        field.errors[:] = []
        raise StopValidation(str(CONTROL_MESSAGE))


def _schema_no_control(value):
    from marshmallow import ValidationError

    if text.has_control(value):
        raise ValidationError(str(CONTROL_MESSAGE))


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
    fields get the NUL check, first, and their selects of a related record
    the choice check, as ours get them from form_validators."""

    def _init_forms(self):
        own = self.validators_columns or {}
        added = {**_choice_checks(self.datamodel.obj),
                 **{column.name: [_form_no_nul] for column in _columns(self.datamodel.obj)
                    if isinstance(column.type, String)}}
        self.validators_columns = ahead(added, own)
        super()._init_forms()


class ListsCopiedOnRead(dict):
    """{column: [validators]} handing out a copy of a column's list: FAB's
    form builder appends its own Length and InputRequired to the list it
    reads, and the add and edit forms read the same one, so a field on both
    got each twice (字段长度不能超过 128 个字符。 said twice)."""

    def get(self, key, default=None):
        value = super().get(key, default)
        return list(value) if isinstance(value, list) else value


def ahead(added: dict, own: dict) -> dict:
    """{column: [validators]}: the added ones first, so the NUL check stops
    the chain before a view's own validator or FAB's uniqueness check
    queries with the text. A new dict: a class's own is shared by every app."""
    return ListsCopiedOnRead({column: [*added.get(column, []), *own.get(column, [])]
                              for column in {*own, *added}})


def _form_known_choice(form, field):
    """A related record's select (标段, 项目 …) posted with a value that is
    not among its choices: a crafted or stale form, or a record since
    removed or out of the user's scope. FAB's select reports it in
    pre_validate, but its DataRequired then clears the field's errors and
    says 该字段是必填字段, though something was chosen."""
    from wtforms.validators import StopValidation

    if isinstance(getattr(field, "_formdata", None), str) and field._formdata \
            and field.data is None:
        field.errors[:] = []
        raise StopValidation(str(_("所选的%(label)s不存在或不在可选范围内，请从列表中选择",
                                   label=field.label.text)))


def _choice_checks(model) -> dict:
    from sqlalchemy.orm import MANYTOONE

    return {relation.key: [_form_known_choice] for relation in inspect(model).relationships
            if relation.direction is MANYTOONE}


def form_validators(model) -> dict:
    """{column: [validators]} to add to a FAB-generated form."""
    from wtforms.validators import Length, NumberRange

    added = _choice_checks(model)
    for column in _columns(model):
        if limit := text_limit(column):
            added[column.name] = [_form_no_nul,
                                  Length(max=limit, message=_("不能超过%(max)d个字符"))]
        elif is_date(column):
            added[column.name] = [_form_date_range]
        elif is_integer(column):
            added[column.name] = [NumberRange(INT_MIN, INT_MAX, message=_(
                "须为%(min)s至%(max)s之间的整数"))]
        elif isinstance(column.type, String):
            added[column.name] = [_form_no_nul]
        if is_required_text(column):
            added[column.name].insert(1, _form_not_blank)
        if keeps_no_control(column):  # after the NUL check, which says more
            added[column.name].insert(1, _form_no_control)
    return added


# --- REST (marshmallow) -----------------------------------------------------

def schema_validators(model) -> dict:
    """{column: validator} to add to a FAB-generated marshmallow schema."""
    from marshmallow import validate

    added = {}
    for column in _columns(model):
        if limit := text_limit(column):
            added[column.name] = both(_schema_no_nul, validate.Length(max=limit))
        elif is_date(column):
            added[column.name] = _schema_date_range
        elif is_integer(column):
            added[column.name] = validate.Range(INT_MIN, INT_MAX)
        elif isinstance(column.type, String):
            added[column.name] = _schema_no_nul
        if is_required_text(column):
            given = added.get(column.name)
            added[column.name] = (both(given, _schema_not_blank) if given
                                  else _schema_not_blank)
        if keeps_no_control(column):
            given = added.get(column.name)
            added[column.name] = (both(given, _schema_no_control) if given
                                  else _schema_no_control)
    return added


def form_phone(form, field):
    """联系电话 on a form (rules/phone.py)."""
    from wtforms.validators import ValidationError

    if message := phone_error(field.data):
        raise ValidationError(message)


def schema_phone(value):
    """联系电话 in a REST schema (rules/phone.py)."""
    from marshmallow import ValidationError

    if message := phone_error(value):
        raise ValidationError(message)


def _schema_no_nul(value):
    """As _form_no_nul: SQLite kept a NUL in a 项目名称, PostgreSQL refused the
    INSERT and the client read only the generic 保存失败."""
    from marshmallow import ValidationError

    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(str(_("不能含有空字符（\\x00）")))


def _schema_date_range(value):
    from marshmallow import ValidationError

    day = value.date() if isinstance(value, dt.datetime) else value
    if isinstance(day, dt.date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            f"Must be greater than or equal to {DATE_MIN} and less than or equal to {DATE_MAX}.")


class both:
    """Two marshmallow validators as one (FAB takes one per column); `parts`
    lists the validators inside, for a test to find a column's Length."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    @property
    def parts(self) -> list:
        return [inner for check in (self.first, self.second)
                for inner in (check.parts if isinstance(check, both) else [check])]

    def __call__(self, value):
        self.first(value)
        self.second(value)

