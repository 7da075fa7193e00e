"""Wording a notice is generated with, after the national formats
(财办库〔2020〕50号《政府采购公告和公示信息格式规范（2020年版）》): the title
made from the project name, and the numbered list under 二、申请人的资格要求.

Pure functions: no Flask, no database.
"""
import html
import re

# 格式规范, 采购公告 二、申请人的资格要求, item 1.
ARTICLE_22 = "满足《中华人民共和国政府采购法》第二十二条规定；"

# One shared character may be chance; two make a repeated word (“采购”, “变更”).
_MIN_OVERLAP = 2


def notice_title(project_name: str, suffix: str) -> str:
    """The project name followed by the notice's type, without saying a
    word twice where they meet: “…设备采购” + “采购公告” → “…设备采购公告”."""
    name = (project_name or "").strip()
    for size in range(min(len(name), len(suffix)), _MIN_OVERLAP - 1, -1):
        if name.endswith(suffix[:size]):
            return name + suffix[size:]
    return name + suffix


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
# One item number at the very start of the text, in the styles people type,
# and how item 1 is written in that style: “1.” “1．” “1、” “1)” “1）”
# “(1)” “（1）” “一、” “(一)” “（一）”. “1.5米” is a number, not an item.
_NUMBERED = (
    (re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]"), lambda sep: "（1）"),
    (re.compile(r"^(\d{1,2})\s*([.．](?!\d)|[、)）])"), lambda sep: "1" + sep),
    (re.compile(r"^[(（]\s*([一二三四五六七八九十]{1,3})\s*[)）]"), lambda sep: "（一）"),
    (re.compile(r"^([一二三四五六七八九十]{1,3})\s*([、．])"), lambda sep: "一" + sep),
)
_TAG = re.compile(r"<[^>]*>")
_FIRST_TAG = re.compile(r"^\s*<\s*(\w+)([^>]*)>")
_OL_START = re.compile(r"""\bstart\s*=\s*["']?(\d+)""")


def _number(raw: str) -> int:
    """“3” or 一 … 九十九 as an integer (what a list of requirements reaches)."""
    if raw.isdigit():
        return int(raw)
    if "十" not in raw:
        return _CN_DIGITS.get(raw, 0)
    tens, _, units = raw.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(units, 0)


def _plain(value: str) -> str:
    return html.unescape(_TAG.sub(" ", value)).replace("\u3000", " ").strip()


def first_number(text_html: str | None) -> tuple[int, str] | None:
    """The number the user's text starts its list with, and how item 1 is
    written in the same style (“1.”, “（一）”, …); None when it is not
    numbered. A leading <ol> is numbered from its start (1 unless it says)."""
    if not text_html:
        return None
    tag = _FIRST_TAG.match(text_html)
    if tag and tag.group(1).lower() == "ol":
        start = _OL_START.search(tag.group(2))
        return (int(start.group(1)) if start else 1), "1."
    text = _plain(text_html)
    for pattern, item_one in _NUMBERED:
        match = pattern.match(text)
        if match:
            separator = match.group(2) if match.lastindex == 2 else ""
            return _number(match.group(1)), item_one(separator)
    return None


def qualification_html(user_html: str | None) -> str:
    """二、申请人的资格要求 as the notice shows it: the statutory item 1
    (第二十二条) before what the user wrote, numbered in the user's style,
    unless the user's text already numbers its list from 1 or states
    第二十二条 itself: then it is kept as it is, so no number is said twice."""
    text = (user_html or "").strip()
    found = first_number(text)
    if found is not None and found[0] <= 1:
        return text
    if "第二十二条" in _plain(text):
        return text
    item_one = found[1] if found is not None else "1."
    space = " " if item_one.endswith((".", "．")) else ""
    return f"<p>{item_one}{space}{ARTICLE_22}</p>{text}"
