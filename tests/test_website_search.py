"""The website's 标题 search through notice_title_gram (every two-character
substring of a published title, with its date, kept by triggers): it finds
exactly what the plain LIKE found, never a hidden notice, it uses the grams,
and it lists the newest matches (SEARCH_LIMIT) by relevance."""
import datetime as dt
import random

import pytest
from flask import current_app
from sqlalchemy import delete, event, select, text, update

from app.extensions import db
from app.models import NoticeTitleGram, NoticeTitleTrigram, PublishedNotice
from app import grams
from app.public import search
from app.public.notices import store_notice
from app.public.search import Listing
from app.public.seed import seed_notices

from .helpers import migration

BASE = dt.datetime(2026, 3, 1, 9, 0)


def notice(key, title, column="采购公告", hours=0, **values):
    return {"notice_key": key, "column": column, "title": title, "body_html": "<p>正文</p>",
            "published_at": BASE + dt.timedelta(hours=hours), **values}


def add(app, *items):
    with app.app_context():
        ids = [store_notice(item).id for item in items]
        db.session.commit()
    return ids


def found(title: str, column: str = "采购公告", per_page: int = 100) -> list[int]:
    rows, total, _page = Listing(column, title).fetch(1, per_page)
    assert total == len(rows)
    return [row.id for row in rows]


def fold(text: str) -> str:
    """ASCII letters lower-cased, as SQLite's LIKE and lower() see them."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                        "abcdefghijklmnopqrstuvwxyz"))


def expected(query: str, column: str = "采购公告") -> list[int]:
    """What the plain search answers: published rows of the column whose
    title contains `query`, ASCII case ignored; the whole title first, then
    titles beginning with it, then the rest, each newest first."""
    rows = db.session.execute(
        select(PublishedNotice.id, PublishedNotice.title)
        .where(PublishedNotice.column == column, PublishedNotice.published.is_(True))
        .order_by(PublishedNotice.published_at.desc(), PublishedNotice.id.desc())).all()
    q = fold(query)
    matching = [(id_, fold(title)) for id_, title in rows if q in fold(title)]
    tier = {0: [], 1: [], 2: []}
    for id_, title in matching:  # a stable split keeps newest first within each
        tier[0 if title == q else 1 if title.startswith(q) else 2].append(id_)
    return tier[0] + tier[1] + tier[2]


def grams_of(notice_id: int) -> set[tuple[str, str]]:
    """The notice's rows in notice_title_gram (each of 2 characters) and
    notice_title_trigram (each of 3)."""
    found = set()
    for table, size in ((NoticeTitleGram, 2), (NoticeTitleTrigram, 3)):
        rows = set(db.session.execute(select(table.gram, table.column)
                                      .where(table.notice_id == notice_id)).all())
        assert all(len(gram) == size for gram, _column in rows), rows
        found |= rows
    return found


def grams_in(title: str, column: str = "采购公告") -> set[tuple[str, str]]:
    """Its two- and three-character substrings, lower-cased."""
    lowered = fold(title)
    return {(lowered[i:i + n], column) for n in (2, 3) for i in range(len(lowered) - n + 1)}


TITLES = [
    "平顶山市教育局台式计算机采购项目公开招标采购公告",
    "叶县医院CT-64排机维修服务（第1标段）询价公告",
    "公告公告公告：100%_达标 Ab",  # repeated grams, wildcards, a space, ASCII case
]


@pytest.mark.parametrize("title", TITLES)
def test_every_substring_of_two_or_more_characters_finds_the_notice(empty_pds, title):
    """Every substring of 2+ characters (and its ASCII case swapped) answers
    exactly what LIKE answers: the notice, with the decoys' own matches, and
    never the hidden twin or the other column's twin."""
    ids = add(empty_pds,
              notice("T", title, hours=2),
              notice("HIDDEN", title, hours=3, published=False),
              notice("OTHER-COLUMN", title, column="结果公告", hours=4),
              notice("DECOY-1", "平顶山市教育局办公家具采购公告", hours=1),
              notice("DECOY-2", "方城县公告：达标 AB 100%", hours=5))
    target, hidden, other = ids[:3]
    substrings = {title[i:j] for i in range(len(title)) for j in range(i + 2, len(title) + 1)}
    with empty_pds.app_context():
        for query in sorted(substrings):
            for variant in {query, query.swapcase()}:
                answer = found(variant)
                assert target in answer, variant
                assert hidden not in answer and other not in answer, variant
                assert answer == expected(variant), variant


