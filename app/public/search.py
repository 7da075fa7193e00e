"""A column's notices on the website, as pages: its newest, a 标题 or
项目编号 search, a date range (`Listing`).

Counting and paging a column without a text search never read the table:
the (column, published_at, id, project_code, published) index covers them
(a whole column's count is kept by triggers, notice_column_count), and the
few hidden rows (published = 0: withdrawn, small by nature) are fetched once
through their own index and subtracted. Searches read the matching rows
once: the page carries the total (count(*) OVER (); a 标题 search counts the
matches it read, kept in a CTE). A 标题 search stops after the newest
SEARCH_LIMIT + 1 matches and orders those by relevance: with 2+ characters
it walks its rarest gram's notices newest first (notice_title_gram for 2
characters, notice_title_trigram for more, kept by triggers, keyed by date),
the LIKE deciding; with 1 character it reads the newest rows of the column
(SCAN_WINDOW). A 项目编号 search of 2+ characters reads the notices whose
code has a suffix beginning with it (notice_code_suffix, kept by triggers,
keyed by column) by id; when there are too many (SUFFIX_LIMIT), or for 1
character (then only among the newest SCAN_WINDOW), it walks the column's
(column, published_at, id, project_code, published) index newest first, the
LIKE '%…%' checked on the index, stops after the newest SEARCH_LIMIT + 1
matches, as a 标题 search does, and reads only those rows. A walk of 2+
characters begins at the end of the newest month in which a code holds the
text (the suffixes keyed (column, month, suffix) too, probed month by month).
"""
import datetime as dt
import math
import threading
import time
from collections import OrderedDict

from flask import current_app
from sqlalchemy import DateTime, Integer, String, bindparam, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db, read
from ..grams import grams as _grams
from ..models import (NoticeCodeSuffix, NoticeColumnCount, NoticeTitleGram, NoticeTitleTrigram,
                      PublishedNotice)
from .notices import LIST_COLUMNS, NEWEST_FIRST, _shown, statement_once

HIDDEN_LIMIT = 500  # more hidden rows than this: plain (slower) queries
# A 标题 search, and a 项目编号 search in too many codes, lists at most the
# newest SEARCH_LIMIT matches (共超过 N 条):
# reading every match of a common word among a million notices cost 120 ms
# (“教育局”, 17,000 matches) to 0.8 s (“教”, a scan) of CPU a request, for
# anyone on the internet. Reading 1,000 still cost ~10 µs a match (the
# row's title for the LIKE and the relevance order): 200, ten pages of
# PER_PAGE, reads a fifth (docs/benchmarks.md, “200 matches a search”).
# A 1-character one has no gram to look up: it reads only the newest
# SCAN_WINDOW notices of the column (in its date range).
SEARCH_LIMIT = 200
SCAN_WINDOW = 10_000
# Postings counted per gram, at most, to choose the rarest gram to walk.
GRAM_PROBE = 20_000
# A 项目编号 text of 2+ characters in at most this many codes of the column
# (notice_code_suffix) reads those notices by id, all of them; in more, the
# column is walked newest first to the newest SEARCH_LIMIT + 1 matches (at
# 1,000,000 notices 3,300 ids took 14 ms, reading 55,000 matches 340 ms).
SUFFIX_LIMIT = 5_000
# Above every character: the end of the suffixes that begin with a text.
_LAST = chr(0x10FFFF)
# Later than any month (yyyymm) a notice is published in.
_LAST_MONTH = 9999_12


