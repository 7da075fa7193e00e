"""FAB's list filters on number and yes/no columns, with the value read as
the column's type before it reaches the database.

FAB passes a filter's text on as it came for a Numeric or Boolean column
and as int() for an Integer one. SQLite compares text with numbers anyway;
PostgreSQL refused it ("operator does not exist: numeric = character
varying", "boolean = character varying", "integer out of range"): a 500
for ?_flt_0_budget=100 typed into an address, 是否推送 (meets_push)=100,
or any number past the column's own range. Here the value is read first:
a number is compared as the number it is, whatever the column's precision
(an unconstrained NUMERIC), and text that is no value of the column's kind
matches nothing under 等于, everything under 不等于, and does not narrow
under 大于/小于, as FAB does with a date it cannot read.
"""
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterEndsWith,
    FilterEqual,
    FilterGreater,
    FilterIn,
    FilterNotContains,
    FilterNotEndsWith,
    FilterNotEqual,
    FilterNotIn,
    FilterNotStartsWith,
    FilterSmaller,
    FilterStartsWith,
    SQLAFilterConverter,
    get_field_setup_query,
)
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext
from sqlalchemy import (ARRAY, Integer, Numeric, String, any_, bindparam, cast, false, func, intersect,
                        literal, select)
from sqlalchemy.exc import SQLAlchemyError

from ...grams import grams as _grams
from ...models import TEXT_GRAMS

# FAB's search form sends "y" for a ticked box; REST filters send true/false.
_YES, _NO = {"y", "true", "1"}, {"n", "false", "0"}
# 10**1000 and beyond is no amount or key: such a text is no value.
_MAX_EXPONENT = 1000


def typed(datamodel, column: str, value):
    """`value` as a value of the column's kind: True/False for a yes/no
    column, a NUMERIC literal for a number column; None when it is none."""
    if datamodel.is_boolean(column):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        return True if text in _YES else False if text in _NO else None
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    return literal(number, Numeric())


class _Typed:
    def apply(self, query, value):
        # FAB's REST filters find a filter class by its arg_name in one
        # registry for every column (models.filters.map_args_filter): these
        # may be asked to filter a text column too, which is FAB's to do.
        if not any(getattr(self.datamodel, kind)(self.column_name)
                   for kind in _NUMBERS_AND_YES_NO):
            return super().apply(query, value)
        query, field = get_field_setup_query(query, self.model, self.column_name)
        return self.narrow(query, field, value)

    def _one(self, value):
        return typed(self.datamodel, self.column_name, value)

    def _many(self, values):
        values = values if isinstance(values, (list, tuple)) else [values]
        return [v for v in (self._one(value) for value in values) if v is not None]


class TypedEqual(_Typed, FilterEqual):
    def narrow(self, query, field, value):
        value = self._one(value)
        return query.filter(false() if value is None else field == value)


class TypedNotEqual(_Typed, FilterNotEqual):
    def narrow(self, query, field, value):
        value = self._one(value)
        return query if value is None else query.filter(field != value)


class TypedGreater(_Typed, FilterGreater):
    def narrow(self, query, field, value):
        value = self._one(value)
        return query if value is None else query.filter(field > value)


class TypedSmaller(_Typed, FilterSmaller):
    def narrow(self, query, field, value):
        value = self._one(value)
        return query if value is None else query.filter(field < value)


class TypedIn(_Typed, FilterIn):
    def narrow(self, query, field, value):
        values = self._many(value)
        return query.filter(field.in_(values) if values else false())


class TypedNotIn(_Typed, FilterNotIn):
    def narrow(self, query, field, value):
        values = self._many(value)
        return query.filter(~field.in_(values)) if values else query


_TYPED = {FilterEqual: TypedEqual, FilterNotEqual: TypedNotEqual, FilterGreater: TypedGreater,
          FilterSmaller: TypedSmaller, FilterIn: TypedIn, FilterNotIn: TypedNotIn}
_NUMBERS_AND_YES_NO = {"is_integer", "is_float", "is_numeric", "is_boolean"}


# --- text: what is typed is matched, not read as a pattern -----------------------

def _literal(value) -> str:
    """`value` for LIKE … ESCAPE '\\': FAB put the text into the pattern as
    typed, so 包含 “%” or “_” listed every row, and a text ending in “\\”
    was a 500 on PostgreSQL (a pattern may not end with its escape)."""
    return str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Text:
    """One of FAB's text filters (same name and arg_name: the search form and
    the REST ?q= filters read the same) matching the text literally."""

    pattern = "%{}%"  # where the text goes
    negated = False

    def apply(self, query, value):
        query, field = get_field_setup_query(query, self.model, self.column_name)
        match = field.ilike(self.pattern.format(_literal(value)), escape="\\")
        return query.filter(~match if self.negated else match)


class TextStartsWith(_Text, FilterStartsWith):
    pattern = "{}%"


class TextNotStartsWith(_Text, FilterNotStartsWith):
    pattern, negated = "{}%", True


