"""The website's 项目编号 search: a contains search, through
notice_code_suffix (every suffix of 2+ characters of each code, kept by
triggers) when the text is in few codes, walking the column's
(column, published_at, id, project_code, published) index newest first when
it is in many. Either way it finds exactly what the plain LIKE finds, ASCII
case ignored, and never a hidden notice."""
import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update

from app.extensions import db
from app.models import NoticeCodeSuffix, PublishedNotice
from app.public import search
from app.public.search import Listing

from .helpers import migration
from .test_website_search import add, fold, notice, plan_of, statements_of

CODES = ["410400-2026-00012-PDS-S2", "410400-2025-00012", "410421-2026-07%_/1",
         "ZX-2026-7", "2026-2026-A"]


def coded(key, code, column="采购公告", hours=0, **values):
    return notice(key, f"{key}号公告", column=column, hours=hours, project_code=code, **values)


def searched(code: str, column: str = "采购公告") -> list[int]:
    rows, total, _page = Listing(column, code=code).fetch(1, 100)
    assert total == len(rows)
    return [row.id for row in rows]


def plain(code: str, column: str = "采购公告") -> list[int]:
    """What LIKE '%…%' answers (ASCII case ignored), newest first."""
    rows = db.session.execute(
        select(PublishedNotice.id, PublishedNotice.project_code)
        .where(PublishedNotice.column == column, PublishedNotice.published.is_(True))
        .order_by(PublishedNotice.published_at.desc(), PublishedNotice.id.desc())).all()
    return [id_ for id_, code_ in rows if code_ and fold(code) in fold(code_)]


def suffixes_of(notice_id: int) -> set[str]:
    return set(db.session.execute(select(NoticeCodeSuffix.suffix).where(
        NoticeCodeSuffix.notice_id == notice_id)).scalars())


def suffixes(code: str) -> set[str]:
    lowered = fold(code)
    return {lowered[i:] for i in range(len(lowered) - 1)}


@pytest.fixture
def coded_pds(empty_pds):
    add(empty_pds, *[coded(f"K{i}", code, hours=i) for i, code in enumerate(CODES)],
        coded("K-OTHER", CODES[0], column="结果公告"),
        coded("K-HIDDEN", CODES[0], hours=9, published=False),
        notice("K-NONE", "无编号公告"))
    return empty_pds


@pytest.mark.parametrize("limit", [search.SUFFIX_LIMIT, 0])
def test_every_part_of_a_code_finds_what_like_finds(coded_pds, monkeypatch, limit):
    """Through the suffixes (few codes) and through the column's codes (a
    limit of 0: every text is 'common') alike."""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", limit)
    with coded_pds.app_context():
        for code in CODES:
            for start in range(len(code)):
                for end in range(start + 1, len(code) + 1):
                    part = code[start:end]
                    for asked in {part, part.lower(), part.upper()}:
                        assert searched(asked) == plain(asked), asked
        assert searched("没有这个编号") == [] and searched("2026-2026-a") == plain("2026-2026-a")


def test_the_suffixes_follow_every_change_of_a_code(empty_pds):
    [nid] = add(empty_pds, coded("S1", "410400-2026-00001"))
    with empty_pds.app_context():
        assert suffixes_of(nid) == suffixes("410400-2026-00001")
    add(empty_pds, coded("S1", "ABC-2027-9", version=2))
    with empty_pds.app_context():
        assert suffixes_of(nid) == suffixes("ABC-2027-9")
        assert searched("00001") == [] and searched("abc-2027") == [nid]
        # Written around store_notice: the triggers see plain SQL too.
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(project_code="XY-1"))
        db.session.commit()
        assert suffixes_of(nid) == suffixes("XY-1")
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(project_code=None))
        db.session.commit()
        assert suffixes_of(nid) == set() and searched("XY") == []
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(project_code="Q"))  # 1 character: no suffix of 2
        db.session.commit()
        assert suffixes_of(nid) == set()
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(project_code="QR-5"))
        db.session.commit()
        db.session.execute(delete(PublishedNotice).where(PublishedNotice.id == nid))
        db.session.commit()
        assert suffixes_of(nid) == set()


def test_the_suffixes_follow_the_notice_into_another_column(empty_pds):
    """The suffixes are keyed by column first; a notice moved to another
    column by plain SQL takes its suffixes along."""
    [nid] = add(empty_pds, coded("M1", "410400-2026-00077"))
    with empty_pds.app_context():
        assert searched("2026-00077") == [nid] and searched("2026-00077", "结果公告") == []
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == nid)
                           .values(column="结果公告"))
        db.session.commit()
        assert set(db.session.execute(select(NoticeCodeSuffix.column).where(
            NoticeCodeSuffix.notice_id == nid)).scalars()) == {"结果公告"}
        assert suffixes_of(nid) == suffixes("410400-2026-00077")
        assert searched("2026-00077") == [] and searched("2026-00077", "结果公告") == [nid]


