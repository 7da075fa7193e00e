"""A column page's 共 N 条 comes from notice_column_count (rows per column,
hidden ones too, kept by triggers on published_notice) minus the column's
hidden notices. Every way a notice is written, moved, hidden or removed
keeps it equal to counting the column; the page reads it instead of
counting the column's index."""
import datetime as dt
import random

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from app.extensions import db
from app.models import NOTICE_COLUMNS, NoticeColumnCount, PublishedNotice
from app.public.search import Listing
from app.public.seed import seed_notices

from .helpers import migration
from .test_website_search import add, notice, statements_of


def kept() -> dict[str, int]:
    return {column: notices for column, notices in db.session.execute(
        select(NoticeColumnCount.column, NoticeColumnCount.notices)) if notices}


def counted() -> dict[str, int]:
    return dict(db.session.execute(select(PublishedNotice.column, func.count())
                                   .group_by(PublishedNotice.column)).all())


def shown(column: str) -> int:
    return db.session.execute(select(func.count()).select_from(PublishedNotice).where(
        PublishedNotice.column == column, PublishedNotice.published.is_(True))).scalar_one()


def page_total(column: str) -> int:
    _rows, total, _page = Listing(column).fetch(1, 20)
    return total


def test_the_count_follows_every_write(empty_pds):
    ids = add(empty_pds, notice("C1", "第一号公告"), notice("C2", "第二号公告", hours=1),
              notice("C3", "第三号结果公告", column="结果公告"),
              notice("C4", "撤回的公告", hours=2, published=False))
    with empty_pds.app_context():
        assert kept() == counted() == {"采购公告": 3, "结果公告": 1}
        assert page_total("采购公告") == shown("采购公告") == 2
        # Around store_notice: plain SQL, a bulk INSERT, a move, a delete.
        seed_notices(30, rng=random.Random(7), batch=7)
        assert kept() == counted()
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == ids[0])
                           .values(column="结果公告"))
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == ids[1])
                           .values(column="采购公告", title="同一栏目，改了标题"))
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == ids[2])
                           .values(published=False))
        db.session.execute(delete(PublishedNotice).where(PublishedNotice.id == ids[3]))
        db.session.commit()
        assert kept() == counted()
        for column in NOTICE_COLUMNS:
            assert page_total(column) == shown(column), column
        db.session.execute(insert(PublishedNotice), [
            {**notice(f"B{i}", f"批量{i}"), "lots": [], "published": bool(i % 2)}
            for i in range(5)])
        db.session.commit()
        assert kept() == counted() and page_total("采购公告") == shown("采购公告")


def test_a_rolled_back_write_leaves_the_count(empty_pds):
    add(empty_pds, notice("R1", "第一号公告"))
    with empty_pds.app_context():
        db.session.execute(insert(PublishedNotice), [{**notice("R2", "未提交"), "lots": []}])
        db.session.rollback()
        assert kept() == counted() == {"采购公告": 1}


def test_the_column_page_reads_the_kept_count(empty_pds):
    """One row read, not the column's index counted: no count(*) over
    published_notice on the unfiltered page; with dates it counts."""
    add(empty_pds, *[notice(f"P{i}", f"第{i}号公告", hours=i) for i in range(3)])
    with empty_pds.app_context():
        seen = statements_of(lambda: page_total("采购公告"))
        assert any("notice_column_count" in sql for sql, _params in seen), seen
        assert not any("count(" in sql and "published_notice" in sql
                       for sql, _params in seen), seen
        seen = statements_of(lambda: Listing("采购公告", since=dt.date(2026, 3, 1)).fetch(1, 20))
        assert not any("notice_column_count" in sql for sql, _params in seen), seen


def test_the_migration_fills_the_counts_of_notices_already_stored(empty_pds):
    add(empty_pds, notice("M1", "第一号公告"), notice("M2", "结果", column="结果公告"),
        notice("M3", "撤回", published=False))
    migrated = migration("d2f4a6c8e0b3")
    with empty_pds.app_context():
        before = kept()
        db.session.execute(delete(NoticeColumnCount))
        db.session.execute(text(migrated.BACKFILL))
        db.session.commit()
        assert kept() == before == counted() == {"采购公告": 2, "结果公告": 1}


def test_a_truncate_empties_the_counts(empty_pds):
    with empty_pds.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's")
    add(empty_pds, notice("T1", "第一号公告"))
    with empty_pds.app_context():
        db.session.execute(text("TRUNCATE published_notice CASCADE"))
        db.session.commit()
        assert kept() == counted() == {} and page_total("采购公告") == 0
        add(empty_pds, notice("T2", "第二号公告"))
        assert kept() == counted() == {"采购公告": 1}
