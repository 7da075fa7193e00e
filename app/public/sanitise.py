"""The one HTML sanitiser for notice bodies (nh3, i.e. Rust's ammonia).

Every body is cleaned on the way in (`notices.store_notice`, the seeder) and
again when shown (~70 µs for a typical 1.4 KB body here), so a row written some other way is
still inert. What survives: text formatting, headings, lists, tables, links
(http/https/mailto/tel and relative, with rel="noopener noreferrer nofollow"),
images (http/https and relative). Gone: scripts and their text, styles,
event handlers, `style`/`class`/`id` attributes, iframes, objects, embeds,
forms, `javascript:`/`data:`/`vbscript:` URLs.
"""
import html
import re

import nh3

TAGS = {
    "p", "br", "hr", "div", "span", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "sub", "sup", "small",
    "mark", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "center", "font",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "table": {"border", "cellpadding", "cellspacing", "summary"},
    "ol": {"start", "type"},
    "p": {"align"},
    "div": {"align"},
    "font": {"size"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Removed together with everything inside them (the rest keep their text).
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript",
                     "template", "textarea", "select", "svg", "math", "frameset",
                     "frame", "applet", "title", "head"}
_SPACE = re.compile(r"\s+")


def clean_html(html: str | None) -> str:
    """Sanitised HTML, safe to insert into a page as is."""
    if not html:
        return ""
    return nh3.clean(html, tags=TAGS, clean_content_tags=DROP_WITH_CONTENT,
                     attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def plain_text(value: str | None, limit: int | None = None) -> str:
    """Text for a title or code: whitespace collapsed, control characters out.

    Not HTML: templates and feeds escape it when they show it."""
    text = _SPACE.sub(" ", "".join(ch if ch.isprintable() or ch.isspace() else " "
                                   for ch in (value or ""))).strip()
    return text[:limit] if limit else text


# A textarea's text kept in an *_html column (合同's 其他补充事宜): the form
# shows text and the notice shows HTML, so each way converts. Cleaning the
# typed text as HTML had turned "<" into "&lt;" on the form and on the
# detail page, one more "&amp;" with every save, and lost its line breaks.
_BREAK = re.compile(r"<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</h[1-6]\s*>|</tr\s*>", re.I)


# HTML collapses ASCII blanks and a raw line break, not a no-break space or a
# 全角 space (the "　　" a Chinese paragraph is indented with).
_HTML_BLANKS = " \t\n\r\f"
NBSP = "\xa0"


def text_as_html(text: str | None) -> str:
    """Typed text as HTML that shows it as typed: escaped, a <p> per line,
    a blank line between paragraphs and a line's leading spaces kept (as
    no-break spaces, which HTML shows)."""
    lines = _inner([line.rstrip() for line in (text or "").splitlines()])
    return "".join(f"<p>{html.escape(_indent_kept(line), quote=False) or NBSP}</p>"
                   for line in lines)


def _indent_kept(line: str) -> str:
    body = line.lstrip(" \t")
    return NBSP * (len(line) - len(body)) + body


def _inner(lines: list[str]) -> list[str]:
    """The lines without the blank ones before the first and after the last."""
    kept = [n for n, line in enumerate(lines) if line]
    return lines[kept[0]:kept[-1] + 1] if kept else []


def html_as_text(value: str | None) -> str:
    """The text a textarea shows for stored HTML: a line per paragraph or
    break, tags dropped, entities read; what text_as_html made comes back
    as typed."""
    if not value:
        return ""
    flowing = re.sub(r"[\r\n]+", " ", value)  # in HTML a raw line break is a space
    stripped = nh3.clean(_BREAK.sub("\n", flowing), tags=set(),
                         clean_content_tags=DROP_WITH_CONTENT)
    lines = [line.strip(_HTML_BLANKS) for line in html.unescape(stripped).splitlines()]
    # A line HTML shows nothing of (markup's own layout) is not a line; one
    # of no-break spaces is a blank line.
    return "\n".join(_inner([line.replace(NBSP, " ").rstrip() for line in lines if line]))
