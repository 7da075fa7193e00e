"""Website pages kept in memory until a notice changes (app/public/page_cache.py):
a kept page is never older than the notices, whoever changed them."""
import datetime as dt

import pytest
from sqlalchemy import text

from app.extensions import db

from tests.helpers import Statements

from .test_website import add, get, notice

BASE = dt.datetime(2026, 3, 1, 9, 0)


def sql(app, statement):
    """A change made by hand in SQL: no application code sees it."""
    with app.app_context():
        db.session.execute(text(statement))
        db.session.commit()


@pytest.mark.parametrize("url", ["/web/", "/web/caigou/", "/web/caigou/?title=教育局"])
def test_a_kept_page_is_read_with_one_statement(empty_pds, url):
    add(empty_pds, notice("K1", title="平顶山市教育局采购公告"))
    client = empty_pds.test_client()
    first = get(client, url)
    with Statements(empty_pds) as seen:
        again = get(client, url)
    assert again == first
    assert len(seen) == 1 and "website_version" in seen[0], seen


def test_without_the_cache_every_request_renders(site_factory):
    app = site_factory("pds", WEBSITE_PAGE_CACHE=0)
    client = app.test_client()
    get(client, "/web/")
    with Statements(app) as seen:
        get(client, "/web/")
    assert len(seen) > 1 and not any("website_version" in s for s in seen)


def test_a_notice_stored_by_the_sync_shows_at_once(empty_pds):
    client = empty_pds.test_client()
    assert "新的采购公告" not in get(client, "/web/")
    assert "新的采购公告" not in get(client, "/web/caigou/")
    [nid] = add(empty_pds, notice("N1", title="新的采购公告"))
    assert "新的采购公告" in get(client, "/web/")
    assert "新的采购公告" in get(client, "/web/caigou/")
    assert "新的采购公告" in get(client, f"/web/notices/{nid}")


def test_changes_made_in_sql_show_at_once(empty_pds):
    [nid] = add(empty_pds, notice("S1", title="原来的标题"))
    client = empty_pds.test_client()
    for url in ("/web/", "/web/caigou/", f"/web/notices/{nid}"):
        assert "原来的标题" in get(client, url)
    sql(empty_pds, f"UPDATE published_notice SET title = '改过的标题' WHERE id = {nid}")
    for url in ("/web/", "/web/caigou/", f"/web/notices/{nid}"):
        page = get(client, url)
        assert "改过的标题" in page and "原来的标题" not in page, url
    sql(empty_pds, f"UPDATE published_notice SET published = false WHERE id = {nid}")
    assert "改过的标题" not in get(client, "/web/")
    assert client.get(f"/web/notices/{nid}").status_code == 404
    sql(empty_pds, f"DELETE FROM published_notice WHERE id = {nid}")
    assert client.get(f"/web/notices/{nid}").status_code == 404


def test_a_missing_notice_is_not_kept_as_missing(empty_pds):
    client = empty_pds.test_client()
    get(client, "/web/")
    assert client.get("/web/notices/999").status_code == 404
    assert [key[1] for key in empty_pds.extensions["website_pages"].pages] == ["/web/"]
    sql(empty_pds, "INSERT INTO published_notice (id, notice_key, \"column\", title, body_html, "
                   "published_at, version, published) VALUES (999, 'LATE', '采购公告', '迟到的公告', "
                   "'<p>正文</p>', '2026-03-01 09:00:00', 1, true)")
    assert "迟到的公告" in get(client, "/web/notices/999")


def test_readers_that_have_the_page_get_304_until_it_changes(empty_pds):
    add(empty_pds, notice("E1"))
    client = empty_pds.test_client()
    first = client.get("/web/")
    etag = first.headers["ETag"].strip('"')
    again = client.get("/web/", headers={"If-None-Match": f'"{etag}"'})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Content-Security-Policy"]  # the headers are every page's
    add(empty_pds, notice("E2", title="又一则公告"))
    changed = client.get("/web/", headers={"If-None-Match": f'"{etag}"'})
    assert changed.status_code == 200 and "又一则公告" in changed.get_data(as_text=True)
    assert changed.headers["ETag"].strip('"') != etag


def test_junk_query_strings_keep_at_most_the_configured_pages(site_factory):
    app = site_factory("pds", WEBSITE_PAGE_CACHE=5)
    client = app.test_client()
    for i in range(23):
        get(client, f"/web/caigou/?title=%00{i}&page=-{i}")
    assert 0 < len(app.extensions["website_pages"].pages) <= 5


def test_each_site_keeps_its_own_pages(site_factory):
    """Two apps (two platforms' sites, or a test's two apps) never share pages."""
    one, two = site_factory("pds"), site_factory("pds")
    assert one.extensions["website_pages"] is not two.extensions["website_pages"]


def test_one_off_pages_push_out_each_other_not_the_home_page(site_factory):
    app = site_factory("pds", WEBSITE_PAGE_CACHE=3)
    client = app.test_client()
    get(client, "/web/")
    for i in range(10):
        get(client, "/web/")  # read all the time
        get(client, f"/web/caigou/?title=一次{i}")
    kept = [key[1] for key in app.extensions["website_pages"].pages]
    assert "/web/" in kept and len(kept) == 3
    with Statements(app) as seen:
        get(client, "/web/")
    assert len(seen) == 1


def test_pages_that_read_no_query_string_are_kept_once(empty_pds):
    [nid] = add(empty_pds, notice("Q1"))
    client = empty_pds.test_client()
    for i in range(10):
        get(client, f"/web/?x={i}")
        get(client, f"/web/notices/{nid}?utm={i}")
    assert sorted(key[1] for key in empty_pds.extensions["website_pages"].pages) == [
        "/web/", f"/web/notices/{nid}"]


def test_kept_html_is_bounded_in_bytes_too(site_factory, monkeypatch):
    from app.public import page_cache

    app = site_factory("pds", WEBSITE_PAGE_CACHE=100)
    client = app.test_client()
    size = len(get(client, "/web/caigou/?title=a0").encode())
    monkeypatch.setattr(page_cache, "MAX_BYTES", size * 3)
    for i in range(1, 10):
        get(client, f"/web/caigou/?title=a{i}")
    kept = app.extensions["website_pages"]
    assert len(kept.pages) <= 3
    assert kept.bytes == sum(len(body) for body, _etag in kept.pages.values()) <= size * 3


def test_head_and_get_answer_the_same_kept_page(empty_pds):
    add(empty_pds, notice("H1"))
    client = empty_pds.test_client()
    head = client.head("/web/")
    page = client.get("/web/")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == page.headers["ETag"]