class TextEndsWith(_Text, FilterEndsWith):
    pattern = "%{}"


class TextNotEndsWith(_Text, FilterNotEndsWith):
    pattern, negated = "%{}", True


# A gram in more rows than this narrows too little: the rows under it would
# be read one by one where a plain scan reads them in order. “测试”, in all
# 200,000 plans, took 212 ms by its gram against 108 ms scanned.
GRAM_ROWS = 5_000
# The rarest grams whose rows are intersected, at most: each is read from
# the gram table's key alone, and what the intersection leaves is all the
# LIKE reads rows for. At 1,000,000 plans “测试项目01234” has no gram in fewer
# than ~4,000 plans; reading them to test the LIKE was 19 ms a statement,
# the ids under its two rarest grams intersected 2.6 ms, 22 rows read.
INTERSECTED = 2


class TextContains(_Text, FilterContains):
    """With a gram table for the column (`models.TEXT_GRAMS`), only the rows
    under every one of the text's rarest grams (those in at most GRAM_ROWS
    rows, INTERSECTED of them) are checked against the LIKE: 项目名称 包含
    “教育局” read all 200,000 plans twice (the COUNT and the page), 108 ms of
    SQL on SQLite, against 1 ms by its gram. The LIKE still decides; the
    grams only narrow."""

    def apply(self, query, value):
        query = super().apply(query, value)
        indexed = TEXT_GRAMS.get((self.model.__tablename__, self.column_name))
        if indexed is None:
            return query
        narrowing = _narrowing(query.session, self.model, indexed, str(value))
        return query if narrowing is None else query.filter(narrowing)


def _narrowing(session, model, indexed, text: str):
    """`model.id` among the rows under the text's rarest grams, or None when
    no gram narrows. Once a request: a list applies its filters to the
    COUNT and to the page."""
    kept = g.setdefault("gram_narrowing", {}) if has_request_context() else {}
    gram, row = indexed
    key = (gram.class_.__tablename__, text)
    if key not in kept:
        rarest = _rarest(session, gram, text)
        if not rarest:
            kept[key] = None
        else:
            ids = intersect(*(select(row).where(gram == func.lower(piece)) for piece in rarest)) \
                if len(rarest) > 1 else select(row).where(gram == func.lower(rarest[0]))
            if session.get_bind().dialect.name == "postgresql":
                # As an array, not IN (subquery): psycopg prepares a statement
                # on its sixth run, and PostgreSQL's generic plan for the IN
                # scanned every plan for the LIKE, the grams unknown (1,000,000
                # plans: 420 ms against 2.6 ms). An array it takes for a few
                # keys, whatever the grams: the rows are read by id. (Cast, or
                # ANY (SELECT …) would compare with each row, not the array.)
                kept[key] = model.id == any_(cast(
                    select(func.array_agg(ids.subquery().c[0])).scalar_subquery(),
                    ARRAY(Integer)))
            else:
                kept[key] = model.id.in_(ids)
    return kept[key]


# The statement counting n grams of a gram table, built once, the grams
# bound: building it and its cache key each time was ~8 % of a 包含 page.
_COUNTING: dict = {}


def _rarest(session, gram, text: str) -> list[str]:
    """The text's grams in the fewest rows of `gram`'s table, rarest first,
    those in at most GRAM_ROWS and at most INTERSECTED of them."""
    candidates = _grams(text)
    if not candidates:
        return []
    key = (gram.class_.__tablename__, len(candidates))
    statement = _COUNTING.get(key)
    if statement is None:
        statement = _COUNTING[key] = select(*(
            select(func.count()).select_from(
                select(literal(1)).where(gram == func.lower(bindparam(f"gram_{i}", type_=String)))
                .limit(bindparam("rows")).subquery()).scalar_subquery()
            for i in range(len(candidates))))
    counts = session.execute(statement, {"rows": GRAM_ROWS + 1, **{
        f"gram_{i}": candidate for i, candidate in enumerate(candidates)}}).one()
    return [candidate for count, candidate in sorted(zip(counts, candidates))
            if count <= GRAM_ROWS][:INTERSECTED]


class TextNotContains(_Text, FilterNotContains):
    negated = True


_TYPED.update({FilterStartsWith: TextStartsWith, FilterNotStartsWith: TextNotStartsWith,
               FilterEndsWith: TextEndsWith, FilterNotEndsWith: TextNotEndsWith,
               FilterContains: TextContains, FilterNotContains: TextNotContains})
_TEXT_FILTERS = {TextStartsWith, TextNotStartsWith, TextEndsWith, TextNotEndsWith,
                 TextContains, TextNotContains}


class TypedFilterConverter(SQLAFilterConverter):
    """FAB's table of filters by column kind, the typed ones in place of
    FAB's for numbers and yes/no, the literal ones for text (same names,
    same arg_names: the search form and the REST ?q= filters read the same)."""

    conversion_table = tuple(
        (kind, [_TYPED.get(flt, flt) for flt in filters] if kind in _NUMBERS_AND_YES_NO
         else [_TYPED[flt] if _TYPED.get(flt) in _TEXT_FILTERS else flt for flt in filters])
        for kind, filters in SQLAFilterConverter.conversion_table)


