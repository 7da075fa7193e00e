"""公共资源交易网 (/web on a trading site): public, published notices only,
inert HTML, search and pagination, valid feeds."""
import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from app.extensions import db
from app.models import PublishedNotice
from app.public import query, search
from app.public.columns import SLUGS
from app.public.notices import NoticeError, store_notice

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = dt.datetime(2026, 3, 1, 9, 0)
LINK_RE = re.compile(r'href="/web/notices/(\d+)"')


def notice(key, column="采购公告", **values):
    data = {"notice_key": key, "column": column, "title": f"标题{key}",
            "project_code": f"PDS-{key}", "body_html": f"<p>正文{key}</p>",
            "published_at": BASE, "lots": [{"code": f"{key}-1", "name": "第一标段",
                                            "budget": "1200000"}]}
    data.update(values)
    return data


def add(app, *items):
    """Store notices as the sync will; returns their ids."""
    with app.app_context():
        ids = [store_notice(item).id for item in items]
        db.session.commit()
    return ids


def listed_ids(html: str) -> list[int]:
    """Notice ids in the list table of a column page, in page order."""
    table = html.split('<table class="notices">', 1)
    if len(table) != 2:
        return []
    return [int(i) for i in LINK_RE.findall(table[1].split("</table>")[0])]


def total_of(html: str) -> int:
    return int(re.search(r'<strong id="total">(\d+)</strong>', html).group(1))


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


# --- access -----------------------------------------------------------------

def test_anonymous_visitor_sees_every_page(empty_pds):
    [nid] = add(empty_pds, notice("A1"))
    client = empty_pds.test_client()
    for url in ("/web/", "/web/caigou/", "/web/zhongzhi/", "/web/jieguo-gengzheng/",
                f"/web/notices/{nid}", "/web/caigou/feed.atom", "/web/caigou/rss.xml"):
        response = client.get(url)
        assert response.status_code == 200, url  # not a redirect to the login page
        assert "Set-Cookie" not in response.headers, url
    home = get(client, "/web/")
    assert "平顶山市公共资源交易网" in home
    for name in ("采购公告", "变更公告", "结果公告", "结果更正公告", "终止公告"):
        assert name in home
    assert home.count(">更多") == len(SLUGS)
    assert "<script" not in home


def test_gps_site_has_no_website(gps_demo):
    client = gps_demo.test_client()
    for url in ("/web/", "/web/caigou/", "/web/caigou/feed.atom", "/web/notices/1"):
        assert client.get(url).status_code == 404, url