def test_a_text_is_rare_by_its_own_columns_codes(coded_pds, monkeypatch):
    """Whether a text is in few codes is counted in the searched column: the
    code of K0 is also in a 结果公告 notice, and 采购公告's two (one hidden)
    are within a limit of 2, so they are read by id."""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", 2)
    with coded_pds.app_context():
        assert searched("pds-s2") == plain("pds-s2") and len(plain("pds-s2")) == 1
        page_sql = [sql for sql, _params in _statements("pds-s2") if "published_notice" in sql]
        assert page_sql and all("notice_code_suffix" in sql for sql in page_sql), page_sql
        monkeypatch.setattr(search, "SUFFIX_LIMIT", 1)
        page_sql = [sql for sql, _params in _statements("pds-s2") if "published_notice" in sql]
        assert page_sql and not any("notice_code_suffix" in sql for sql in page_sql), page_sql


def test_a_hidden_notice_keeps_its_suffixes_but_is_never_found(coded_pds):
    with coded_pds.app_context():
        hidden = db.session.execute(select(PublishedNotice.id).where(
            PublishedNotice.notice_key == "K-HIDDEN")).scalar_one()
        assert suffixes_of(hidden) == suffixes(CODES[0])
        assert hidden not in searched("PDS-S2")


ROWS = (NoticeCodeSuffix.column, NoticeCodeSuffix.suffix, NoticeCodeSuffix.notice_id,
        NoticeCodeSuffix.month)


def test_the_migration_fills_the_suffixes_of_notices_already_stored(coded_pds):
    migrated = migration("d4f6a8c0e2b5")
    with coded_pds.app_context():
        kept = set(db.session.execute(select(*ROWS)).all())
        db.session.execute(delete(NoticeCodeSuffix))
        db.session.execute(text(migrated.backfill(db.engine.dialect.name == "postgresql")))
        db.session.commit()
        assert set(db.session.execute(select(*ROWS)).all()) == kept
        assert len(kept) == sum(len(code) - 1 for code in CODES) + 2 * (len(CODES[0]) - 1)
        published = dict(db.session.execute(
            select(PublishedNotice.id, PublishedNotice.published_at)).all())
        assert {(id_, month) for _c, _s, id_, month in kept} == {
            (id_, search.month_of(published[id_])) for _c, _s, id_, _m in kept}


def _statements(code: str) -> list[tuple[str, object]]:
    return [(sql, params) for sql, params in statements_of(lambda: searched(code))
            if "version" not in sql]


def test_a_rare_text_reads_its_notices_by_id(coded_pds):
    """A text in few codes: one range of the suffixes' key, then the notices
    by id, not the column's codes."""
    with coded_pds.app_context():
        [(count_sql, count_params), (page_sql, page_params)] = _statements("00012-pds")
        assert "notice_code_suffix" in count_sql and "published_notice" not in count_sql
        count_plan, page_plan = plan_of(count_sql, count_params), plan_of(page_sql, page_params)
        if db.engine.dialect.name == "sqlite":
            for plan in (count_plan, page_plan):
                assert ("SEARCH notice_code_suffix USING PRIMARY KEY "
                        "(column=? AND suffix>? AND suffix<?)") in plan, plan
            assert "SEARCH published_notice USING INTEGER PRIMARY KEY (rowid=?)" in page_plan
            assert "ix_published_notice" not in page_plan, page_plan
        else:
            # (At this size PostgreSQL may pick any way to the 7 notices; the
            # suffixes' range and no reading of the column's codes is what
            # matters, and, at 200,000 notices, one code's page took 2 ms.)
            for plan in (count_plan, page_plan):
                assert "notice_code_suffix_pkey" in plan, plan
            assert "ix_published_notice_column" not in page_plan, page_plan


