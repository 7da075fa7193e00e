"""Pure rules, no database: 统一社会信用代码 and the push decision."""
from datetime import date
from decimal import Decimal

import pytest

from app.rules import push
from app.rules.credit_code import complete, credit_code_error


@pytest.mark.parametrize("code", [
    "91350100M000100Y43",   # the example printed in GB 32100-2015
    "91110000600037341L",
    complete("11410400MB0000001"),
])
def test_valid_credit_codes(code):
    assert credit_code_error(code) is None


@pytest.mark.parametrize("code,message", [
    ("91350100M000100Y44", "校验位错误：第18位应为“3”"),
    ("91350100M000100Y4", "应为18位，当前为17位"),
    ("91350100M000100Y4IO", "应为18位"),
    ("91350100M00010OY43", "不允许的字符：O"),
    ("913501ABM000100Y43", "第3至8位应为行政区划码"),
    ("", "应为18位，当前为0位"),
])
def test_bad_credit_codes_say_what_is_wrong(code, message):
    assert message in credit_code_error(code)


MATRIX = [
    push.Threshold("市级", "货物", Decimal("500000"), date(2020, 1, 1)),
    push.Threshold("市级", "货物", Decimal("1000000"), date(2026, 1, 1)),
    push.Threshold("县级", "工程", Decimal("600000"), date(2020, 1, 1)),
]


def _decide(budget, on=date(2026, 6, 1), level="市级", category="货物", **kw):
    args = {"interconnected": True, "platform_chosen": True, **kw}
    return push.decide(MATRIX, region_level=level, category=category,
                       budget=Decimal(budget), on=on, **args)


@pytest.mark.parametrize("budget,meets", [
    ("999999.99", False),   # one fen below
    ("1000000.00", True),   # at the limit: 限额以上 includes the limit
    ("1000000.01", True),
])
def test_limit_boundary(budget, meets):
    assert _decide(budget).meets is meets


def test_rule_change_by_effective_date():
    assert _decide("600000", on=date(2025, 12, 31)).meets is True   # old 50万 limit
    assert _decide("600000", on=date(2026, 1, 1)).meets is False    # new 100万 limit


def test_no_rule_for_the_cell_means_no_push():
    decision = _decide("9000000", category="服务")
    assert not decision.meets and "无适用的市级服务类限额标准" in decision.reason


def test_not_interconnected_or_no_platform():
    assert "非互联互通" in _decide("9000000", interconnected=False).reason
    assert "未选择交易平台" in _decide("9000000", platform_chosen=False).reason


def test_reason_names_the_numbers():
    reason = _decide("1200000").reason
    assert "1,200,000.00" in reason and "1,000,000.00" in reason and "2026-01-01" in reason
