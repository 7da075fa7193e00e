"""The row count of a list whose table grows with a province's volume,
counted only as far as anyone reads it.

FAB counts every matching row on every page: a 经办岗's ~500,000 plans or
a city's ~830,000 at 1,000,000 (docs/benchmarks.md), the largest part of
such a page on PostgreSQL, and under load (bench/load) the COUNTs were what
kept both CPUs busy. Nobody pages through 10,000 rows; they filter. So
these lists count up to LIST_COUNT_CAP + 1 rows (a LIMIT inside the COUNT:
the database stops there) and say "超过 10,000" beyond it. The pager still
links only to pages that exist, since the count it gets is cap + 1 and
that row is there. A list under the cap shows its exact count as before.
The REST lists keep FAB's exact count: a client pages by it.
"""
import enum
from functools import reduce

from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import MANYTOONE
from sqlalchemy.orm.attributes import set_committed_value

from .typed_filters import TypedFilterConverter, TypedInterface


class MoreThan(int):
    """A count that stopped past the cap: there are more than `shown` rows.
    As a number it is shown + 1, the rows actually seen."""

    def __new__(cls, shown: int):
        count = super().__new__(cls, shown + 1)
        count.shown = shown
        return count


def at_most(counted: int, cap: int) -> int:
    """What a count of at most cap + 1 rows says: the count, or MoreThan(cap)."""
    return MoreThan(cap) if counted > cap else counted


def capped_count(query) -> int:
    """A hand-made list's count (an ORM query's rows), as far as the lists
    count: at_most(…, LIST_COUNT_CAP)."""
    cap = current_app.config["LIST_COUNT_CAP"]
    return at_most(query.order_by(None).limit(cap + 1).count(), cap)


class ConvertedOnce(TypedFilterConverter):
    """FAB builds a Filters object three times a list page (the page's own,
    the joined and the inner ones), and each converts every column of the
    model into its filter objects: ~600 objects and ~7 % of a 采购计划 page,
    for filters that depend only on the column's type. A filter holds
    nothing but its column and datamodel (FAB shares the view's across
    requests already), so a datamodel converts each column once. Callers get
    a list of their own: Filters extends its lists with a view's
    search_filters."""

    def convert(self, col_name):
        converted = self.datamodel.__dict__.setdefault("_converted_filters", {})
        if col_name not in converted:
            converted[col_name] = super().convert(col_name)
        filters = converted[col_name]
        return None if filters is None else list(filters)


_MISSING = object()


class CappedCount(TypedInterface):
    filter_converter_class = ConvertedOnce

    @staticmethod
    def _get_attr_value(item, col):
        """FAB's, reading the attribute once instead of three times: a list
        page reads ~200 cells, each an ORM descriptor call per read. A value
        already loaded is read from the record's own dict, where the ORM's
        descriptor would find it too; one not loaded (expired, deferred, a
        relation not yet read, a property) through the descriptor."""
        try:
            value = item.__dict__.get(col, _MISSING)
        except AttributeError:  # no dict of its own
            value = _MISSING
        if value is _MISSING:
            value = getattr(item, col, _MISSING)
        if value is _MISSING:  # a dotted column: an attribute of a related record
            try:
                return reduce(getattr, col.split("."), item)
            except Exception:
                return ""
        if callable(value):
            return value()
        return value.value if isinstance(value, enum.Enum) else value

    def query_count(self, query, filters=None, select_columns=None) -> int:
        cap = current_app.config["LIST_COUNT_CAP"]
        return at_most(self._apply_inner_all(query, filters, select_columns=select_columns,
                                             aliases_mapping={}).limit(cap + 1).count(), cap)

    def get_values(self, lst, list_columns):
        """FAB's, with the records that many-to-one columns show (a plan's
        采购单位, `unit` or `unit.name`) read for the whole page in one
        SELECT … IN first. FAB's list query loads only their keys, so each
        distinct one was a lazy load as its cell was drawn: 3–4 statements
        on an agency's or a regulator's 采购计划 page, whose plans come from
        several units. Those already in the session cost nothing. Each row
        is then given its record from the session, as its lazy load would
        have (that was ~2 % of a page, 20 rows × 2 relations)."""
        lst = list(lst)
        # Held until the rows are drawn: the session keeps unchanged records
        # only as long as something else refers to them.
        loaded = [self.load_many_to_one(lst, relation)
                  for relation in {column.split(".")[0] for column in list_columns}]
        for item in lst:
            yield {column: self._get_attr_value(item, column) for column in list_columns}
        del loaded

    def load_many_to_one(self, items, relation) -> list:
        prop = sa_inspect(self.obj).relationships.get(relation)
        if prop is None or prop.direction is not MANYTOONE or len(prop.local_columns) != 1 \
                or not getattr(prop.strategy, "use_get", False):
            # Not a plain key lookup: the lazy load would not look in the
            # session, and neither do we.
            return []
        target = prop.mapper
        key = self.obj.__mapper__.get_property_by_column(next(iter(prop.local_columns))).key
        ids = {getattr(item, key) for item in items} - {None}
        identity_map = self.session.identity_map
        missing = [id_ for id_ in ids
                   if target.identity_key_from_primary_key([id_]) not in identity_map]
        loaded = self.session.scalars(select(target).where(
            target.primary_key[0].in_(missing))).all() if missing else []
        for item in items:
            state = item.__dict__
            if relation in state or key not in state:
                continue  # read already, or its key is not loaded: the ORM's way
            id_ = state[key]
            record = None if id_ is None else \
                identity_map.get(target.identity_key_from_primary_key([id_]))
            if id_ is not None and (record is None or sa_inspect(record).expired):
                continue  # gone, or to be read again: the lazy load decides
            set_committed_value(item, relation, record)
        return loaded