class GramOrders:
    """Per process, the gram walked (the rarest, `Listing._bounds`) for each
    of the `size` 标题 texts most recently searched, each for SECONDS.
    Counting the grams is two statements before the walk (on PostgreSQL at
    1,000,000 notices, when “教育局” was walked by its bigrams: the window's
    cutoff 1.7 ms and the counts 1.1 ms of a 7.2 ms page). The gram only
    decides how soon a walk ends, never what it finds: a choice some minutes
    old costs at most time."""

    SECONDS = 600

    def __init__(self, size: int, clock=time.monotonic):
        self.size = size
        self.clock = clock
        self.orders: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # threaded servers (tests, `flask run`)

    def get(self, key):
        with self._lock:
            kept = self.orders.get(key)
            if kept is None or kept[0] <= self.clock():
                return None
            self.orders.move_to_end(key)
            return kept[1]

    def put(self, key, gram) -> None:
        with self._lock:
            self.orders[key] = (self.clock() + self.SECONDS, gram)
            self.orders.move_to_end(key)
            while len(self.orders) > self.size:
                self.orders.popitem(last=False)


def init_app(app) -> None:
    size = app.config.get("WEBSITE_GRAM_ORDERS", 0)
    if size > 0:
        app.extensions["gram_orders"] = GramOrders(size)


