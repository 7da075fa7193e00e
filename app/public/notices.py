"""Notices on the website: storing one (sync, seeding) and the plain reads
(a column's newest, one notice, a feed). A column's pages and searches are
`search.Listing`.

Only rows with `published = True` are ever read here. Lists select the few
columns they show (never `body_html`), ordered newest first on the
(column, published_at, id, …) index, with LIMIT/OFFSET.
"""
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from sqlalchemy import select

from ..extensions import db, read
from ..models import NOTICE_COLUMNS, PublishedNotice
from .sanitise import clean_html, plain_text

# What list pages read; the body and lots stay on disk.
LIST_COLUMNS = (PublishedNotice.id, PublishedNotice.column, PublishedNotice.title,
                PublishedNotice.project_code, PublishedNotice.published_at)
NEWEST_FIRST = (PublishedNotice.published_at.desc(), PublishedNotice.id.desc())


class NoticeError(ValueError):
    """A notice that cannot be stored; the message says which field and why."""


def store_notice(data: dict) -> PublishedNotice:
    """Create or update the website's copy of one notice, keyed by `notice_key`.

    The notice sync (GPS → trading, `notice.published`) calls this inside the
    transaction that stores the inbox row; the seeder calls it too. It adds
    to `db.session` and flushes; it never commits, so the caller's
    transaction decides.

    `data` keys:
      notice_key    required, GPS's id of the notice (≤ 64 characters)
      column        required, one of `app.models.NOTICE_COLUMNS` (采购公告 …)
      title         required, plain text (tags are not interpreted, only escaped
                    when shown; ≤ 255 characters after whitespace is collapsed)
      body_html     HTML; sanitised here with `sanitise.clean_html`
      published_at  required, a datetime or an ISO 8601 string; an aware time is
                    converted to this server's local time (the app stores naive
                    local times)
      version       int ≥ 1, default 1; grows with every change of the notice
      published     bool, default True; False hides it everywhere at once
                    (withdrawn); it stays in the table
      project_code, plan_no, region_code   optional strings
      lots          optional list of {"code", "name", "budget"} (budget a number
                    or a decimal string, kept as a string with 2 decimals)
      documents     optional list (≤ 10) of public documents linked where their
                    owner serves them: {"title" (≤ 100 characters), "url"
                    (http/https, ≤ 500 characters), "size", "sha256"}

    Versions: a row is written only when `version` is newer than the stored
    one. An older or equal version is ignored and the row is returned as
    stored, so `returned.version != data["version"]` (or an unchanged row)
    tells the caller it was ignored. Invalid data raises `NoticeError`
    (a ValueError) before anything is written.

    Two transactions inserting the same new key at once: one fails on the
    UNIQUE notice_key and its caller retries (sync delivery does).
    """
    values = _validated(data)
    notice = db.session.execute(
        select(PublishedNotice).where(PublishedNotice.notice_key == values["notice_key"])
    ).scalar_one_or_none()
    if notice is None:
        notice = PublishedNotice(**values)
        db.session.add(notice)
    elif values["version"] > notice.version:
        for key, value in values.items():
            setattr(notice, key, value)
    db.session.flush()
    return notice


def _validated(data: dict) -> dict:
    key = plain_text(str(data.get("notice_key") or ""))
    if not key or len(key) > 64:
        raise NoticeError("notice_key: 必填，不超过64个字符")
    column = data.get("column")
    if column not in NOTICE_COLUMNS:
        raise NoticeError(f"column: 应为{'、'.join(NOTICE_COLUMNS)}之一")
    title = plain_text(data.get("title"))
    if not title or len(title) > 255:
        raise NoticeError("title: 必填，不超过255个字符")
    published = data.get("published", True)
    if not isinstance(published, bool):
        raise NoticeError("published: 应为 true 或 false")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise NoticeError("version: 应为正整数")
    return {
        "notice_key": key,
        "column": column,
        "title": title,
        "project_code": _optional(data, "project_code", 40),
        "plan_no": _optional(data, "plan_no", 32),
        "region_code": _optional(data, "region_code", 6),
        "body_html": clean_html(data.get("body_html")),
        "lots": _lots(data.get("lots")),
        "documents": _documents(data.get("documents")),
        "published_at": _when(data.get("published_at")),
        "published": published,
        "version": version,
    }


