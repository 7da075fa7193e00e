"""A REST `?q=` checked against the schema FAB gives its endpoint, before
FAB checks it: FAB answers a mismatch with jsonschema's own English
("'x' is not of type 'integer'") inside the 400; this answers the same
mismatch in the user's language, naming the place in `q` that is wrong."""
from flask_appbuilder.api.schemas import get_info_schema, get_item_schema, get_list_schema
from flask_babel import gettext
from flask_babel import lazy_gettext as _
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

# The endpoints FAB's @rison checks, each with its schema (flask_appbuilder/api).
SCHEMAS = {"get_list": get_list_schema, "get": get_item_schema, "info": get_info_schema}

# One whole sentence per type, so that each translates as a sentence.
TYPES = {"object": _("%(where)s应为对象。"), "array": _("%(where)s应为列表。"),
         "string": _("%(where)s应为文本。"), "integer": _("%(where)s应为整数。"),
         "number": _("%(where)s应为数字。"), "boolean": _("%(where)s应为true或false。")}

_validators: dict = {}


def _validator(method: str):
    # The class jsonschema.validate (FAB's call) picks for a schema without
    # $schema, and its choice of the one error to report: the same verdict.
    if (validator := _validators.get(method)) is None:
        schema = SCHEMAS[method]
        validator = _validators[method] = validator_for(schema)(schema)
    return validator


def refusal(method: str, args) -> str | None:
    """The message for a 400 when `args` (the parsed `q`) does not fit the
    schema of endpoint `method` ("get_list", "get", "info"); None when it
    fits or the endpoint has none."""
    if method not in SCHEMAS:
        return None
    error = best_match(_validator(method).iter_errors(args))
    if error is None:
        return None
    where = _place(error.absolute_path)
    kind = error.validator
    if kind == "type" and error.validator_value in TYPES:
        return str(TYPES[error.validator_value]) % {"where": where}
    if kind == "enum":
        return gettext("%(where)s应为以下之一：%(choices)s。", where=where,
                       choices=_list(error.validator_value))
    if kind == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        return gettext("%(where)s缺少%(names)s。", where=where, names=_list(missing))
    if kind == "anyOf":  # a filter's value
        return gettext("%(where)s应为数字、文本、是/否值，或由它们组成的列表。", where=where)
    return gettext("%(where)s不符合要求。", where=where)


def _list(names) -> str:
    return gettext("、").join(str(name) for name in names)  # "、" in English: ", "


def _place(path) -> str:
    """'查询参数q' itself, or the place in it: filters[0].value."""
    place = ""
    for step in path:
        place += f"[{step}]" if isinstance(step, int) else (f".{step}" if place else str(step))
    if not place:
        return gettext("查询参数q")
    return gettext("查询参数q中的%(place)s", place=place)