def test_a_common_text_walks_the_column_by_date(coded_pds, monkeypatch):
    """A text in more than SUFFIX_LIMIT of the column's codes: the column's
    ids newest first on the (column, published_at, id, project_code,
    published) index alone, the code checked there, until the newest matches
    it lists; then only those rows. Not every column's codes, not the table,
    and on PostgreSQL not a row per notice walked past."""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", 2)
    with coded_pds.app_context():
        assert searched("2026") == plain("2026") and len(plain("2026")) == 4
        [(sql, params)] = [(sql, params) for sql, params in _statements("2026")
                           if "notice_code_suffix" not in sql]
        plan = plan_of(sql, params)
        [(probe_sql, probe_params)] = [(sql, params) for sql, params in _statements("2026")
                                       if "probe" in sql]
        probe_plan = plan_of(probe_sql, probe_params)
        if db.engine.dialect.name == "sqlite":
            # From the end of the newest month holding a match (here the
            # newest month of all).
            assert ("SEARCH published_notice USING COVERING INDEX "
                    "ix_published_notice_column_at_id (column=? AND published_at<?)") in plan, plan
            assert "SEARCH published_notice USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
            # The walk is in the index's order: it stops.
            assert "TEMP B-TREE FOR ORDER BY" not in plan[:plan.index("SCAN found")], plan
            # A month's probe is one range of (column, month, suffix).
            assert ("ix_notice_code_suffix_month "
                    "(column=? AND month=? AND suffix>? AND suffix<?)") in probe_plan, probe_plan
        else:
            assert "Index Only Scan Backward using ix_published_notice_column_at_id" in plan, plan
            assert "Index Only Scan using ix_notice_code_suffix_month" in probe_plan, probe_plan
            assert "ix_published_notice_project_code" not in plan, plan


def dated(code: str, since=None, until=None) -> list[int]:
    rows, _total, _page = Listing("采购公告", code=code, since=since, until=until).fetch(1, 100)
    return [row.id for row in rows]


def test_a_common_text_is_walked_from_the_newest_month_holding_it(empty_pds, monkeypatch):
    """A text in many codes, all older than the column's newest notices
    (“-2024-” at volume): the walk begins at the end of the newest month in
    which a code of the column holds it (a hidden notice's too), found one
    probe a month, and lists what LIKE lists; within dates too; a notice
    whose date moves takes its month along."""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", 0)
    monkeypatch.setattr(search, "SEARCH_LIMIT", 3)
    day = 24
    add(empty_pds,
        *[coded(f"N{i}", f"410400-2026-{i:05d}", hours=-day * i) for i in range(6)],
        # 2025-11-21 … 2025-08-13: four months, none since.
        *[coded(f"O{i}", f"410400-2024-{i:05d}", hours=-day * (100 + 25 * i))
          for i in range(5)],
        coded("O-HIDDEN", "410400-2024-99999", hours=-day * 60, published=False),
        coded("O-RESULT", "410400-2024-88888", column="结果公告"))
    with empty_pds.app_context():
        ids = dict(db.session.execute(
            select(PublishedNotice.notice_key, PublishedNotice.id)).all())
        listing = Listing("采购公告", code="-2024-")
        # The hidden notice's month (2025-12), not 2026-03's 结果公告.
        assert listing._bounds()["before"] == dt.datetime(2026, 1, 1)
        assert searched("-2024-") == plain("-2024-")[:3] == [ids["O0"], ids["O1"], ids["O2"]]
        assert listing.count() == 3 and listing.more
        # Up to a date before the newest match: from the end of that date's
        # month (O2 on 2 October is past the date, O1 on the 27th too).
        until = dt.date(2025, 10, 1)
        assert dated("-2024-", until=until) == [ids["O3"], ids["O4"]]
        assert Listing("采购公告", code="-2024-", until=until)._bounds()["before"] == \
            dt.datetime(2025, 11, 1)
        # Since a date after every match, or before the column's first month.
        assert dated("-2024-", since=dt.date(2026, 1, 1)) == []
        assert dated("-2024-", until=dt.date(2025, 1, 1)) == []
        assert dated("-2024-", since=dt.date(2025, 9, 1), until=dt.date(2025, 9, 30)) == \
            [ids["O3"]]
        # O4 republished today: its suffixes' month follows, and it leads.
        db.session.execute(update(PublishedNotice).where(PublishedNotice.id == ids["O4"])
                           .values(published_at=dt.datetime(2026, 3, 1, 10, 0)))
        db.session.commit()
        assert set(db.session.execute(select(NoticeCodeSuffix.month).where(
            NoticeCodeSuffix.notice_id == ids["O4"])).scalars()) == {202603}
        assert searched("-2024-") == plain("-2024-")[:3] == [ids["O4"], ids["O0"], ids["O1"]]


@pytest.mark.parametrize("text, caseless", [
    ("-2024-", True), ("410400-2026-00012", True), ("教育局（第1标段）", True),
    ("“采购”—公告…", True), ("１２３％", True), ("PDS-S2", False), ("pds", False),
    ("ＰＤＳ", False), ("İ", False), ("ß", False), ("e\u0307", False), ("Ω", False),
])
def test_a_text_is_caseless_only_where_no_case_applies(text, caseless):
    assert search._caseless(text) is caseless


