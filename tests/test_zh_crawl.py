"""Every page a user can reach, as every role on both kinds of site, is Chinese.

The crawl logs in, starts at the home page and follows same-site links
(menus, list rows, 详情/编辑/增加, links inside pages) to a bounded depth. On
each page it reads what a person sees: text outside <script>/<style>, plus
the attributes a browser shows or reads aloud (title, placeholder,
aria-label, alt, the value of a button). Any ASCII word outside the
allow-list below fails the test, naming the page and the word.
"""
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from app.demo import GPS_USERS, TRADING_USERS
from tests.helpers import logged_in

# Words that are right in a Chinese UI. Each group says why.
ALLOWED = {
    # Proper names of formats and standards, written so in Chinese too: the
    # Open Contracting Data Standard export, file types on upload and import
    # fields, the website's feeds, the character set of a CSV import.
    "OCDS", "PDF", "JSON", "CSV", "Atom", "RSS", "GBK",
    # Technical terms Chinese users write in Latin letters: CA (数字证书) on
    # notices, HTTP (状态码) and RQ (the task queue, a product) on 【同步监控】.
    "CA", "HTTP", "RQ",
    # Units, as written in sizes.
    "MB", "KB",
    # The language menu names English in English, so that a reader of
    # English finds it (as every site does with its language list).
    "English",
    # GPS's site code in sync messages, shown as 对端编码 on 【同步对端】.
    "gps",
}
# Login names are data the administrator chose, shown as typed.
ALLOWED |= {row[0] for row in GPS_USERS} | {
    row[0] for rows in TRADING_USERS.values() for row in rows}
# Codes and numbers are not words: 410400, 2026-11-30, ZFCG-2026-0001, 1,500.00,
# plan.filed, plan:ZFCG-1, v1 and the like. A "word" here is a run of two or
# more ASCII letters that is not part of a code (letters joined to digits,
# hyphens, dots or colons without a space).
WORD = re.compile(r"(?<![A-Za-z0-9_\-./@:])[A-Za-z]{2,}(?![A-Za-z0-9_\-/@:]|\.[A-Za-z0-9])")
EMAIL = re.compile(r"\S+@\S+\.\w+")
URL = re.compile(r"\b(?:https?|ftp)://\S+")
# Machine text shown as such (a message's JSON, a file format's field names).
MACHINE = ("script", "style", "template", "pre", "code")

# Not followed: leaving the session or the language, downloads, and GETs
# that change something.
SKIP = re.compile(
    r"^/(logout|lang/|static/|appbuilder/|swagger|api/|interop/|health"
    # RQ's own dashboard stays English; the page that frames it says so
    # (and is crawled).
    r"|rq/)"
    r"|/delete|/download|/export|/ocds|\.(pdf|json|csv|atom|xml|zip)$"
    r"|/action/|/requeue|/empty|/compact|/cancel")
# List-page query strings that only sort, page or filter the same page.
NOISE_ARGS = re.compile(r"^(_oc_|_od_|psize_|page_|_flt_|page$)")
DEPTH = 3
PER_SHAPE = 2  # /plans/show/1 and /plans/show/2 test the same template

# Raw values a person should never read: Python's reprs and spellings, and
# times to the second or microsecond (times are shown to the minute).
RAW = re.compile(r"object at 0x|<app\.models|\bNone\b|\bTrue\b|\bFalse\b"
                 r"|\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b")

