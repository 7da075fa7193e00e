"""Atom 1.0 and RSS 2.0 feeds of a column, built with feedgen.

One entry per published notice, newest first: title, link to the detail
page, publication time (the app's naive local time, with this server's UTC
offset), a plain-text summary and the sanitised body as HTML content.
"""
import re

from feedgen.feed import FeedGenerator

from .sanitise import clean_html

FEED_SIZE = 20
# Characters XML 1.0 does not allow (lxml refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text or "")


def build(kind: str, *, site_name: str, column: str, feed_url: str, page_url: str,
          notices: list, detail_url) -> bytes:
    """`kind` "atom" or "rss"; `detail_url(notice)` gives an absolute URL."""
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(f"{site_name} - {column}")
    fg.subtitle(f"{site_name}{column}，最新{FEED_SIZE}条")  # RSS <description>
    fg.author({"name": site_name})
    fg.language("zh-CN")
    fg.generator("公共资源交易网")
    # Atom wants rel=self first-class; RSS takes the first alternate as <link>.
    fg.link(href=feed_url, rel="self")
    fg.link(href=page_url, rel="alternate")
    newest = None
    for notice in notices:
        when = notice.published_at.astimezone()  # naive local → aware
        newest = newest or when
        url = detail_url(notice)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(_xml(notice.title))
        entry.link(href=url, rel="alternate")
        entry.published(when)
        entry.updated(when)
        summary = f"项目编号：{notice.project_code or '无'}；发布时间：{when:%Y-%m-%d %H:%M}"
        entry.summary(_xml(summary))
        body = _xml(clean_html(notice.body_html))
        if body:
            entry.content(body, type="html")
    if newest is not None:
        fg.updated(newest)
        fg.lastBuildDate(newest)
    if kind == "atom":
        return fg.atom_str(pretty=False)
    return fg.rss_str(pretty=False)