def test_a_caseless_text_is_matched_as_is_on_postgresql(coded_pds, monkeypatch):
    """ILIKE lowers every code the walk passes; a text no case applies to
    finds the same with LIKE. A text with a letter keeps ILIKE, and finds
    codes whatever their case. (SQLite: LIKE either way.)"""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", 0)
    with coded_pds.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        for code, ilike in (("-2026-", False), ("PDS-S2", postgres), ("pds-s2", postgres)):
            assert searched(code) == plain(code) and plain(code), code
            sql = " ".join(sql for sql, _params in _statements(code))
            assert ("project_code ILIKE" in sql) is ilike, (code, sql)
            assert "project_code LIKE" in sql or ilike, (code, sql)


def test_a_common_text_lists_its_newest_matches_and_says_so(coded_pds, monkeypatch):
    """Like a 标题 search: the newest SEARCH_LIMIT matches, 共超过 N 条 and
    the request for more characters or dates; a 1-character text alike."""
    monkeypatch.setattr(search, "SUFFIX_LIMIT", 2)
    monkeypatch.setattr(search, "SEARCH_LIMIT", 3)
    add(coded_pds, *[coded(f"C{i}", f"410400-2026-{i:05d}", hours=20 + i) for i in range(3)],
        coded("C-HIDDEN", "410400-2026-99999", hours=40, published=False))
    with coded_pds.app_context():
        everything = plain("2026")
        assert len(everything) == 7
        for text in ("2026", "2"):
            listing = Listing("采购公告", code=text)
            rows, total, page = listing.fetch(1, 2)
            assert (total, page, listing.more) == (3, 1, True), text
            second, _total, _page = listing.fetch(2, 2)
            assert [row.id for row in rows + second] == plain(text)[:3], text
            assert Listing("采购公告", code=text).count() == 3
        # Within dates, as many as the limit (C0–C2): all of them, no "more".
        dated = Listing("采购公告", code="2026", since=dt.date(2026, 3, 2),
                        until=dt.date(2026, 3, 2))
        rows, total, _page = dated.fetch(1, 20)
        assert ([row.id for row in rows], total, dated.more) == (plain("2026")[:3], 3, False)
    page = coded_pds.test_client().get("/web/caigou/?code=2026").get_data(as_text=True)
    assert "共超过 <strong id=\"total\">3</strong> 条" in page
    assert "符合条件的公告超过 3 条，只列出最新的 3 条" in page


def test_a_code_of_one_character_is_looked_for_among_the_newest_notices(coded_pds,
                                                                        monkeypatch):
    """One character is in nearly every code or in none (then the walk went
    through the whole column): like a 1-character 标题 search it is looked
    for among the newest SCAN_WINDOW notices of the column, hidden ones
    counted and never shown, and the page says so."""
    monkeypatch.setattr(search, "SCAN_WINDOW", 3)
    with coded_pds.app_context():
        key_of = dict(db.session.execute(
            select(PublishedNotice.id, PublishedNotice.notice_key)).all())
        # The newest three: K-HIDDEN, K4 (2026-2026-A), K3 (ZX-2026-7).
        assert [key_of[id_] for id_ in searched("z")] == ["K3"]
        assert [key_of[id_] for id_ in searched("2")] == ["K4", "K3"]
        assert [key_of[id_] for id_ in plain("5")] == ["K1"] and searched("5") == []
        assert Listing("采购公告", code="5").scan and not Listing("采购公告", code="50").scan
    page = coded_pds.test_client().get("/web/caigou/?code=5").get_data(as_text=True)
    assert "只输入一个字时，只在最新的 3 条公告中查找" in page


def test_title_and_a_rare_code_together_still_walk_the_grams(coded_pds, monkeypatch):
    """The column term is written around its index only where the code's ids
    lead; the title walk's cutoff still reads the column's date index."""
    monkeypatch.setattr(search, "SCAN_WINDOW", 2)
    with coded_pds.app_context():
        # Three trigrams (K0号, 0号公, 号公告): counted, since the cutoff.
        fetched = []
        seen = statements_of(lambda: fetched.append(
            Listing("采购公告", "K0号公告", code="pds-s2").fetch(1, 20)))
        [(rows, total, _page)] = fetched
        assert [row.id for row in rows] == plain("pds-s2") and total == 1
        [(sql, params)] = [(sql, params) for sql, params in seen
                           if "OFFSET" in sql and "notice_title_" not in sql and "count" not in sql]
        plan = plan_of(sql, params)
        if db.engine.dialect.name == "sqlite":
            assert "ix_published_notice_column_at_id (column=?)" in plan, plan
        else:
            assert "ix_published_notice_column_at_id" in plan, plan
