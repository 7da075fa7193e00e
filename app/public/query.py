"""Reading a column page's query string: never an error, at worst a message.

Pure functions (no Flask, no database), so the edge cases are cheap to test.
"""
import datetime as dt
import math
from dataclasses import dataclass, field

PER_PAGE = 20
MAX_TEXT = 100  # characters kept of a search term
_MAX_PAGE_DIGITS = 9


@dataclass
class Search:
    title: str = ""
    code: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    page: int = 1
    messages: list[str] = field(default_factory=list)

    @property
    def empty_range(self) -> bool:
        return bool(self.start and self.end and self.start > self.end)

    @property
    def active(self) -> bool:
        return bool(self.title or self.code or self.start or self.end)

    def params(self, page: int | None = None) -> dict:
        """The query string of this search (non-empty terms), for links."""
        values = {"title": self.title, "code": self.code,
                  "start": self.start.isoformat() if self.start else "",
                  "end": self.end.isoformat() if self.end else ""}
        if page and page > 1:
            values["page"] = page
        return {k: v for k, v in values.items() if v}


def parse(args) -> Search:
    """`args`: a mapping of query parameters (request.args)."""
    search = Search()
    search.title = _text(args.get("title"), "标题", search.messages)
    search.code = _text(args.get("code"), "项目编号", search.messages)
    search.start = _date(args.get("start"), "发布日期（起）", search.messages)
    search.end = _date(args.get("end"), "发布日期（止）", search.messages)
    if search.end == dt.date.max:
        search.end = None  # "until the end of time" is no bound
    if search.empty_range:
        search.messages.append("发布日期（起）晚于发布日期（止），没有符合条件的公告。")
    search.page = _page(args.get("page"))
    return search


def _text(value, label: str, messages: list) -> str:
    # Control characters (NUL above all: PostgreSQL refuses it in text) are
    # never part of a title or a project code.
    value = "".join(ch for ch in (value or "") if ch.isprintable() or ch.isspace())
    text = " ".join(value.split())
    if len(text) > MAX_TEXT:
        messages.append(f"{label}过长，只按前{MAX_TEXT}个字查询。")
        text = text[:MAX_TEXT]
    return text


def _date(value, label: str, messages: list) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        shown = value if len(value) <= 20 else value[:20] + "…"
        messages.append(f"{label}“{shown}”不是有效日期，应为“2026-01-31”这样的格式；"
                        "已忽略此条件。")
        return None


def _page(value) -> int:
    """A positive page number; anything else is page 1 (clamped to the last later)."""
    value = (value or "").strip()
    if not value.isdigit() or not value.isascii():
        return 1
    if len(value) > _MAX_PAGE_DIGITS:
        return 10 ** _MAX_PAGE_DIGITS
    return max(int(value), 1)


def last_page(total: int, per_page: int = PER_PAGE) -> int:
    return max(1, math.ceil(total / per_page))


def window(current: int, last: int, width: int = 9) -> list[int]:
    """Page numbers to link around the current page."""
    first = max(1, min(current - width // 2, last - width + 1))
    return list(range(first, min(last, first + width - 1) + 1))