def test_results_come_by_relevance_then_date(empty_pds):
    """The whole title, then titles beginning with the text, then the rest;
    newest first within each, whatever the dates across them."""
    ids = add(empty_pds,
              notice("R-EXACT", "教育局", hours=1),
              notice("R-PREFIX-OLD", "教育局台式计算机采购公告", hours=2),
              notice("R-PREFIX-NEW", "教育局办公家具采购公告", hours=3),
              notice("R-INSIDE-NEW", "平顶山市教育局多媒体设备采购公告", hours=9),
              notice("R-INSIDE-OLD", "叶县教育局课桌椅采购公告", hours=4),
              notice("R-HIDDEN", "教育局", hours=10, published=False))
    exact, prefix_old, prefix_new, inside_new, inside_old, hidden = ids
    with empty_pds.app_context():
        assert found("教育局") == [exact, prefix_new, prefix_old, inside_new, inside_old]
        # No title is “教育”: three begin with it (newest first), two hold it.
        assert found("教育") == [prefix_new, prefix_old, exact, inside_new, inside_old]
        assert hidden not in found("教育局")
        rows, total, _ = Listing("采购公告", "教育局").fetch(2, 2)  # paging keeps the order
        assert [row.id for row in rows] == [prefix_old, inside_new] and total == 5


def test_one_character_search_scans_with_pages(empty_pds):
    add(empty_pds, *[notice(f"ONE-{i:02d}", f"第{i:02d}号教育局公告", hours=i) for i in range(25)],
        notice("ONE-HIDDEN", "教育局隐藏公告", hours=30, published=False),
        notice("ONE-OTHER", "卫健委公告", hours=31))
    with empty_pds.app_context():
        listing = Listing("采购公告", "教")
        assert listing.counted == [] and listing.scan  # no gram holds one character
        first, total, page = listing.fetch(1, 20)
        assert (len(first), total, page) == (20, 25, 1)
        second, total, page = listing.fetch(2, 20)
        assert (len(second), total, page) == (5, 25, 2)
        assert [row.id for row in first + second] == expected("教")
        assert found("_") == [] and found("%") == []


def test_grams_follow_every_change_of_a_notice(empty_pds):
    """Insert, new title, new column, withdrawal, republication, deletion:
    the grams are always exactly those of the published title."""
    [nid] = add(empty_pds, notice("G1", "教育局采购公告"))
    with empty_pds.app_context():
        assert grams_of(nid) == grams_in("教育局采购公告")
    add(empty_pds, notice("G1", "卫健委设备采购公告", version=2))
    with empty_pds.app_context():
        assert grams_of(nid) == grams_in("卫健委设备采购公告")
        assert found("教育") == [] and found("健委") == [nid]
    add(empty_pds, notice("G1", "卫健委设备采购结果公告", column="结果公告", version=3))
    with empty_pds.app_context():
        assert grams_of(nid) == grams_in("卫健委设备采购结果公告", "结果公告")
        assert found("健委") == [] and found("健委", "结果公告") == [nid]
    add(empty_pds, notice("G1", "卫健委设备采购结果公告", column="结果公告", version=4,
                     published=False))
    with empty_pds.app_context():
        assert grams_of(nid) == set()
        assert found("健委", "结果公告") == []
    add(empty_pds, notice("G1", "卫健委设备采购结果公告", column="结果公告", version=5))
    with empty_pds.app_context():
        assert found("健委", "结果公告") == [nid]
        # Written around store_notice: the triggers see plain SQL too.
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(title="直接改写的标题"))
        db.session.commit()
        assert grams_of(nid) == grams_in("直接改写的标题", "结果公告")
        # A new date moves the grams with it (they are keyed by date).
        moved = BASE + dt.timedelta(days=40)
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(published_at=moved))
        db.session.commit()
        assert grams_of(nid) == grams_in("直接改写的标题", "结果公告")
        for table in (NoticeTitleGram, NoticeTitleTrigram):
            assert set(db.session.execute(select(table.published_at).where(
                table.notice_id == nid)).scalars()) == {moved}
        dated = Listing("结果公告", "改写", since=moved.date(), until=moved.date())
        assert [row.id for row in dated.fetch(1, 20)[0]] == [nid]
        assert Listing("结果公告", "改写", until=BASE.date()).fetch(1, 20)[0] == []
        db.session.execute(delete(PublishedNotice).where(PublishedNotice.id == nid))
        db.session.commit()
        assert grams_of(nid) == set()