def _optional(data: dict, key: str, limit: int) -> str | None:
    value = plain_text(str(data.get(key) or ""))
    if len(value) > limit:
        raise NoticeError(f"{key}: 不超过{limit}个字符")
    return value or None


def _when(value) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise NoticeError("published_at: 应为 ISO 8601 日期时间") from None
    if not isinstance(value, dt.datetime):
        raise NoticeError("published_at: 必填")
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(microsecond=0)


def _lots(lots) -> list[dict]:
    if lots is None:
        return []
    if not isinstance(lots, list):
        raise NoticeError("lots: 应为列表")
    cleaned = []
    for i, lot in enumerate(lots, 1):
        if not isinstance(lot, dict):
            raise NoticeError(f"lots[{i}]: 应为对象")
        budget = lot.get("budget")
        if budget not in (None, ""):
            try:
                budget = str(Decimal(str(budget)).quantize(Decimal("0.01")))
            except (InvalidOperation, ValueError):
                raise NoticeError(f"lots[{i}].budget: 应为金额") from None
        cleaned.append({"code": plain_text(str(lot.get("code") or ""), 64),
                        "name": plain_text(str(lot.get("name") or ""), 255),
                        "budget": budget or None})
    return cleaned


MAX_DOCUMENTS = 10


def _link(url: str) -> bool:
    if len(url) > 500 or not url.isprintable() or " " in url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _documents(documents) -> list[dict] | None:
    """Links shown on the notice page: a document is only ever linked, at an
    http(s) address, with a plain-text title; anything else is refused."""
    if documents in (None, []):
        return None
    if not isinstance(documents, list) or len(documents) > MAX_DOCUMENTS:
        raise NoticeError(f"documents: 应为不超过{MAX_DOCUMENTS}项的列表")
    cleaned = []
    # Numbered from 0, as the message schema's own refusals number them.
    for i, document in enumerate(documents):
        if not isinstance(document, dict):
            raise NoticeError(f"documents[{i}]: 应为对象")
        title = plain_text(str(document.get("title") or ""))
        if not title or len(title) > 100:
            raise NoticeError(f"documents[{i}].title: 必填，不超过100个字符")
        url = str(document.get("url") or "").strip()
        if not _link(url):
            raise NoticeError(f"documents[{i}].url: 应为 http:// 或 https:// 开头的地址，"
                              "不超过500个字符")
        size = document.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise NoticeError(f"documents[{i}].size: 应为非负整数")
        sha256 = document.get("sha256")
        if sha256 is not None and not (isinstance(sha256, str) and _SHA256.match(sha256)):
            raise NoticeError(f"documents[{i}].sha256: 应为64位十六进制摘要")
        cleaned.append({"title": title, "url": url, "size": size, "sha256": sha256})
    return cleaned


# --- reading ------------------------------------------------------------------
#
# SQLite's planner (no ANALYZE statistics) picks the one-column index on
# `published` for `published = 1 AND column = ?`, then walks all 100,000
# rows. So the listing predicate is written `published != 0` (same meaning,
# the column is NOT NULL), which no index serves: the (column, published_at, …)
# index is used. PostgreSQL plans from statistics either way.


def _shown():
    return PublishedNotice.published != False  # noqa: E712 (SQL, not Python)


_STATEMENTS: dict = {}


def statement_once(key: tuple, build):
    """A statement built once per process: SQLAlchemy then skips building it
    and computing its cache key on every request (a third of a home page)."""
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = build()
    return statement


def newest(column: str, limit: int) -> list:
    """The newest `limit` published notices of one column (one index range scan)."""
    return read(statement_once(("newest", column, limit), lambda: (
        select(*LIST_COLUMNS).where(PublishedNotice.column == column, _shown())
        .order_by(*NEWEST_FIRST).limit(limit)))).all()


def get_published(notice_id: int) -> PublishedNotice | None:
    return db.session.execute(
        select(PublishedNotice).where(PublishedNotice.id == notice_id, _shown())
    ).scalar_one_or_none()


def feed_entries(column: str, limit: int) -> list[PublishedNotice]:
    """The newest `limit` published notices of a column, bodies included."""
    return list(db.session.execute(statement_once(("feed", column, limit), lambda: (
        select(PublishedNotice).where(PublishedNotice.column == column, _shown())
        .order_by(*NEWEST_FIRST).limit(limit)))).scalars())
