"""Human-readable serial numbers (计划编号, 备案编号 …) from SequenceCounter."""
from sqlalchemy import insert, select, update

from .extensions import db
from .models import SequenceCounter


def next_value(key: str) -> int:
    """The next value of the named counter, in the caller's transaction."""
    counters = SequenceCounter.__table__
    # Core statements on the session's connection: the row is locked by the
    # UPDATE until commit, and a half-built record is not autoflushed.
    conn = db.session.connection()
    bumped = conn.execute(update(counters).where(counters.c.key == key)
                          .values(value=counters.c.value + 1)).rowcount
    if not bumped:
        conn.execute(insert(counters).values(key=key, value=1))
    return conn.execute(select(counters.c.value).where(counters.c.key == key)).scalar_one()
