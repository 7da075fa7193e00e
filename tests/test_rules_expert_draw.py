"""The draw's pure rules: the generator a seed drives, the hashes, the
pool-too-small refusal and 财库〔2016〕198号第十四条's timing."""
import datetime as dt
import random

import pytest

from app.rules import expert_draw as rules
from app.rules.workdays import Calendar

SEED = "9f" * 32
# 2026 国庆: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked.
NATIONAL_DAY = Calendar(
    days_off=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
    days_worked=frozenset({dt.date(2026, 9, 20), dt.date(2026, 10, 10)}),
    official_years=frozenset({2026}))


def test_the_same_seed_picks_the_same_experts_whatever_the_pool_order():
    pool = list(range(1, 200, 3))
    first = rules.pick(pool, 5, 2, rules.rng_for(SEED))
    shuffled = pool[:]
    random.Random(1).shuffle(shuffled)
    assert rules.pick(shuffled, 5, 2, rules.rng_for(SEED)) == first
    main, spare = first
    assert len(main) == 5 and len(spare) == 2 and not set(main) & set(spare)
    assert set(main + spare) <= set(pool)
    assert rules.pick(pool, 5, 2, rules.rng_for("10" * 32)) != first


def test_the_seed_is_read_as_a_hex_integer():
    assert rules.rng_for(SEED).random() == random.Random(int(SEED, 16)).random()


def test_reserves_are_the_draws_continuation_in_order():
    # 正选 then 备选 are one sample: the first reserve is the sixth pick.
    pool = list(range(1, 51))
    main, spare = rules.pick(pool, 5, 3, rules.rng_for(SEED))
    assert main + spare == random.Random(int(SEED, 16)).sample(pool, 8)


def test_rows_share_one_generator_in_order():
    rng = rules.rng_for(SEED)
    a = rules.pick(range(1, 30), 3, 1, rng)
    b = rules.pick(range(30, 60), 3, 1, rng)
    again = rules.rng_for(SEED)
    assert rules.pick(range(1, 30), 3, 1, again) == a
    assert rules.pick(range(30, 60), 3, 1, again) == b


def test_hashes():
    assert rules.pool_hash([3, 1, 2]) == rules.pool_hash([1, 2, 3])
    import hashlib

    assert rules.pool_hash([10, 2]) == hashlib.sha256(b"2,10").hexdigest()
    assert rules.result_hash([10, 2]) == hashlib.sha256(b"10,2").hexdigest()
    assert rules.result_hash([10, 2]) != rules.result_hash([2, 10])


def test_pool_too_small_names_the_speciality_the_need_and_the_pool():
    assert rules.too_small("A0201 计算机设备", 3, 2, 3) == (
        "评审专业“A0201 计算机设备”需要 5 人（含备选 2 人），符合条件的专家只有 3 人")
    assert rules.too_small("A0201 计算机设备", 3, 2, 5) is None
    with pytest.raises(ValueError):
        rules.pick([1, 2, 3], 3, 2, rules.rng_for(SEED))


PLAIN = Calendar(official_years=frozenset({2026}))


@pytest.mark.parametrize("now, allowed", [
    (dt.datetime(2026, 12, 14, 23, 59), False),  # Monday: 3 working days before
    (dt.datetime(2026, 12, 15, 0, 0), True),     # Tuesday: the 2nd working day before
    (dt.datetime(2026, 12, 17, 9, 0), True),
])
def test_timing_two_working_days_before_the_review(now, allowed):
    review = dt.datetime(2026, 12, 17, 9, 30)  # Thursday
    refusal = rules.timing_refusal(now, review, "公开招标", False, PLAIN.is_workday)
    assert (refusal is None) == allowed
    if not allowed:
        assert "财库〔2016〕198号" in refusal and "第十四条" in refusal
        assert "2026-12-15（星期二）" in refusal


def test_timing_counts_working_days_across_a_holiday():
    review = dt.datetime(2026, 10, 8, 9, 0)  # Thursday after 国庆
    assert rules.earliest_day(review, NATIONAL_DAY.is_workday) == dt.date(2026, 9, 29)
    # Saturday 10-10 is worked (调休) and counts: Monday 10-12 may be drawn for from Friday.
    assert rules.earliest_day(dt.datetime(2026, 10, 12, 9), NATIONAL_DAY.is_workday) \
        == dt.date(2026, 10, 9)
    refusal = rules.timing_refusal(dt.datetime(2026, 9, 28, 17), review, "公开招标", False,
                                   NATIONAL_DAY.is_workday)
    assert "2026-09-29" in refusal


@pytest.mark.parametrize("method, remote, exempt", [
    ("竞争性谈判", False, "竞争性谈判"), ("竞争性磋商", False, "竞争性磋商"),
    ("公开招标", True, "异地评审"), ("询价", False, None), ("公开招标", False, None)])
def test_negotiation_consultation_and_remote_review_are_exempt(method, remote, exempt):
    review = dt.datetime(2026, 12, 31, 9)
    refusal = rules.timing_refusal(dt.datetime(2026, 12, 1, 9), review, method, remote,
                                   PLAIN.is_workday)
    assert (refusal is None) == (exempt is not None)
    note = rules.exemption(method, remote)
    assert (note is None) if exempt is None else (exempt in note)


@pytest.mark.parametrize("method, remote", [("公开招标", False), ("竞争性谈判", False),
                                            ("公开招标", True)])
def test_no_draw_once_the_review_time_has_come(method, remote):
    review = dt.datetime(2026, 12, 17, 9, 30)
    for now in (review, review + dt.timedelta(days=1)):
        refusal = rules.timing_refusal(now, review, method, remote, PLAIN.is_workday)
        assert refusal and "评审时间 2026-12-17 09:30 已到，不能再抽取专家" in refusal
    assert rules.timing_refusal(review - dt.timedelta(minutes=1), review, method, remote,
                                PLAIN.is_workday) is None