def test_the_migration_fills_the_trigrams_of_notices_already_stored(empty_pds):
    ids = add(empty_pds, notice("B1", "教育局台式计算机采购"), notice("B2", "AbC公告", column="结果公告"),
              notice("B3", "撤回的公告", published=False), notice("B4", "短公"))
    migrated = migration("a3c5e7f9b1d4")
    with empty_pds.app_context():
        before = {id_: grams_of(id_) for id_ in ids}
        db.session.execute(delete(NoticeTitleTrigram))
        db.session.execute(text(migrated.PG_BACKFILL if db.engine.dialect.name == "postgresql"
                                else migrated.SQLITE_BACKFILL))
        db.session.commit()
        assert {id_: grams_of(id_) for id_ in ids} == before == {
            ids[0]: grams_in("教育局台式计算机采购"), ids[1]: grams_in("AbC公告", "结果公告"),
            ids[2]: set(), ids[3]: grams_in("短公")}


def test_a_notice_hidden_from_the_start_has_no_grams(empty_pds):
    [nid] = add(empty_pds, notice("H1", "从未发布的教育局公告", published=False))
    with empty_pds.app_context():
        assert grams_of(nid) == set()
        assert found("教育局") == [] and found("从未发布") == []


def test_one_character_search_reads_only_the_newest_matches(empty_pds, monkeypatch):
    """A 1-character search stops after SCAN_LIMIT matches, newest first, and
    says so; relevance orders the matches it read."""
    monkeypatch.setattr(search, "SEARCH_LIMIT", 30)
    add(empty_pds, *[notice(f"CAP-{i:02d}", f"第{i:02d}号教育局公告", hours=i) for i in range(45)],
        notice("CAP-OLD-PREFIX", "教材采购公告", hours=-5),  # older than the newest 30
        notice("CAP-NEW-PREFIX", "教具采购公告", hours=40.5),
        notice("CAP-HIDDEN", "教育局隐藏公告", hours=60, published=False))
    with empty_pds.app_context():
        newest = expected("教")
        by_date = db.session.execute(
            select(PublishedNotice.id).where(PublishedNotice.title.contains("教"),
                                             PublishedNotice.published.is_(True))
            .order_by(PublishedNotice.published_at.desc())).scalars().all()[:30]
        listing = Listing("采购公告", "教")
        first, total, page = listing.fetch(1, 20)
        assert (len(first), total, page, listing.more) == (20, 30, 1, True)
        second, total, page = listing.fetch(2, 20)
        assert (len(second), total, page) == (10, 30, 2)
        shown = [row.id for row in first + second]
        assert sorted(shown) == sorted(by_date)
        assert shown == [i for i in newest if i in by_date]  # relevance, then date
        assert shown[0] == add_id(empty_pds, "CAP-NEW-PREFIX")
        # A page past the 30 read gives the last of them; the count says 30 too.
        past, total, page = Listing("采购公告", "教").fetch(9, 20)
        assert (total, page, [row.id for row in past]) == (30, 2, shown[20:])
        assert Listing("采购公告", "教").count() == 30
        # Fewer matches than the limit: all of them, and no "more".
        few = Listing("采购公告", "材")
        rows, total, _page = few.fetch(1, 20)
        assert (total, few.more) == (1, False)
    client = empty_pds.test_client()
    page = client.get("/web/caigou/?title=教").get_data(as_text=True)
    assert "共超过 <strong id=\"total\">30</strong> 条" in page
    assert "只输入一个字时，只在最新的 10000 条公告中查找，最多列出 30 条" in page
    page = client.get("/web/caigou/?title=教育局公").get_data(as_text=True)
    assert "共超过 <strong id=\"total\">30</strong> 条" in page and "只输入一个字" not in page
    assert "符合条件的公告超过 30 条，只列出最新的 30 条" in page
    page = client.get("/web/caigou/?title=采购公告").get_data(as_text=True)
    assert "共 <strong id=\"total\">2</strong> 条" in page and "符合条件" not in page


