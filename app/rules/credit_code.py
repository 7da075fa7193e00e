"""统一社会信用代码 (GB 32100-2015) check character."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, no I O S V Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None when valid, else a Chinese message saying what is wrong."""
    code = (code or "").strip()
    if len(code) != 18:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return "统一社会信用代码含有不允许的字符：" + "、".join(bad)
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位应为行政区划码（数字）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
    return None


def complete(first17: str) -> str:
    """Append the check character (used to make demo and test data)."""
    return first17 + check_character(first17)
