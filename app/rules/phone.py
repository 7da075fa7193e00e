"""联系电话 as people write them: a landline with its area code (0375-1234567,
(0375)1234567 转 8001), a mobile (13800000000), +86, or two numbers
separated by 、/，. Not a format to enforce digit by digit — units write
switchboards, extensions and several numbers — but it must be a telephone
number: only digits and those separators, at least 7 digits. "1e309" or a
name typed into the phone field is refused."""
import re

_ALLOWED = re.compile(r"[0-9０-９+＋\-－—()（）\s转/、,，;；]+")
MIN_DIGITS, MAX_DIGITS = 7, 40


def phone_error(value, label: str = "联系电话") -> str | None:
    """None for an empty or plausible number, else why not."""
    text = (value or "").strip() if isinstance(value, str) else value
    if text in (None, ""):
        return None
    if not isinstance(text, str) or not _ALLOWED.fullmatch(text):
        return f"{label}只能填写数字和 - + ( ) 转 、等分隔符，如 0375-1234567 或 13800000000"
    digits = sum(ch.isdigit() for ch in text)
    if digits < MIN_DIGITS:
        return f"{label}应至少包含{MIN_DIGITS}位数字（含区号），如 0375-1234567"
    if digits > MAX_DIGITS:
        return f"{label}的数字过多（最多{MAX_DIGITS}位），请只填写联系电话"
    return None