def test_a_common_word_lists_ten_pages_and_says_so(empty_pds):
    """The limit as readers meet it (no monkeypatch): a word in more titles
    than SEARCH_LIMIT lists the newest SEARCH_LIMIT, ten pages of PER_PAGE,
    and asks for more characters or dates."""
    from app.public import query
    assert search.SEARCH_LIMIT == 10 * query.PER_PAGE
    count = search.SEARCH_LIMIT + 5
    add(empty_pds, *[notice(f"TEN-{i:03d}", f"第{i:03d}号教育局采购公告", hours=i)
                     for i in range(count)])
    client = empty_pds.test_client()
    page = client.get("/web/caigou/?title=教育局").get_data(as_text=True)
    assert f"共超过 <strong id=\"total\">{search.SEARCH_LIMIT}</strong> 条，第 1/10 页" in page
    assert (f"符合条件的公告超过 {search.SEARCH_LIMIT} 条，只列出最新的 "
            f"{search.SEARCH_LIMIT} 条；请输入更多的字，或限定发布日期。") in page
    last = client.get("/web/caigou/?title=教育局&page=10").get_data(as_text=True)
    # The last page ends with the oldest of those listed: the 200th newest.
    assert f"第{count - search.SEARCH_LIMIT:03d}号教育局采购公告" in last
    assert f"第{count - search.SEARCH_LIMIT - 1:03d}号教育局采购公告" not in last