def _like(text: str) -> str:
    """`text` for LIKE '%…%' ESCAPE '/': its wildcards taken literally."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _suffix_range() -> list:
    """notice_code_suffix rows of the bound `column` beginning with the bound
    `suffix`, lower-cased by the database as the triggers did: one range of
    the key."""
    start = func.lower(bindparam("suffix", type_=String), type_=String)
    return [NoticeCodeSuffix.column == bindparam("column", type_=String),
            NoticeCodeSuffix.suffix >= start, NoticeCodeSuffix.suffix < start + _LAST]


def month_of(at: dt.datetime) -> int:
    """yyyymm, as notice_code_suffix.month holds it (migration d4f6a8c0e2b5)."""
    return at.year * 100 + at.month


def _month_after(month: int) -> dt.datetime:
    year, month = divmod(month, 100)
    return dt.datetime(year + month // 12, month % 12 + 1, 1)


def _newest_month_probe():
    """The newest month, at most the bound `cap`, in which a code of the
    bound `column` has a suffix beginning with the bound `suffix`: month by
    month from the column's newest, one probe of (column, month, suffix)
    each, down to the column's oldest month since the bound `floor` (that
    one whether it holds a match or not); NULL when the column has no
    month up to `cap`."""
    column = NoticeCodeSuffix.column == bindparam("column", type_=String)
    newest = select(func.max(NoticeCodeSuffix.month)).where(
        column, NoticeCodeSuffix.month <= bindparam("cap", type_=Integer)).scalar_subquery()
    oldest = select(func.min(NoticeCodeSuffix.month)).where(
        column, NoticeCodeSuffix.month >= bindparam("floor", type_=Integer)).scalar_subquery()
    probe = select(newest.label("month")).cte("probe", recursive=True)
    held = select(literal(1)).where(NoticeCodeSuffix.month == probe.c.month, *_suffix_range())
    earlier = case((probe.c.month % 100 == 1, probe.c.month - 89), else_=probe.c.month - 1)
    probe = probe.union_all(select(earlier).where(probe.c.month > oldest, ~exists(held)))
    return select(func.min(probe.c.month))


def _prefix(text: str) -> str:
    """`text` for LIKE '…%' ESCAPE '/': titles that begin with it."""
    return _like(text)[1:]


def _title_relevance(title=PublishedNotice.title):
    """A title search's order before the date: the whole title first, then
    titles that begin with the text, then the rest. Coarse on purpose: within
    each, the newest notice comes first, as a reader of a notice board
    expects."""
    return case((func.lower(title) == func.lower(bindparam("exact")), 0),
                (_contains(title, "prefix"), 1), else_=2)


def _contains(column, name: str, caseless: bool = False):
    """Case-insensitive LIKE against the bound pattern `name`. SQLite's LIKE
    already ignores ASCII case, and lower() on both sides would more than
    double the project-code scan (7.9 → 18.9 ms); elsewhere ILIKE, unless
    the text is `caseless` (`_caseless`): then LIKE answers the same
    without lowering each value it checks."""
    if caseless or db.engine.dialect.name == "sqlite":
        return column.like(bindparam(name), escape="/")
    return column.ilike(bindparam(name), escape="/")


# What no letter's case touches: ASCII digits, punctuation and space, CJK
# ideographs and punctuation, general punctuation (“”—…), full-width digits
# and punctuation. Lowering a letter never makes one of these, nor changes it.
_CASELESS_ASCII = frozenset(chr(c) for c in range(32, 127) if not chr(c).isalpha())
_CASELESS_RANGES = ((0x2010, 0x2027), (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                    (0xFF01, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65))


def _caseless(text: str) -> bool:
    """Whether `text` is made only of characters no case applies to, so that
    a value contains it, ignoring case, exactly when it contains it as is."""
    return all(ch in _CASELESS_ASCII or any(low <= ord(ch) <= high
                                            for low, high in _CASELESS_RANGES)
               for ch in text)


class Listing:
    """A column's published notices matching a search: `count()` and `page()`.

    Title and project code match where they contain the text, ignoring case
    (LIKE on SQLite, ILIKE elsewhere; wildcards escaped); `since`/`until` are
    whole days, both included. A title search, and a project code alone
    in more than SUFFIX_LIMIT of the column's codes (or of 1 character),
    find the newest SEARCH_LIMIT + 1 matches (`_matches`) and list the
    newest SEARCH_LIMIT of them, a title search's by relevance
    (`_title_relevance`), then newest first; `more` then says there were
    more. Any other listing is newest first, complete.
    Statements are built once per shape of search (which terms are given),
    with the values bound."""

    def __init__(self, column: str, title: str = "", code: str = "",
                 since: dt.date | None = None, until: dt.date | None = None):
        self.column = column
        self.code = code
        # A title's grams, in the text's order; `_bounds` ranks them.
        self.counted = grams = _grams(title)
        self.table = NoticeTitleTrigram if len(title) > 2 else NoticeTitleGram
        self.start = dt.datetime.combine(since, dt.time()) if since else None
        self.stop = (dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
                     if until else None)
        self.values = {"column": column, "start": self.start, "stop": self.stop,
                       "title": _like(title) if title else None,
                       "code": _like(code) if code else None,
                       "suffix": code if len(code) >= 2 and self._rare_code(code) else None,
                       # The gram walked: the rarest, once `_bounds` knows.
                       "g0": grams[0] if grams else None}
        # Bound only where a title search orders by relevance (_capped_page).
        self.relevance = {"exact": title, "prefix": _prefix(title)} if title else {}
        self.shape = tuple(name for name, value in self.values.items() if value is not None)
        self.text = bool(title or code)
        self.hidden = None if self.text else self._hidden()
        # A 项目编号 alone in too many of the column's codes (or of 1
        # character): its newest matches, walked by date (`_matches`).
        self.codes = bool(code) and not title and "suffix" not in self.shape
        self.capped = bool(title) or self.codes
        # A title without grams (1 character), or a code of 1 character
        # alone: the newest SCAN_WINDOW rows. (A character in no code walked
        # the whole column: 166,000 index entries at 1,000,000 notices.)
        self.scan = (bool(title) and not grams) or (self.codes and len(code) == 1)
        self.more = False  # more than SEARCH_LIMIT matches
        self._bound = None
        # On PostgreSQL a text no case applies to is matched with LIKE: ILIKE
        # lowered every code the 项目编号 walk passed (“-2024-” at 1,000,000
        # notices: 57 → 25 ms). SQLite's LIKE is the same either way.
        self.caseless = () if db.engine.dialect.name == "sqlite" else tuple(
            name for name, text in (("title", title), ("code", code))
            if text and _caseless(text))

    def _terms(self, text: bool = True) -> list:
        # With the ids of a 项目编号 search the column is only checked: written
        # so that no index serves it, or SQLite (no statistics) would walk the
        # column's index and test each row against the ids.
        column = (func.coalesce(PublishedNotice.column, "") if text and "suffix" in self.shape
                  else PublishedNotice.column)
        terms = {"column": column == bindparam("column"),
                 "start": PublishedNotice.published_at >= bindparam("start", type_=DateTime),
                 "stop": PublishedNotice.published_at < bindparam("stop", type_=DateTime),
                 "title": self._contains(PublishedNotice.title, "title"),
                 # The notices whose code has a suffix beginning with the text,
                 # by id; the LIKE, kept, only confirms them.
                 "suffix": PublishedNotice.id.in_(
                     select(NoticeCodeSuffix.notice_id).where(*_suffix_range())),
                 # Otherwise (a text in too many codes, or of 1 character) a
                 # capped search walks the column by date and checks each
                 # code on the column's (column, published_at, id, …) index.
                 "code": self._contains(PublishedNotice.project_code, "code")}
        return [terms[name] for name in self.shape
                if name in terms and (text or name not in ("title", "code", "suffix"))]

    def _contains(self, column, name: str):
        return _contains(column, name, name in self.caseless)

    def _rare_code(self, code: str) -> bool:
        """Whether the 项目编号 text is in at most SUFFIX_LIMIT codes of the
        column (hidden ones too), counted off notice_code_suffix's key: as
        suffix rows, so a code holding the text twice counts twice (which
        only ever sends a search the old way sooner)."""
        found = read(statement_once(("code-suffixes",), lambda: select(func.count()).select_from(
            select(literal(1)).where(*_suffix_range()).limit(bindparam("limit")).subquery())),
            {"column": self.column, "suffix": code, "limit": SUFFIX_LIMIT + 1}).scalar_one()
        return found <= SUFFIX_LIMIT

    def _run(self, kind: str, build, **extra):
        params = {name: self.values[name] for name in self.shape}
        # The table too: a 2-character title and a longer one have one shape.
        key = (kind, self.shape, self.caseless, self.table, db.engine.dialect.name)
        return read(statement_once(key, build), {**params, **extra})

    def _hidden(self) -> list[tuple] | None:
        """(published_at, id) of hidden rows in this listing's range, newest
        first; None when there are too many to handle this way."""
        rows = read(statement_once(("hidden",), lambda: (
            select(PublishedNotice.column, PublishedNotice.published_at, PublishedNotice.id)
            .where(PublishedNotice.published == False)  # noqa: E712 (SQL)
            .limit(HIDDEN_LIMIT + 1)))).all()
        if len(rows) > HIDDEN_LIMIT:
            return None
        return sorted(((at, id_) for column, at, id_ in rows if column == self.column
                       and (self.start is None or at >= self.start)
                       and (self.stop is None or at < self.stop)), reverse=True)

    def fetch(self, page: int, per_page: int) -> tuple[list, int, int]:
        """(rows of the page, total, page): a page past the last gives the last."""
        if self.hidden is None:
            # A text search reads the rows anyway: one statement gives the page
            # and the total; an empty page past the first
            # needs the count.
            rows = self._search_page((page - 1) * per_page, per_page)
            if rows:
                return rows, self._total(rows[0].total), page
            if page == 1:
                return [], 0, 1
            total = self.count()
            last = max(1, math.ceil(total / per_page))
            if page <= last:
                return [], total, page
            return self._search_page((last - 1) * per_page, per_page), total, last
        total = self.count()
        page = min(page, max(1, math.ceil(total / per_page)))
        return self.page((page - 1) * per_page, per_page), total, page

    def _total(self, total: int) -> int:
        if self.capped and total > SEARCH_LIMIT:
            self.more = True
            return SEARCH_LIMIT
        return total

    def count(self) -> int:
        if self.capped:
            return self._total(self._run(f"count-{self._kind}", lambda: select(func.count())
                                         .select_from(self._matches().subquery()),
                                         **self._bounds()).scalar_one())
        if self.hidden is None:  # reads the rows
            return self._run("count-rows", lambda: select(func.count()).select_from(
                PublishedNotice).where(*self._terms(), _shown())).scalar_one()
        if self.shape == ("column",):  # the whole column: the triggers' count
            kept = self._run("count-kept", lambda: select(NoticeColumnCount.notices).where(
                NoticeColumnCount.column == bindparam("column"))).scalar()
            return (kept or 0) - len(self.hidden)
        return self._run("count-index", lambda: select(func.count()).select_from(
            PublishedNotice).where(*self._terms(text=False))).scalar_one() - len(self.hidden)

    @property
    def _kind(self) -> str:
        return "scan" if self.scan else "codes" if self.codes else "walk"

    def _matches(self):
        """The newest `read` (SEARCH_LIMIT + 1) matches of a capped search."""
        def walk(*columns):
            # The column newest first (since `cutoff` for a scan), to `read` matches.
            window = ([PublishedNotice.published_at >= bindparam("cutoff", type_=DateTime)]
                      if self.scan else
                      [PublishedNotice.published_at < bindparam("before", type_=DateTime)]
                      if self.codes else [])
            return (select(*columns).where(*self._terms(), _shown(), *window)
                    .order_by(*NEWEST_FIRST).limit(bindparam("read")))

        if self.codes:
            # The ids from the (column, published_at, id, project_code,
            # published) index alone, each code's LIKE checked there; then
            # only the matches' rows. “-2024-”, a third of the column and all
            # of it old, read every match to count and order them (340 ms at
            # 1,000,000 notices); walked, it stops at `read` of them (13 ms,
            # far less for a recent text). PostgreSQL read each row it walked
            # past until the walk named ids alone (470 → 54 ms). It begins at
            # `before` (`_before`), past the months without a match.
            return select(*LIST_COLUMNS).where(PublishedNotice.id.in_(walk(PublishedNotice.id)))
        if self.scan:
            # A 1-character title: its LIKE needs the row, read as walked.
            return walk(*LIST_COLUMNS)
        # The postings of gram g0 (the rarest, `_bounds`), newest first on the
        # table's key, each notice's title read for the LIKE. Looking the
        # text's other grams up first (as with bigrams until 2026-12-06)
        # cost as much per posting as reading the title, and a trigram's
        # postings are mostly matches: “教育局台式计算机” at 1,000,000
        # notices, 374 postings for 201 matches, 0.8 ms alone, 3.1 ms with
        # three grams looked up. The column is the gram's: the notice's own
        # (column, published_at, …) index would be walked instead.
        walked = aliased(self.table, name="walked")
        terms = self._postings(walked, "g0")
        terms += [self._contains(PublishedNotice.title, "title"), _shown()]
        if self.values["code"]:
            terms.append(self._contains(PublishedNotice.project_code, "code"))
        return (select(*LIST_COLUMNS).select_from(walked)
                .join(PublishedNotice, PublishedNotice.id == walked.notice_id)
                .where(*terms)
                .order_by(walked.published_at.desc(), walked.notice_id.desc())
                .limit(bindparam("read")))

    def _bounds(self) -> dict:
        """Values a capped search binds besides its terms, worked out once.

        A scan's `cutoff`: when the newest SCAN_WINDOW rows in range begin
        (read off the index, hidden rows counted too), so that it reads at most
        about that many rows, however rare the character; ties at that second
        are read too.

        A walk's gram, the rarest of the text's (`_grams`): the walk reads
        its postings newest first until it has found what it lists. Each
        gram is counted since the same cutoff first (one range of the key;
        at 1,000,000 notices a quarter of counting each up to GRAM_PROBE,
        5–6 ms of a 22 ms “教育局” in bigrams). When every gram has more than SEARCH_LIMIT postings
        there, a common text, the rarest there leads: a walk that finds its
        matches among the newest notices ends there. Otherwise the walk may
        well go on into older notices, where these counts say nothing (a
        gram rare lately may be in 150,000 older titles: walked, that read
        them all, 10× the other gram's walk), so the grams are counted again
        in full, up to GRAM_PROBE, as before. The gram chosen is kept a
        while (`GramOrders`), so a text searched again is not counted again."""
        if self._bound is None:
            self._bound = {"read": SEARCH_LIMIT + 1}
            if self.scan:
                self._bound["cutoff"] = self._cutoff()
            elif self.codes:
                self._bound["before"] = self._before()
            elif len(self.counted) > 1:
                grams = tuple(self.counted)
                orders = current_app.extensions.get("gram_orders")
                key = (self.column, self.start, self.stop, grams)
                rarest = orders.get(key) if orders else None
                if rarest is None:
                    rarest = self._rarest(grams)
                    if orders:
                        orders.put(key, rarest)
                self.values["g0"] = rarest
        return self._bound

    def _rarest(self, grams: tuple) -> str:
        """The rarest of `grams` (this listing's, in the text's order; the
        first of equals), as `_bounds` says."""
        bound = {f"c{i}": gram for i, gram in enumerate(grams)}
        counts = self._run(f"gram-counts-since-{len(grams)}",
                           lambda: self._gram_counts(len(grams), since=True),
                           cutoff=self._cutoff(), **bound).one()
        if min(counts) <= SEARCH_LIMIT:
            counts = self._run(f"gram-counts-{len(grams)}", lambda: self._gram_counts(len(grams)),
                               probe=GRAM_PROBE, **bound).one()
        return min(zip(counts, range(len(grams)), grams))[2]

    def _before(self) -> dt.datetime:
        """Where the walk of a 项目编号 text in many codes begins: the end of
        the newest month (in range) in which a code of the column holds it
        (`_newest_month_probe`; hidden notices too, which only begins it
        sooner). “-2024-”, a third of 采购公告 at 1,000,000 notices and
        every match older than the rest, walked ~110,000 newer notices
        before its first match (25 ms of PostgreSQL's CPU); now 24 probes of
        months without one, then the matches."""
        month = self._run("code-month", _newest_month_probe, suffix=self.code,
                          cap=month_of(self.stop - dt.timedelta(microseconds=1))
                          if self.stop else _LAST_MONTH,
                          floor=month_of(self.start) if self.start else 0).scalar()
        return _month_after(month) if month else dt.datetime(1, 1, 1)

    def _cutoff(self) -> dt.datetime:
        """When the newest SCAN_WINDOW notices in range begin (all of them:
        the earliest possible time)."""
        # By the date alone: the ties' order does not move the time.
        cutoff = self._run("scan-cutoff", lambda: (
            select(PublishedNotice.published_at).where(*self._terms(text=False))
            .order_by(PublishedNotice.published_at.desc())
            .offset(bindparam("skip")).limit(1)),
            skip=SCAN_WINDOW - 1).scalar()
        return cutoff or dt.datetime(1, 1, 1)

    def _postings(self, grams, name: str) -> list:
        """Terms for the postings of the gram bound as `name` in this
        listing's column and dates, on `grams` (this listing's table or an
        alias of it)."""
        terms = [grams.gram == func.lower(bindparam(name)),
                 grams.column == bindparam("column")]
        if self.start:
            terms.append(grams.published_at >= bindparam("start", type_=DateTime))
        if self.stop:
            terms.append(grams.published_at < bindparam("stop", type_=DateTime))
        return terms

    def _gram_counts(self, grams: int, since: bool = False):
        """The postings in this listing of each of the bound grams c0…: since
        the bound `cutoff`, or up to the bound `probe` of them."""
        counted = []
        for i in range(grams):
            terms = self._postings(self.table, f"c{i}")
            if since:
                counted.append(select(func.count()).where(
                    *terms, self.table.published_at >= bindparam("cutoff", type_=DateTime))
                    .scalar_subquery())
                continue
            postings = select(literal(1)).where(*terms).limit(bindparam("probe")).subquery()
            counted.append(select(func.count()).select_from(postings).scalar_subquery())
        return select(*counted)

    def _search_page(self, offset: int, limit: int) -> list:
        """A text search's page: by relevance (a title search), then newest first."""
        if self.capped:
            return self._capped_page(offset, limit)
        return self._run("search-page", lambda: (
            select(*LIST_COLUMNS, func.count().over().label("total"))
            .where(*self._terms(), _shown()).order_by(*NEWEST_FIRST)
            .offset(bindparam("offset")).limit(bindparam("limit"))),
            offset=offset, limit=limit).all()

    def _capped_page(self, offset: int, limit: int) -> list:
        def build():
            # The matches read, once (a CTE used three times is materialized
            # by SQLite 3.35+ and PostgreSQL alike); the newest SEARCH_LIMIT
            # are shown, and the one beyond, the oldest read, only tells the
            # total that there were more. Leaving it out by its id costs a
            # scan of what was read; numbering the rows by date to find it
            # (row_number) sorted them once more than the page needs, half
            # the statement's time for a common word.
            found = self._matches().cte("found")
            total = select(func.count()).select_from(found).scalar_subquery()
            oldest = (select(found.c.id).order_by(found.c.published_at, found.c.id)
                      .limit(1).scalar_subquery())
            # Relevance is the title's; a 项目编号 search is newest first.
            relevance = [_title_relevance(found.c.title)] if self.relevance else []
            return (select(*(found.c[c.key] for c in LIST_COLUMNS), total.label("total"))
                    .where(or_(total <= bindparam("shown"), found.c.id != oldest))
                    .order_by(*relevance, found.c.published_at.desc(), found.c.id.desc())
                    .offset(bindparam("offset")).limit(bindparam("limit")))
        bounds = self._bounds()  # before _run: it may reorder the grams
        return self._run(f"{self._kind}-page", build, offset=offset, limit=limit,
                         shown=SEARCH_LIMIT, **bounds, **self.relevance).all()

    def page(self, offset: int, limit: int) -> list:
        if self.hidden is None:
            return self._search_page(offset, limit)
        # Positions `offset`… of all rows (index only), wide enough to skip
        # the hidden ones before and inside it.
        window = self._run("window", lambda: (
            select(PublishedNotice.published_at, PublishedNotice.id)
            .where(*self._terms(text=False)).order_by(*NEWEST_FIRST)
            .offset(bindparam("offset")).limit(bindparam("limit"))),
            offset=offset, limit=limit + 2 * len(self.hidden)).all()
        ids = pick_shown([tuple(row) for row in window], self.hidden, limit)
        if not ids:
            return []
        rows = {row.id: row for row in read(statement_once(("by-ids",), lambda: (
            select(*LIST_COLUMNS).where(PublishedNotice.id.in_(bindparam("ids", expanding=True)),
                                        _shown()))), {"ids": ids})}
        return [rows[id_] for id_ in ids if id_ in rows]


def pick_shown(window: list[tuple], hidden: list[tuple], limit: int) -> list[int]:
    """Ids of the published rows at positions `offset`…`offset+limit` among
    published rows, given `window`: (published_at, id) of *all* rows from
    position `offset` on, newest first, and `hidden`: every hidden row of the
    listing, newest first. Of the `offset` rows before the window, those
    hidden were not counted among the published, so as many published rows
    of the window are skipped."""
    if not window:
        return []
    hidden_ids = {id_ for _at, id_ in hidden}
    skip = sum(1 for key in hidden if key > window[0])
    shown = [id_ for at, id_ in window if id_ not in hidden_ids]
    return shown[skip:skip + limit]
