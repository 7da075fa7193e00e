"""居民身份证号码 (GB 11643-1999) and mobile numbers of the expert library."""
import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"  # indexed by the weighted sum mod 11 (ISO 7064 MOD 11-2)
MOBILE = re.compile(r"1[3-9]\d{9}")


def check_digit(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def normalise_id_number(value) -> str:
    # A lower-case x is the same check character; people type both.
    return str(value or "").strip().upper()


def id_number_error(value) -> str | None:
    """None when valid, else a Chinese message saying what is wrong."""
    code = normalise_id_number(value)
    if not code:
        return "身份证号不能为空"
    if len(code) != 18:
        return f"身份证号应为18位（GB 11643），当前为{len(code)}位"
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        return "身份证号前17位应为数字，第18位为数字或X"
    try:
        born = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return f"身份证号第7至14位“{code[6:14]}”不是有效的出生日期"
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        return f"身份证号中的出生日期“{born.isoformat()}”不在合理范围内"
    expected = check_digit(code[:17])
    if code[17] != expected:
        return f"身份证号校验位错误（GB 11643）：第18位应为“{expected}”，实际为“{code[17]}”"
    return None


def mobile_error(value) -> str | None:
    number = str(value or "").strip()
    if not number:
        return "手机号码不能为空"
    if not MOBILE.fullmatch(number):
        return f"手机号码“{number[:20]}”无效：应为以13至19开头的11位数字"
    return None


def complete_id_number(first17: str) -> str:
    """Append the check digit (demo and test data, never real people)."""
    return first17 + check_digit(first17)