def test_a_longer_search_lists_the_newest_matches_by_relevance(empty_pds, monkeypatch):
    """A search of 2+ characters stops after SEARCH_LIMIT matches, newest
    first (within its dates), and orders those by relevance; it walks its
    rarest gram."""
    monkeypatch.setattr(search, "SEARCH_LIMIT", 30)
    add(empty_pds, *[notice(f"W-{i:02d}", f"第{i:02d}号平顶山市教育局公告", hours=i) for i in range(45)],
        *[notice(f"W-EDU-{i:02d}", f"教育设备{i:02d}", hours=i + 0.5) for i in range(40)],
        notice("W-OLD-PREFIX", "教育局采购公告", hours=-5),  # older than the newest 30
        notice("W-NEW-EXACT", "教育局", hours=20.2),
        notice("W-HIDDEN", "平顶山市教育局隐藏公告", hours=60, published=False),
        notice("W-CODE", "平顶山市教育局电脑采购公告", hours=30.5, project_code="ZX-2026-7"))

    def newest_matches(since=None, until=None):
        rows = db.session.execute(
            select(PublishedNotice.id, PublishedNotice.published_at)
            .where(PublishedNotice.title.contains("教育局"), PublishedNotice.published.is_(True))
            .order_by(PublishedNotice.published_at.desc())).all()
        return [id_ for id_, at in rows
                if (since is None or at >= since) and (until is None or at < until)][:30]

    with empty_pds.app_context():
        listing = Listing("采购公告", "教育局")
        first, total, page = listing.fetch(1, 20)
        assert (len(first), total, page, listing.more) == (20, 30, 1, True)
        # Three characters: one trigram, walked.
        assert (listing.table, listing.values["g0"]) == (NoticeTitleTrigram, "教育局")
        second, _total, _page = listing.fetch(2, 20)
        shown = [row.id for row in first + second]
        newest = newest_matches()
        assert shown == [i for i in expected("教育局") if i in newest]  # relevance, then date
        assert shown[0] == add_id(empty_pds, "W-NEW-EXACT")
        assert add_id(empty_pds, "W-OLD-PREFIX") not in shown
        assert Listing("采购公告", "教育局").count() == 30
        # Within dates: that range's newest matches, all 16 of them here.
        since, until = BASE.date() - dt.timedelta(days=1), BASE.date()
        dated = Listing("采购公告", "教育局", since=since, until=until)
        rows, total, _page = dated.fetch(1, 50)
        in_range = newest_matches(dt.datetime.combine(since, dt.time()),
                                  dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
        assert (total, dated.more, len(in_range)) == (16, False, 16)
        assert [row.id for row in rows] == [i for i in expected("教育局") if i in in_range]
        assert rows[0].id == add_id(empty_pds, "W-OLD-PREFIX")
        # Title and code together: both decide.
        assert [row.id for row in Listing("采购公告", "教育局", code="zx-2026").fetch(1, 20)[0]] \
            == [add_id(empty_pds, "W-CODE")]


def test_one_character_search_reads_only_the_newest_rows(empty_pds, monkeypatch):
    """However rare the character, a 1-character search reads at most the
    newest SCAN_WINDOW rows of the column (within its dates), and says so."""
    monkeypatch.setattr(search, "SCAN_WINDOW", 10)
    [old] = add(empty_pds, notice("RARE-OLD", "龘字公告", hours=-100))
    add(empty_pds, *[notice(f"WIN-{i:02d}", f"第{i:02d}号公告", hours=i) for i in range(12)],
        notice("WIN-HIDDEN", "龘隐藏公告", hours=50, published=False))
    [recent] = add(empty_pds, notice("RARE-NEW", "龘字新公告", hours=5.5))
    with empty_pds.app_context():
        listing = Listing("采购公告", "龘")
        rows, total, _page = listing.fetch(1, 20)
        assert ([row.id for row in rows], total, listing.more) == ([recent], 1, False)
        assert listing.count() == 1
        # Within the dates asked for, the window is that range's newest rows.
        dated = Listing("采购公告", "龘", since=(BASE - dt.timedelta(days=5)).date(),
                        until=(BASE - dt.timedelta(days=1)).date())
        assert [row.id for row in dated.fetch(1, 20)[0]] == [old]
        # Code and 1-character title together: both checked within the window.
        assert [row.id for row in Listing("采购公告", "龘", code="RARE").fetch(1, 20)[0]] == []
    client = empty_pds.test_client()
    page = client.get("/web/caigou/?title=龘").get_data(as_text=True)
    assert "只输入一个字时，只在最新的 10 条公告中查找" in page
    assert f'/web/notices/{recent}"' in page and f'/web/notices/{old}"' not in page


def add_id(app, key: str) -> int:
    return db.session.execute(select(PublishedNotice.id).where(
        PublishedNotice.notice_key == key)).scalar_one()


def test_seeded_notices_are_indexed_too(empty_pds):
    """The seeder's bulk INSERT passes through the triggers."""
    with empty_pds.app_context():
        seed_notices(24, unpublished=6, rng=random.Random(7), now=BASE)
        rows = db.session.execute(select(PublishedNotice.id, PublishedNotice.column,
                                         PublishedNotice.title, PublishedNotice.published)).all()
        assert len(rows) == 30
        for id_, column, title, published in rows:
            assert grams_of(id_) == (grams_in(title, column) if published else set())


def statements_of(run) -> list[tuple[str, object]]:
    """The SQL (and parameters) `run()` executes."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def plan_of(sql: str, params) -> str:
    """The statement's plan, one line per step joined by " / ". On
    PostgreSQL without sequential scans: a table this small is cheapest to
    scan; the plan that matters at size is the one without that choice."""
    conn = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        return " / ".join(row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, params))
    conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return " / ".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql, params))


def _search_statements(query: str) -> list[tuple[str, object]]:
    """The SQL (and parameters) a title search runs."""
    return [(sql, params) for sql, params in statements_of(lambda: found(query))
            if "notice_title_" in sql]


def test_title_search_uses_the_grams_not_a_scan(empty_pds):
    add(empty_pds, *[notice(f"I{i:03d}", f"第{i:03d}号平顶山市教育局采购公告", hours=i)
                for i in range(60)])
    with empty_pds.app_context():
        # The grams counted (to walk the rarest: since the window's cutoff,
        # then, as each is in fewer than SEARCH_LIMIT there, in full), then
        # the page.
        [since, counts, (sql, params)] = _search_statements("教育局采购")
        assert "walked" not in since[0] + counts[0] and "walked" in sql
        plan = plan_of(sql, params)
        if db.engine.dialect.name == "sqlite":
            assert "SEARCH walked USING PRIMARY KEY (gram=? AND column=?)" in plan, plan
            assert "SEARCH published_notice USING INTEGER PRIMARY KEY (rowid=?)" in plan
            assert "SCAN published_notice" not in plan and "(column=?)" not in plan, plan
            # The walk is in the key's order (newest first): no sort before
            # the LIMIT that stops it, only after (relevance, of those read).
            walk = plan[plan.index("SEARCH walked"):plan.index("SCAN found")]
            assert "TEMP B-TREE" not in walk, plan
            # What was read is kept and read again for the total and the
            # page, never walked twice.
            assert plan.count("MATERIALIZE found") == 1 and plan.count("SEARCH walked") == 1, plan
        else:
            # The gram's postings read newest first, nothing hashed or
            # sorted before the LIMIT.
            assert ("Scan Backward using notice_title_trigram_pkey on notice_title_trigram"
                    in plan), plan
            assert "Seq Scan" not in plan and "Hash" not in plan, plan
            walk = plan[plan.index("CTE found"):plan.index("InitPlan")]
            assert "Sort" not in walk and "Limit" in walk, plan
        # A 1-character search runs no gram query at all.
        assert _search_statements("教") == []


def test_a_walk_reads_the_gram_rarest_among_the_newest_notices(empty_pds, monkeypatch):
    """The walk goes newest first: when every gram is common among the newest
    SCAN_WINDOW notices, the rarest there is walked, not the rarest overall.
    When one is rare there (or absent), the walk may go on into older
    notices, where those counts say nothing: the grams are counted in full.
    (4-character texts: two trigrams each.)"""
    monkeypatch.setattr(search, "SCAN_WINDOW", 20)
    monkeypatch.setattr(search, "SEARCH_LIMIT", 3)
    add(empty_pds,
        *[notice(f"OLD-{i:02d}", f"乙丙丁旧公告{i:02d}", hours=-50 + i) for i in range(20)],
        *[notice(f"OLD-D-{i:02d}", f"乙丙戊旧公告{i:02d}", hours=-100 + i) for i in range(30)],
        notice("OLD-MATCH", "甲乙丙戊采购公告", hours=-200),
        *[notice(f"OLD-W-{i:02d}", f"戊己庚旧公告{i:02d}", hours=-300 + i) for i in range(30)],
        notice("OLD-W-MATCH", "戊己庚辛旧公告", hours=-400),
        # The newest 20:
        *[notice(f"NEW-{i:02d}", f"甲乙丙丁新公告{i:02d}", hours=i) for i in range(5)],
        *[notice(f"NEW-A-{i:02d}", f"甲乙丙新公告{i:02d}", hours=i + 0.5) for i in range(5)],
        *[notice(f"NEW-G-{i:02d}", f"己庚辛新公告{i:02d}", hours=10 + i) for i in range(8)],
        notice("NEW-W", "戊己庚新公告", hours=20), notice("NEW-P", "平常公告", hours=21))
    with empty_pds.app_context():
        # Among the newest 20: 甲乙丙 in 10, 乙丙丁 in 5, both more than the 3
        # listed (overall 乙丙丁 is the commoner, 25 to 11).
        listing = Listing("采购公告", "甲乙丙丁")
        rows, total, _page = listing.fetch(1, 20)
        assert (listing.values["g0"], total, listing.more) == ("乙丙丁", 3, True)
        # 乙丙戊 has no posting among the newest: counted in full, 甲乙丙 is
        # the rarer (11 to 31), and the old match is found.
        listing = Listing("采购公告", "甲乙丙戊")
        rows, total, _page = listing.fetch(1, 20)
        assert (listing.values["g0"], [row.id for row in rows]) == \
            ("甲乙丙", [add_id(empty_pds, "OLD-MATCH")])
        # 戊己庚 is in 1 of the newest, 己庚辛 in 8; overall 戊己庚 is in 32
        # and 己庚辛 in 9: 己庚辛 is walked (戊己庚 would read all 32 to find one).
        listing = Listing("采购公告", "戊己庚辛")
        rows, total, _page = listing.fetch(1, 20)
        assert (listing.values["g0"], [row.id for row in rows]) == \
            ("己庚辛", [add_id(empty_pds, "OLD-W-MATCH")])


def test_a_long_text_walks_the_trigram_few_other_titles_share(empty_pds):
    """Every bigram of “教育局台式计算机” is in any X局台式计算机 (局台, 式计,
    算机) or any 教育局 notice (教育); the trigram 育局台 is in few titles
    but the matches: it is walked."""
    units = ["公安局", "财政局", "民政局", "教育局", "税务局", "教育体育局"]
    add(empty_pds, *[notice(f"L{i:02d}", f"{units[i % 6]}台式计算机采购项目{i:02d}", hours=i)
                     for i in range(36)],
        *[notice(f"E{i:02d}", f"教育局办公家具采购{i:02d}", hours=40 + i) for i in range(10)])
    with empty_pds.app_context():
        listing = Listing("采购公告", "教育局台式计算机")
        rows, total, _page = listing.fetch(1, 20)
        assert [row.id for row in rows] == expected("教育局台式计算机") and total == 6
        assert listing.table is NoticeTitleTrigram and listing.values["g0"] == "育局台"


def test_long_queries_count_a_few_trigrams_spread_over_the_text():
    """app/grams.py, which the website's 标题 search and GPS's 包含 filter share."""
    assert grams.grams("教") == []
    assert grams.grams("教育") == ["教育"]
    assert grams.grams("教育局") == ["教育局"]
    assert grams.grams("教育局采购") == ["教育局", "育局采", "局采购"]
    assert grams.grams("公告公告公告") == ["公告公", "告公告"]
    long = "平顶山市教育局台式计算机采购项目"
    counted = grams.grams(long)
    assert len(counted) == grams.COUNTED
    assert counted[0] == "平顶山" and counted[-1] == "购项目"
    assert all(len(gram) == 3 and gram in long for gram in counted)


def test_non_ascii_case_follows_each_databases_like(empty_pds):
    """Full-width and accented letters: the grams answer what this
    database's own LIKE (SQLite, ASCII case only) or ILIKE (PostgreSQL, the
    locale's case) answers, with the same lower-casing on both sides."""
    ids = add(empty_pds, notice("W1", "ＣＴ机ÄB采购公告", hours=1), notice("W2", "ｃｔ机äb采购公告", hours=2))
    with empty_pds.app_context():
        def plain(query):
            return list(db.session.execute(
                select(PublishedNotice.id)
                .where(PublishedNotice.column == "采购公告", PublishedNotice.published.is_(True),
                       search._contains(PublishedNotice.title, "title"))
                .order_by(PublishedNotice.published_at.desc(), PublishedNotice.id.desc()),
                {"title": search._like(query)}).scalars())
        for query in ("ＣＴ机", "ｃｔ机", "ÄB", "äb", "Äb采购", "ｔ机ä"):
            assert found(query) == plain(query), query
        folds = db.engine.dialect.name != "sqlite"
        assert found("ｃｔ机") == ([ids[1], ids[0]] if folds else [ids[1]])


def test_the_window_cutoff_is_read_off_the_date_index(empty_pds):
    """Where the newest SCAN_WINDOW notices begin (a 1-character search's
    window, a walk's gram counts) comes from the (column, published_at, …)
    index in its order, on PostgreSQL too: no sort of the column."""
    add(empty_pds, *[notice(f"D{i:02d}", f"第{i:02d}号公告", hours=i) for i in range(30)])
    with empty_pds.app_context():
        [(sql, params)] = [(sql, params) for sql, params
                           in statements_of(lambda: Listing("采购公告", "号").fetch(1, 20))
                           if sql.lstrip().startswith("SELECT published_notice.published_at")]
        plan = plan_of(sql, params)
        if db.engine.dialect.name == "sqlite":
            assert "ix_published_notice_column_at_id (column=?)" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        else:
            assert "ix_published_notice_column_at_id" in plan and "Sort" not in plan, plan


def _gram_statements(run) -> list[str]:
    """What `run()` executes to count grams or find the window's cutoff,
    and the walk itself."""
    return [sql for sql, _params in statements_of(run)
            if "notice_title_" in sql or sql.lstrip().startswith(
                "SELECT published_notice.published_at")]


def test_a_text_searched_again_is_walked_in_the_order_kept(empty_pds, monkeypatch):
    """A text's grams are counted once (the window's cutoff, the counts) and
    their order kept a while per process (GramOrders): the same search again
    runs its walk alone and finds the same notices. Other dates or another
    column count again; so does the text once its order has expired."""
    add(empty_pds, *[notice(f"K{i:02d}", f"第{i:02d}号平顶山市教育局采购公告", hours=i)
                     for i in range(30)],
        *[notice(f"E{i:02d}", f"第{i:02d}号教育局公告", hours=40 + i) for i in range(5)],
        notice("G01", "教育局采购公告", column="结果公告"))
    with empty_pds.app_context():
        first, again = [], []
        counted = _gram_statements(lambda: first.extend(found("教育局采购")))
        walked = _gram_statements(lambda: again.extend(found("教育局采购")))
        assert first == again == expected("教育局采购") and len(first) == 30
        assert len(counted) == 4 and "walked" in counted[-1], counted
        assert walked == counted[-1:]
        for listing in (Listing("采购公告", "教育局采购", since=BASE.date()),
                        Listing("结果公告", "教育局采购")):
            assert len(_gram_statements(lambda: listing.fetch(1, 20))) == 4
        orders = current_app.extensions["gram_orders"]
        later = orders.clock() + search.GramOrders.SECONDS
        monkeypatch.setattr(orders, "clock", lambda: later)
        assert _gram_statements(lambda: found("教育局采购")) == counted


def test_a_kept_order_decides_the_walk_never_the_matches(empty_pds):
    """However stale the kept order, the walk finds what the plain search
    finds: here the commonest gram is made to lead."""
    add(empty_pds, *[notice(f"C{i:02d}", f"第{i:02d}号教育局公告", hours=i) for i in range(20)],
        *[notice(f"R{i:02d}", f"第{i:02d}号教育局采购公告", hours=30 + i) for i in range(3)],
        notice("H01", "教育局采购公告（已撤回）", hours=50, published=False))
    with empty_pds.app_context():
        fresh = Listing("采购公告", "教育局采购")
        fresh.fetch(1, 100)
        orders = current_app.extensions["gram_orders"]
        [key] = orders.orders
        orders.put(key, "教育局")
        stale = Listing("采购公告", "教育局采购")
        rows, total, _page = stale.fetch(1, 100)
        assert (fresh.values["g0"], stale.values["g0"]) == ("育局采", "教育局")
        assert [row.id for row in rows] == expected("教育局采购") and total == 3


def test_gram_orders_keep_the_most_recently_searched_texts_a_while():
    now = [100.0]
    orders = search.GramOrders(2, clock=lambda: now[0])
    orders.put("甲乙丙", "乙丙")
    orders.put("丁戊己", "丁戊")
    assert orders.get("甲乙丙") == "乙丙"  # now the most recent
    orders.put("庚辛壬", "辛壬")
    assert orders.get("丁戊己") is None and orders.get("甲乙丙") == "乙丙"
    now[0] += search.GramOrders.SECONDS - 1
    assert orders.get("庚辛壬") == "辛壬"
    now[0] += 1
    assert orders.get("庚辛壬") is None and orders.get("甲乙丙") is None