VISIBLE_ATTRS = {"title", "placeholder", "aria-label", "alt"}


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in MACHINE:
            self._skip += 1
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in VISIBLE_ATTRS & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "button" or (tag == "input" and (attrs.get("type") or "").lower()
                               in ("submit", "button", "reset")):
            self.parts.append(attrs.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in MACHINE:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in MACHINE and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
        elif "new AdminFilters(" in data:
            self.parts.extend(search_form_text(data))


def search_form_text(script: str) -> list[str]:
    """What FAB's search form shows, which it ships as JSON for its script:
    column labels, each column's filter names (等于, 包含 …) and its input
    (a related column's options)."""
    import json

    start = script.index("new AdminFilters(")
    rest = script[script.index(",", start) + 1:]
    decoder, values = json.JSONDecoder(), []
    for _arg in range(4):
        rest = rest.lstrip().lstrip(",").lstrip()
        value, end = decoder.raw_decode(rest)
        values.append(value)
        rest = rest[end:]
    labels, fields, filters, _active = values  # the columns' keys are not shown
    texts = [str(label) for label in labels.values()]
    for html in fields.values():
        inner = VisibleText()
        inner.feed(html)
        texts.extend(inner.parts)
    for names in filters.values():
        texts.extend(_strings(names))
    return texts


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    return []


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_words(html: str) -> tuple[set[str], list[str]]:
    parser = VisibleText()
    parser.feed(html)
    text = EMAIL.sub(" ", URL.sub(" ", "\n".join(parser.parts)))
    return {w for w in WORD.findall(text) if w not in ALLOWED}, parser.links


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def normalise(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None  # other sites, anchors, javascript:, mailto:
    if SKIP.search(parts.path):
        return None
    args = [(k, v) for k, v in parse_qsl(parts.query) if not NOISE_ARGS.match(k)
            and k != "next"]
    return parts.path + (f"?{urlencode(args)}" if args else "")


def crawl(client, start="/"):
    """Pages reached from `start` (breadth first): {url: html}, and links
    that answered an error."""
    seen, shapes, pages, broken = {start}, {}, {}, []
    frontier = [start]
    for _depth in range(DEPTH + 1):
        following = []
        for url in frontier:
            response = client.get(url)
            if response.status_code in (301, 302, 303):
                location = urlsplit(response.headers["Location"])
                target = normalise(location.path + (f"?{location.query}" if location.query
                                                    else ""))
                if target and target not in seen:
                    seen.add(target)
                    following.append(target)
                continue
            if response.status_code >= 500:
                broken.append((url, response.status_code))
                continue
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            html = response.get_data(as_text=True)
            pages[url] = html
            for href in english_words(html)[1]:
                link = normalise(href)
                if link is None or link in seen:
                    continue
                key = shape(urlsplit(link).path)
                if shapes.get(key, 0) >= PER_SHAPE:
                    continue
                shapes[key] = shapes.get(key, 0) + 1
                seen.add(link)
                following.append(link)
        frontier = following
    return pages, broken


def one_user_per_role(rows):
    users = {}
    for username, role, *_rest in rows:
        users.setdefault(role, username)
    return sorted(users.items())


CASES = ([pytest.param("gps", user, id=f"gps-{role}")
          for role, user in one_user_per_role(GPS_USERS)]
         + [pytest.param("pds", user, id=f"pds-{role}")
            for role, user in one_user_per_role(TRADING_USERS["410400"])])


@pytest.fixture
def site(request, gps_demo, pds_demo):
    return {"gps": gps_demo, "pds": pds_demo}[request.param]


@pytest.mark.parametrize("site, username", CASES, indirect=["site"])
def test_every_reachable_page_is_chinese(site, username):
    client = logged_in(site, username)
    pages, broken = crawl(client)
    assert len(pages) > 5, f"the crawl reached only {sorted(pages)}"
    assert broken == []
    found = {url: sorted(words) for url, html in pages.items()
             if (words := english_words(html)[0])}
    assert found == {}, "English on pages:\n" + "\n".join(
        f"  {url}: {', '.join(words)}" for url, words in sorted(found.items()))
    raw = {url: hits for url, html in pages.items() if (hits := RAW.findall(visible_text(html)))}
    assert raw == {}, f"raw values on pages: {raw}"


def test_the_check_catches_an_english_word():
    words, _links = english_words(
        '<div title="Delete row"><script>var x = "Hidden";</script>'
        '<p>计划编号 ZFCG-2026-0001，金额 1,500.00 元，文件 PDF</p>'
        '<input type="submit" value="保存"><span>Login Count</span></div>')
    assert words == {"Delete", "row", "Login", "Count"}



def test_a_project_past_acceptance_reads_in_chinese(site_factory):
    """The demo has no project past 受理 yet: take one there, then crawl its
    pages (项目阶段 详情 with its lots, 资费定义 with empty fees …) as the
    agency and the centre."""
    from tests.acceptance_helpers import accepted_project

    pds = site_factory("pds")
    _daili, pk, _code = accepted_project(pds, "410400-2026-97001")
    for username in ("daili", "keshi"):
        pages, broken = crawl(logged_in(pds, username))
        assert broken == []
        assert f"/project-stages/show/{pk}" in pages
        found = {url: sorted(words) for url, html in pages.items()
                 if (words := english_words(html)[0])}
        assert found == {}, f"English on pages as {username}: {found}"
        raw = {url: RAW.findall(visible_text(html)) for url, html in pages.items()}
        assert {url: hits for url, hits in raw.items() if hits} == {}
    stage = pages[f"/project-stages/show/{pk}"]
    assert "第一包 教学计算机" in stage and "1,500,000.00" in stage
