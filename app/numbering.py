"""Human-readable serial numbers (计划编号, 备案编号 …) from SequenceCounter."""
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import SequenceCounter

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_value(key: str) -> int:
    """The next value of the named counter, in the caller's transaction.

    One upsert statement: two transactions asking for a new key at once
    cannot both insert it (the second waits on the row, then increments).
    Core, on the session's connection, so a half-built record is not
    autoflushed.
    """
    conn = db.session.connection()
    insert = _INSERTS[conn.dialect.name]
    counters = SequenceCounter.__table__
    statement = (insert(counters).values(key=key, value=1)
                 .on_conflict_do_update(index_elements=[counters.c.key],
                                        set_={"value": counters.c.value + 1})
                 .returning(counters.c.value))
    return conn.execute(statement).scalar_one()