# FAB's filters take a list for these and one value for every other.
_LIST_OPERATIONS = {"in", "not_in"}


def rest_filter_refusal(datamodel, column, operation, value):
    """Why a REST ?q= filter's value is no value of its column, or None.
    FAB hands the value on as the client sent it: a number to a text
    column's LIKE was a TypeError, a key past INTEGER an OverflowError, a
    scalar to 在列表中 iterated, each a 500; and FAB's registry (above) may
    hand a number or yes/no column's value to FAB's own untyped filter. So
    a text column takes text, yes/no JSON true/false, a number a JSON number
    within the column's range, a relation its record's key."""
    if not isinstance(column, str):
        return None
    is_list = isinstance(value, list)
    if operation in _LIST_OPERATIONS and not is_list:
        return gettext("查询参数q中%(column)s的筛选值须为列表（如!(a,b)）。", column=column)
    if datamodel.is_relation(column):
        values = value if is_list and operation == "rel_m_m" else [value]
        if not all(_is_key(datamodel, column, v) for v in values):
            return (gettext("查询参数q中%(column)s的筛选值须为记录编号（整数）。", column=column)
                    if _integer_key(datamodel, column)
                    else gettext("查询参数q中%(column)s的筛选值须为文本。", column=column))
        return None
    if column not in datamodel.list_columns:
        return None
    values = value if is_list and operation in _LIST_OPERATIONS else [value]
    if datamodel.is_boolean(column):
        if not all(isinstance(v, bool) for v in values):
            return gettext("查询参数q中%(column)s的筛选值须为true或false（!t或!f）。",
                           column=column)
    elif any(getattr(datamodel, kind)(column) for kind in ("is_integer", "is_float",
                                                          "is_numeric")):
        limit = _number_limit(datamodel, column)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                   and -limit < v < limit for v in values):
            return gettext("查询参数q中%(column)s的筛选值须为不超出该列范围的数。",
                           column=column)
    elif datamodel.is_string(column) or datamodel.is_text(column):
        if not all(isinstance(v, str) for v in values):
            return gettext("查询参数q中%(column)s的筛选值须为文本。", column=column)
    elif datamodel.is_date(column) or datamodel.is_datetime(column):
        # FAB reads a date it cannot parse as none: 大于 and 小于 did not
        # narrow (every row), 等于 matched the rows without a date.
        from ...errors import readable_date

        if not all(readable_date(v) for v in values):
            return gettext("查询参数q中%(column)s的筛选值须为日期或时间（如2026-01-31或"
                           "2026-01-31 09:30）。", column=column)
    return None



def _number_limit(datamodel, column) -> int:
    kind = datamodel.list_columns[column].type
    if datamodel.is_integer(column):
        return 2 ** 63 if getattr(kind, "__visit_name__", "") == "big_integer" else 2 ** 31
    if getattr(kind, "precision", None):
        return 10 ** (kind.precision - (kind.scale or 0))
    return 10 ** 15


def _integer_key(datamodel, column) -> bool:
    from sqlalchemy import Integer, inspect

    key = inspect(datamodel.get_related_model(column)).primary_key[0]
    return isinstance(key.type, Integer)


def _is_key(datamodel, column, value) -> bool:
    from ...errors import KEY_MAX, KEY_MIN

    if not _integer_key(datamodel, column):
        return isinstance(value, str)
    if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit() \
            and len(value) <= 11:
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and KEY_MIN <= value <= KEY_MAX


SAVE_REFUSED = lazy_gettext("保存失败：与已有记录重复、必填项为空或引用的记录不存在，"
                            "未作任何修改。")


class WriteRefused(DatabaseException):
    """A write the database refused, in the user's language. FAB's HTML views
    flash str() of what add/delete raise, which was the SQL with its
    parameters; its REST APIs answer "Database exception occurred: <cause>",
    which validation_messages translates."""

    def __init__(self, message):
        super().__init__(str(message))


class TypedInterface(SQLAInterface):
    """FAB's SQLAlchemy datamodel with the typed filters: every view's and
    REST API's `datamodel` is one (the security views' too, app/security.py).
    A refused write raises WriteRefused (its cause the database's error)."""

    filter_converter_class = TypedFilterConverter

    def add(self, item, commit: bool = True) -> None:
        try:
            super().add(item, commit)
        except SQLAlchemyError as exc:
            raise WriteRefused(SAVE_REFUSED) from exc

    def edit(self, item, commit: bool = True) -> None:
        try:
            super().edit(item, commit)
        except DatabaseException as exc:
            raise WriteRefused(SAVE_REFUSED) from exc.__cause__

    def delete(self, item, commit: bool = True) -> None:
        try:
            super().delete(item, commit)
        except DatabaseException as exc:
            raise WriteRefused(gettext("删除失败：仍有其他记录引用该记录，未作任何修改。")) from exc.__cause__