def test_unknown_column_and_notice_are_404(empty_pds):
    client = empty_pds.test_client()
    for url in ("/web/nope/", "/web/nope/feed.atom", "/web/notices/999999", "/web/notices/abc",
                "/web/notices/-1", "/web/notices/0", "/web/notices/" + "9" * 30,
                "/web/notices/2147483648"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "您访问的公告不存在或已撤销发布" in response.get_data(as_text=True), url


def test_detail_shows_notice_with_lots(empty_pds):
    [nid] = add(empty_pds, notice("D1", column="结果公告", title="平顶山市教育局电脑采购结果公告",
                             project_code="410400-2026-00001", published_at=BASE,
                             lots=[{"code": "BD-1", "name": "台式计算机", "budget": "1500000"},
                                   {"code": "BD-2", "name": "打印机", "budget": 80000.5}]))
    page = get(empty_pds.test_client(), f"/web/notices/{nid}")
    for text in ("平顶山市教育局电脑采购结果公告", "结果公告", "410400-2026-00001",
                 "2026-03-01 09:00", "<p>正文D1</p>", "标段编号", "标段名称", "预算金额",
                 "BD-1", "台式计算机", "1,500,000.00 元", "BD-2", "80,000.50 元"):
        assert text in page, text
    assert 'href="/web/jieguo/"' in page


# --- only published notices ----------------------------------------------------

def test_unpublished_notices_are_invisible(empty_pds):
    shown, hidden = add(empty_pds, notice("SHOWN", title="公开的公告"),
                        notice("HIDDEN", title="未发布的公告", published=False,
                               published_at=BASE + dt.timedelta(hours=1)))
    client = empty_pds.test_client()
    for url in ("/web/", "/web/caigou/", "/web/caigou/?title=公告",
                "/web/caigou/?code=PDS-HIDDEN", "/web/caigou/feed.atom", "/web/caigou/rss.xml"):
        page = get(client, url)
        assert "未发布的公告" not in page and f"/web/notices/{hidden}" not in page, url
    assert "公开的公告" in get(client, "/web/caigou/")
    assert total_of(get(client, "/web/caigou/")) == 1
    assert total_of(get(client, "/web/caigou/?code=PDS-HIDDEN")) == 0
    assert client.get(f"/web/notices/{hidden}").status_code == 404
    assert client.get(f"/web/notices/{shown}").status_code == 200


def test_withdrawn_notice_disappears_at_once(empty_pds):
    [nid] = add(empty_pds, notice("W1", title="将被撤销的公告"))
    client = empty_pds.test_client()
    assert client.get(f"/web/notices/{nid}").status_code == 200
    add(empty_pds, notice("W1", title="将被撤销的公告", published=False, version=2))
    assert client.get(f"/web/notices/{nid}").status_code == 404
    assert "将被撤销的公告" not in get(client, "/web/")
    assert "将被撤销的公告" not in get(client, "/web/caigou/feed.atom")


def test_paging_skips_hidden_rows_exactly(empty_pds, monkeypatch):
    """Pages of a column with hidden rows scattered among 50 (index-only paging
    with the hidden rows subtracted) equal the plain ordered list."""
    items = [notice(f"P{i:02d}", published_at=BASE + dt.timedelta(hours=i // 2),
                    published=i % 7 != 3) for i in range(50)]  # equal times, too
    add(empty_pds, *items)
    with empty_pds.app_context():
        expected = [n.id for n in db.session.query(PublishedNotice)
                    .filter_by(column="采购公告", published=True)
                    .order_by(PublishedNotice.published_at.desc(), PublishedNotice.id.desc())]
    assert len(expected) == 43
    client = empty_pds.test_client()
    seen = []
    for page in (1, 2, 3):
        html = get(client, f"/web/caigou/?page={page}")
        assert total_of(html) == 43
        seen += listed_ids(html)
    assert seen == expected
    # The same through the ranged (index-only) listing and the text search one.
    assert listed_ids(get(client, "/web/caigou/?start=2026-03-01&page=2")) == expected[20:40]
    searched = get(client, "/web/caigou/?title=标题&page=3")
    assert listed_ids(searched) == expected[40:] and total_of(searched) == 43
    # With more hidden rows than HIDDEN_LIMIT: the plain queries, same answer
    # (rendered again: the pages above are kept until a notice changes).
    monkeypatch.setattr(search, "HIDDEN_LIMIT", 3)
    empty_pds.extensions["website_pages"].pages.clear()
    assert [i for page in (1, 2, 3) for i in listed_ids(
        get(client, f"/web/caigou/?page={page}"))] == expected
    assert total_of(get(client, "/web/caigou/?page=2")) == 43


def test_pick_shown_window_arithmetic():
    t = dt.datetime(2026, 1, 1)
    rows = [(t - dt.timedelta(minutes=i), 100 - i) for i in range(12)]  # all rows, newest first
    hidden = [rows[1], rows[4], rows[5]]
    shown = [r[1] for r in rows if r not in hidden]
    for offset in range(9):
        # window = all rows from the same position `offset`
        window = rows[offset:offset + 3 + 2 * len(hidden)]
        assert search.pick_shown(window, hidden, 3) == shown[offset:offset + 3], offset
    assert search.pick_shown([], hidden, 3) == []


# --- sanitising -----------------------------------------------------------------

XSS_BODY = """
<p>正文开始</p>
<script>alert('xss-script')</script>
<img src="x.png" onerror="alert('xss-onerror')">
<a href="javascript:alert('xss-js')">点我</a>
<a href=" JaVaScRiPt:alert('xss-js2')">点我2</a>
<iframe src="https://evil.example/xss-iframe"></iframe>
<div style="width: expression(alert('xss-style'))">样式</div>
<svg onload="alert('xss-svg')"><script>alert(1)</script></svg>
<form action="https://evil.example/"><input name="q"></form>
<p onclick="alert('xss-click')">正文结束</p>
"""
XSS_TITLE = "<script>alert('xss-title')</script><img src=x onerror=alert(2)>标题"


class _Elements(HTMLParser):
    """The elements and attributes a browser would build from a page."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str):
    """No element or attribute that can run script or load a frame; the
    payloads may remain only as escaped text."""
    for tag, attrs in _Elements(html).found:
        assert tag not in ("script", "iframe", "frame", "object", "embed", "svg", "math",
                           "base", "applet"), tag
        if tag == "form":  # only the site's own search form
            assert attrs.get("action", "").startswith("/web/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            value = (value or "").lower().replace(" ", "")
            assert "javascript:" not in value and "expression(" not in value, (tag, name)
            if name == "style" and tag != "style":
                raise AssertionError(f"style attribute on {tag}")


def test_inertness_check_catches_the_raw_payloads():
    for payload in XSS_BODY.strip().splitlines()[1:-1]:
        with pytest.raises(AssertionError):
            assert_inert(payload)


def test_xss_payloads_render_inert(empty_pds):
    [nid] = add(empty_pds, notice("X1", title=XSS_TITLE, body_html=XSS_BODY))
    client = empty_pds.test_client()
    detail = get(client, f"/web/notices/{nid}")
    assert_inert(detail)
    assert "正文开始" in detail and "正文结束" in detail and "样式" in detail
    assert "&lt;script&gt;alert(&#39;xss-title&#39;)&lt;/script&gt;" in detail  # shown as text
    for url in ("/web/", "/web/caigou/", "/web/caigou/?title=script"):
        page = get(client, url)
        assert_inert(page)
        assert "&lt;script&gt;" in page
    with empty_pds.app_context():
        stored = db.session.get(PublishedNotice, nid).body_html
    assert_inert(stored)  # sanitised on the way in, too


def test_body_written_around_store_notice_is_still_inert(empty_pds):
    """A row written some other way (SQL, an old import) is cleaned when shown."""
    with empty_pds.app_context():
        row = PublishedNotice(notice_key="RAW", column="终止公告", title="直接写入",
                              body_html=XSS_BODY, published_at=BASE, published=True)
        db.session.add(row)
        db.session.commit()
        nid = row.id
    client = empty_pds.test_client()
    assert_inert(get(client, f"/web/notices/{nid}"))
    feed = get(client, "/web/zhongzhi/feed.atom")
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0
    assert_inert(parsed.entries[0].content[0].value)
    assert_inert(ET.fromstring(feed.encode()).find(f"{ATOM}entry/{ATOM}content").text)


def test_feeds_carry_escaped_titles(empty_pds):
    add(empty_pds, notice("XF", title=XSS_TITLE, body_html=XSS_BODY))
    client = empty_pds.test_client()
    for url in ("/web/caigou/feed.atom", "/web/caigou/rss.xml"):
        raw = get(client, url)
        assert "<script>" not in raw and "<iframe" not in raw
        parsed = feedparser.parse(raw)
        assert parsed.bozo == 0
        # the title is plain text: the tags are characters of the title, not markup
        root = ET.fromstring(raw.encode())
        titles = [e.text for e in root.iter() if e.tag in (f"{ATOM}title", "title")]
        assert XSS_TITLE in titles


# --- search --------------------------------------------------------------------

def test_search_by_title_code_and_dates(empty_pds):
    add(empty_pds,
        notice("S1", title="平顶山市教育局台式计算机采购公告", project_code="410400-2026-00011",
               published_at=dt.datetime(2026, 1, 31, 23, 59)),
        notice("S2", title="平顶山市教育局办公家具采购公告",
               project_code="410400-2026-00012-PDS-S2",
               published_at=dt.datetime(2026, 2, 1, 0, 0)),
        notice("S3", title="叶县医院医疗设备采购公告", project_code="410400-2025-00013",
               published_at=dt.datetime(2026, 2, 28, 18, 0)),
        notice("S4", title="叶县医院物业服务100%达标采购公告", project_code="410400-2025-00014",
               published_at=dt.datetime(2026, 3, 1, 0, 0)),
        notice("S5", title="平顶山市教育局结果公告", column="结果公告",
               published_at=dt.datetime(2026, 2, 1)))
    client = empty_pds.test_client()

    def titles(qs):
        html = get(client, "/web/caigou/?" + qs)
        found = re.findall(r'<td><a href="/web/notices/\d+">([^<]+)</a>', html)
        assert total_of(html) == len(found)
        return found

    assert titles("title=教育局") == ["平顶山市教育局办公家具采购公告", "平顶山市教育局台式计算机采购公告"]
    assert titles("code=2025") == ["叶县医院物业服务100%达标采购公告", "叶县医院医疗设备采购公告"]
    assert titles("code=410400-2026-00012") == ["平顶山市教育局办公家具采购公告"]
    assert titles("code=pds-s2") == ["平顶山市教育局办公家具采购公告"]
    assert titles("title=  叶县医院  ") == ["叶县医院物业服务100%达标采购公告", "叶县医院医疗设备采购公告"]
    # LIKE wildcards are literal
    assert titles("title=100%25") == ["叶县医院物业服务100%达标采购公告"]
    assert titles("title=%25") == ["叶县医院物业服务100%达标采购公告"]
    assert titles("title=_") == []
    # whole days, both ends included
    assert titles("start=2026-02-01&end=2026-02-28") == ["叶县医院医疗设备采购公告",
                                                         "平顶山市教育局办公家具采购公告"]
    assert titles("start=2026-03-01") == ["叶县医院物业服务100%达标采购公告"]
    assert titles("end=2026-01-31") == ["平顶山市教育局台式计算机采购公告"]
    assert titles("title=教育局&start=2026-02-01&end=2026-02-01") == ["平顶山市教育局办公家具采购公告"]
    assert titles("title=不存在的项目") == []
    # the search stays within the column
    assert "平顶山市教育局结果公告" not in get(client, "/web/caigou/?title=教育局")
    assert titles("title=教育局").__len__() == 2


def test_bad_query_input_gives_a_message_never_an_error(empty_pds):
    add(empty_pds, *[notice(f"Q{i}", published_at=BASE + dt.timedelta(days=i)) for i in range(3)])
    client = empty_pds.test_client()
    html = get(client, "/web/caigou/?start=2026-13-01&end=abc")
    assert "发布日期（起）“2026-13-01”不是有效日期" in html
    assert "发布日期（止）“abc”不是有效日期" in html
    assert total_of(html) == 3  # the bad terms are ignored
    html = get(client, "/web/caigou/?start=2026-03-03&end=2026-03-01")
    assert "发布日期（起）晚于发布日期（止）" in html and total_of(html) == 0
    html = get(client, "/web/caigou/?title=" + "长" * 300)
    assert "标题过长" in html
    for qs in ("page=abc", "page=-1", "page=0", "page=1.5", "page=%EF%BC%91", "page=" + "9" * 50,
               "start=9999-12-31", "end=9999-12-31", "start=0001-01-01", "end=0001-01-01",
               "start=%00", "title=%00%01", "code=%27%22%3C", "title=a&title=b",
               "start=2026-02-30", "end=20260301", "page=99999999999999999999&title=标题"):
        response = client.get("/web/caigou/?" + qs)
        assert response.status_code == 200, qs
        assert "<script" not in response.get_data(as_text=True)


# --- pagination -------------------------------------------------------------------

def test_pagination_boundaries(empty_pds):
    ids = add(empty_pds, *[notice(f"G{i:02d}", column="变更公告",
                             published_at=BASE + dt.timedelta(minutes=i)) for i in range(45)])
    newest_first = ids[::-1]
    client = empty_pds.test_client()
    first = get(client, "/web/biangeng/")
    assert total_of(first) == 45 and "第 1/3 页" in first
    assert listed_ids(first) == newest_first[:20]
    assert listed_ids(get(client, "/web/biangeng/?page=2")) == newest_first[20:40]
    last = get(client, "/web/biangeng/?page=3")
    assert listed_ids(last) == newest_first[40:] and "第 3/3 页" in last
    beyond = get(client, "/web/biangeng/?page=4")
    assert listed_ids(beyond) == newest_first[40:] and "已显示最后一页" in beyond
    assert listed_ids(get(client, "/web/biangeng/?page=" + "9" * 40)) == newest_first[40:]
    # the same with a text search (one scan gives the page and the total)
    searched = get(client, "/web/biangeng/?title=标题&page=9")
    assert listed_ids(searched) == newest_first[40:] and "已显示最后一页" in searched
    assert total_of(searched) == 45 and "第 3/3 页" in searched
    assert listed_ids(get(client, "/web/biangeng/?title=标题&page=2")) == newest_first[20:40]
    nothing = get(client, "/web/biangeng/?title=没有&page=5")
    assert total_of(nothing) == 0 and "第 1/1 页" in nothing and "已显示最后一页" not in nothing
    assert "第 1/1 页" in get(client, "/web/biangeng/?start=2026-03-02&end=2026-03-01&page=4")
    for bad in ("0", "-1", "abc", ""):
        assert listed_ids(get(client, f"/web/biangeng/?page={bad}")) == newest_first[:20], bad
    # page links keep the search terms
    searched = get(client, "/web/biangeng/?title=标题&start=2026-03-01")
    assert ('href="/web/biangeng/?title=%E6%A0%87%E9%A2%98&amp;start=2026-03-01&amp;page=2"'
            in searched)
    # exactly one page: no pager; none at all: an empty-state message
    assert 'class="pager"' not in get(client, "/web/biangeng/?title=G07")
    empty = get(client, "/web/zhongzhi/")
    assert total_of(empty) == 0 and "没有符合条件的公告" in empty and "第 1/1 页" in empty


def test_home_shows_newest_per_column(empty_pds):
    add(empty_pds, *[notice(f"H{i:02d}", column="采购公告", title=f"首页公告{i:02d}",
                       published_at=BASE + dt.timedelta(hours=i)) for i in range(12)])
    home = get(empty_pds.test_client(), "/web/")
    section = home.split('id="col-caigou"')[1].split("</section>")[0]
    shown = re.findall(r"首页公告(\d\d)</a>", section)
    assert shown == [f"{i:02d}" for i in range(11, 3, -1)]  # the newest 8, newest first
    assert 'href="/web/caigou/"' in section
    assert "暂无公告" in home.split('id="col-zhongzhi"')[1].split("</section>")[0]


# --- feeds -------------------------------------------------------------------------

def test_atom_and_rss_feeds_validate(empty_pds):
    ids = add(empty_pds, *[notice(f"F{i:02d}", column="结果公告", title=f"结果公告{i:02d}",
                             published_at=BASE + dt.timedelta(days=i)) for i in range(25)])
    add(empty_pds, notice("F-HIDDEN", column="结果公告", title="隐藏的结果公告", published=False,
                     published_at=BASE + dt.timedelta(days=99)))
    client = empty_pds.test_client()

    atom = client.get("/web/jieguo/feed.atom")
    assert atom.status_code == 200 and atom.mimetype == "application/atom+xml"
    parsed = feedparser.parse(atom.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "平顶山市公共资源交易网 - 结果公告"
    assert len(parsed.entries) == 20
    newest = ids[::-1][:20]
    assert [e.link for e in parsed.entries] == [f"http://localhost/web/notices/{i}" for i in newest]
    assert parsed.entries[0].title == "结果公告24"
    assert parsed.entries[0].published_parsed[:3] == (2026, 3, 25)
    assert "隐藏的结果公告" not in atom.get_data(as_text=True)
    root = ET.fromstring(atom.data)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    self_link = root.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == "http://localhost/web/jieguo/feed.atom"
    entry = root.find(f"{ATOM}entry")
    for tag in ("id", "title", "updated", "link"):
        assert entry.find(f"{ATOM}{tag}") is not None, tag
    # each entry's link works
    assert client.get(parsed.entries[0].link.removeprefix("http://localhost")).status_code == 200

    rss = client.get("/web/jieguo/rss.xml")
    assert rss.status_code == 200 and rss.mimetype == "application/rss+xml"
    parsed = feedparser.parse(rss.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert [e.link for e in parsed.entries] == [f"http://localhost/web/notices/{i}" for i in newest]
    root = ET.fromstring(rss.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert all(channel.find(tag) is not None for tag in ("title", "link", "description"))
    assert len(channel.findall("item")) == 20
    assert "隐藏的结果公告" not in rss.get_data(as_text=True)


def test_feed_answers_304_until_it_changes(empty_pds):
    [nid] = add(empty_pds, notice("E1", column="终止公告"))
    client = empty_pds.test_client()
    first = client.get("/web/zhongzhi/feed.atom")
    etag = first.headers["ETag"]
    again = client.get("/web/zhongzhi/feed.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/web/zhongzhi/rss.xml", headers={"If-None-Match": etag}).status_code == 200
    add(empty_pds, notice("E1", column="终止公告", title="已更正", version=2))
    changed = client.get("/web/zhongzhi/feed.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "已更正" in changed.get_data(as_text=True)
    add(empty_pds, notice("E1", column="终止公告", published=False, version=3))
    gone = client.get("/web/zhongzhi/feed.atom", headers={"If-None-Match": changed.headers["ETag"]})
    assert gone.status_code == 200 and f"/web/notices/{nid}" not in gone.get_data(as_text=True)


def test_empty_feed_is_still_valid(empty_pds):
    client = empty_pds.test_client()
    for url, version in (("/web/zhongzhi/feed.atom", "atom10"), ("/web/zhongzhi/rss.xml", "rss20")):
        parsed = feedparser.parse(client.get(url).data)
        assert parsed.bozo == 0 and parsed.version == version and parsed.entries == []


# --- store_notice (what the notice sync will call) -----------------------------------

def test_store_notice_upserts_by_key_and_respects_versions(empty_pds):
    with empty_pds.app_context():
        first = store_notice(notice("V1", title="第一版", version=2))
        db.session.commit()
        nid = first.id
        same = store_notice(notice("V1", title="同版本重复", version=2))
        older = store_notice(notice("V1", title="旧版本", version=1))
        assert same.id == older.id == nid
        assert db.session.get(PublishedNotice, nid).title == "第一版"
        newer = store_notice(notice("V1", title="第三版", version=3,
                                    body_html="<p>新正文<script>x()</script></p>",
                                    published_at="2026-04-01T10:00:00+08:00"))
        db.session.commit()
        row = db.session.get(PublishedNotice, nid)
        assert newer.id == nid and row.title == "第三版" and row.version == 3
        assert row.body_html == "<p>新正文</p>"
        assert row.published_at == dt.datetime.fromisoformat(
            "2026-04-01T10:00:00+08:00").astimezone().replace(tzinfo=None)
        assert db.session.query(PublishedNotice).filter_by(notice_key="V1").count() == 1


@pytest.mark.parametrize("bad", [
    {"column": "其他公告"}, {"title": ""}, {"title": "长" * 256}, {"notice_key": ""},
    {"published_at": "yesterday"}, {"published_at": None}, {"version": 0},
    {"version": "2"}, {"lots": "BD-1"}, {"lots": [{"code": "1", "budget": "abc"}]},
    {"project_code": "x" * 41}, {"published": "false"},
])
def test_store_notice_refuses_invalid_data(empty_pds, bad):
    with empty_pds.app_context():
        with pytest.raises(NoticeError):
            store_notice(notice("BAD", **bad))
        db.session.rollback()
        assert db.session.query(PublishedNotice).filter_by(notice_key="BAD").count() == 0


# --- seeding and the query-string parser --------------------------------------------

def test_seed_command(empty_pds):
    runner = empty_pds.test_cli_runner()
    result = runner.invoke(args=["website", "seed", "--count", "7", "--column", "jieguo",
                                 "--unpublished", "2"])
    assert result.exit_code == 0, result.output
    assert "seeded 9" in result.output
    assert total_of(get(empty_pds.test_client(), "/web/jieguo/")) == 7
    assert runner.invoke(args=["website", "seed", "--column", "nope"]).exit_code != 0
    with empty_pds.app_context():
        bodies = [n.body_html for n in db.session.query(PublishedNotice)]
    assert bodies and all("<script" not in b for b in bodies)


def test_seeding_fills_every_column_each_in_its_own_format(empty_pds):
    """Six columns, 合同公告 included: a seeded 合同公告 reads like one."""
    runner = empty_pds.test_cli_runner()
    assert runner.invoke(args=["website", "seed", "--count", "12"]).exit_code == 0
    client = empty_pds.test_client()
    for slug in SLUGS:
        assert total_of(get(client, f"/web/{slug}/")) >= 2, slug
    with empty_pds.app_context():
        bodies = {n.column: n.body_html for n in db.session.query(PublishedNotice)
                  .filter(PublishedNotice.notice_key.like("seed-%"))}
    assert "一、合同编号" in bodies["合同公告"] and "获取采购文件" not in bodies["合同公告"]
    assert "获取采购文件" in bodies["采购公告"]


def test_query_parser():
    search = query.parse({"title": "  a  b ", "code": "X", "start": "2026-01-01",
                          "end": "2026-01-31", "page": "3"})
    assert (search.title, search.code, search.start, search.end, search.page) == (
        "a b", "X", dt.date(2026, 1, 1), dt.date(2026, 1, 31), 3)
    assert search.params(2) == {"title": "a b", "code": "X", "start": "2026-01-01",
                                "end": "2026-01-31", "page": 2}
    assert query.parse({"page": "-1"}).page == 1
    assert query.parse({"page": "１"}).page == 1  # full-width digit
    assert query.parse({"page": "9" * 30}).page == 10 ** 9
    assert query.parse({"end": "9999-12-31"}).end is None
    assert query.last_page(0) == 1 and query.last_page(20) == 1 and query.last_page(21) == 2
    assert query.window(1, 3) == [1, 2, 3]
    assert query.window(50, 100) == list(range(46, 55))
    assert query.window(100, 100) == list(range(92, 101))


def test_the_demo_site_has_sample_notices_for_anyone(pds_demo):
    page = pds_demo.test_client().get("/web/")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("/web/notices/") >= 5
