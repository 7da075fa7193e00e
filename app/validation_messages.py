"""marshmallow's and FAB's English messages in the user's language.

The REST APIs (views/common/base.py) answer their 400s and 422s through
`translate`; the sync inbox writes a peer's refused payload with `describe`,
so 拒收记录 and the answer the peer keeps read in Chinese too. Below the
views and the sync engine alike: it imports nothing of the app.
"""
import re

from flask_babel import lazy_gettext as _

# English message (marshmallow 3, FAB's REST layer) → Chinese msgid; named
# groups are filled into the translation.
MESSAGES = [
    (r"Not a valid naive datetime\.", _("须为不带时区的本地时间（如2026-05-10T09:00:00）。")),
    (r"Not a valid aware datetime\.", _("须为带时区的时间（如2026-05-10T09:00:00+08:00）。")),
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
    (r"Must be greater than (?P<min>\S+) and less than or equal to (?P<max>\S+)\.",
     _("须大于%(min)s且不超过%(max)s。")),
    (r"Must be greater than (?P<min>\S+)\.", _("须大于%(min)s。")),
    (r"Must be less than (?P<max>\S+)\.", _("须小于%(max)s。")),
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


def describe(messages) -> str:
    """A ValidationError's messages as one line a person reads: each field's
    path (lots[0].budget) and its translated messages."""
    parts = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                step = (f"[{key}]" if isinstance(key, int)
                        else "" if key == "_schema" else f".{key}" if path else str(key))
                walk(inner, path + step)
        elif isinstance(value, (list, tuple)):
            texts = [str(translate(item)) for item in value if not isinstance(item, (dict, list))]
            if texts:
                parts.append(f"{path}：{''.join(texts)}" if path else "".join(texts))
            for item in value:
                if isinstance(item, (dict, list)):
                    walk(item, path)
        else:
            text = str(translate(value))
            parts.append(f"{path}：{text}" if path else text)

    walk(messages, "")
    return "；".join(parts)


def describe_validator(validator) -> str:
    """A schema field's check as _info shows it: FAB printed the validator
    object ("<Length(min=None, max=200, equal=None, error=None)>")."""
    from marshmallow import validate

    def said(message, **values):
        return str(message) % values

    if isinstance(validator, validate.Length):
        low, high, equal = validator.min, validator.max, validator.equal
        if equal is not None:
            return said(_("长度须为%(equal)s个字符。"), equal=equal)
        if low is not None and high is not None:
            return said(_("长度须在%(min)s至%(max)s个字符之间。"), min=low, max=high)
        if high is not None:
            return said(_("长度不能超过%(max)s个字符。"), max=high)
        return said(_("长度不能少于%(min)s个字符。"), min=low)
    if isinstance(validator, validate.OneOf):
        return said(_("必须是以下之一：%(choices)s。"),
                    choices=", ".join(str(choice) for choice in validator.choices))
    if isinstance(validator, validate.Range):
        low, high = validator.min, validator.max
        if low is not None and high is not None:
            return said(_("须在%(min)s至%(max)s之间。"), min=low, max=high)
        if low is not None:
            return said(_("不能小于%(min)s。") if validator.min_inclusive else _("须大于%(min)s。"),
                        min=low)
        if high is not None:
            return said(_("不能大于%(max)s。") if validator.max_inclusive else _("须小于%(max)s。"),
                        max=high)
    if isinstance(validator, validate.Regexp):
        return said(_("须符合格式：%(pattern)s"), pattern=validator.regex.pattern)
    return str(_("另有校验规则（见保存时的提示）。"))
