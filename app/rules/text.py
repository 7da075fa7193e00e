"""What a person typed: when it is blank, and characters nobody types.

A required text or reason of nothing but spaces (full-width too) or the
zero-width characters a paste brings along says nothing: “退回” with an
opinion of U+200B was a return nobody could read. Control characters and
direction overrides are invisible on a page and reorder what follows them
(“\u202e” shows “abc” as “cba”): they come from a paste, never from typing,
and are refused where a name or title is kept; a multi-line text keeps its
tabs and line breaks."""
import re

_EDGE = r"\s\u200b-\u200d\u2060\ufeff"
_BLANK = re.compile(f"[{_EDGE}]*")
_TRIM = re.compile(f"^[{_EDGE}]+|[{_EDGE}]+$")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def blank(text) -> bool:
    """None, or a text of only spaces and invisible characters."""
    return text is None or (isinstance(text, str) and _BLANK.fullmatch(text) is not None)


def trimmed(text: str) -> str:
    """`text` without spaces or invisible characters at either end."""
    return _TRIM.sub("", text)


def has_control(text) -> bool:
    return isinstance(text, str) and CONTROL.search(text) is not None


PASTED = "含有不可见的控制字符或文字方向符（如从其他软件粘贴带入），请删除后重新填写"


def pasted_error(label: str, value) -> str | None:
    """A reason or opinion typed into a page the view reads by hand (no
    form validators): NUL, which PostgreSQL refuses (a 500 where SQLite
    kept it and every later page showed it), and the other characters
    CONTROL names. Line breaks and tabs are kept."""
    return f"{label}{PASTED}" if has_control(value) else None


def unencodable(value) -> bool:
    """A string (or a key or item of a JSON value) that no database can
    store: a lone UTF-16 surrogate ("\\ud800" in JSON) fails to encode.
    Walked without recursion: a value nested ten thousand deep is legal JSON."""
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
