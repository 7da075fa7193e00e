"""The expert draw (专家抽取): who is picked, in what order, and when a draw may be made.

Auditable by construction: a draw is a pure function of the seed and the
pool. The seed is 64 hex characters from `secrets`; the generator is
Python's Mersenne Twister, `random.Random(int(seed, 16))`, and
`rng.sample(pool, count + reserves)` over the pool sorted by expert id gives
the 正选 (the first `count`) and the 备选 in their order. Rows of one draw
share one generator in row order, so recording the seed and every row's
pool is enough for 【验证】 to replay it exactly.

《政府采购评审专家管理办法》（财库〔2016〕198号）第十四条：除采用竞争性谈判、
竞争性磋商方式采购，以及异地评审的项目外，采购人或者采购代理机构抽取评审专家的
开始时间原则上不得早于评审活动开始前2个工作日。Working days come from the
maintained calendar the caller hands in as `is_workday` (app/rules/workdays.py).

Pure: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Callable, Sequence

TIMING_BASIS = "《政府采购评审专家管理办法》（财库〔2016〕198号）第十四条"
WORKDAYS_BEFORE = 2
# Methods whose experts may be drawn at any time (第十四条's own exceptions).
EXEMPT_METHODS = ("竞争性谈判", "竞争性磋商")
WEEKDAYS = "一二三四五六日"


def rng_for(seed: str) -> random.Random:
    """The generator a recorded seed (hex) drives."""
    return random.Random(int(seed, 16))


def pick(pool_ids: Sequence[int], count: int, reserves: int,
         rng: random.Random) -> tuple[list[int], list[int]]:
    """(正选, 备选 in order) from the pool; the pool is sorted here so that
    the result depends only on its members and the generator's state."""
    ordered = sorted(pool_ids)
    total = count + reserves
    if total > len(ordered):
        raise ValueError(f"pool of {len(ordered)} cannot give {total}")
    chosen = rng.sample(ordered, total)
    return chosen[:count], chosen[count:]


def pool_hash(ids) -> str:
    """sha256 over the comma-joined ids, sorted ascending."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


def result_hash(ids_in_order) -> str:
    """sha256 over the drawn ids as drawn (row by row, 正选 then 备选)."""
    return hashlib.sha256(",".join(str(i) for i in ids_in_order).encode()).hexdigest()


def too_small(speciality: str, count: int, reserves: int, eligible: int) -> str | None:
    """The refusal for a row whose pool cannot give its 人数 and 备选人数."""
    need = count + reserves
    if eligible >= need:
        return None
    return (f"评审专业“{speciality}”需要 {need} 人（含备选 {reserves} 人），"
            f"符合条件的专家只有 {eligible} 人")


def earliest_day(review_at, is_workday: Callable[[dt.date], bool]) -> dt.date:
    """The first day a draw may be made: the 2nd working day before the
    review's day (the review's own day is not counted)."""
    day = review_at.date() if isinstance(review_at, dt.datetime) else review_at
    remaining = WORKDAYS_BEFORE
    while remaining:
        day -= dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def exemption(method: str | None, remote_review: bool) -> str | None:
    """Which of 第十四条's exceptions applies, if any."""
    if method in EXEMPT_METHODS:
        return f"{method}项目不受抽取时间限制（{TIMING_BASIS}）"
    if remote_review:
        return f"异地评审项目不受抽取时间限制（{TIMING_BASIS}）"
    return None


def timing_refusal(now: dt.datetime, review_at: dt.datetime, method: str | None,
                   remote_review: bool, is_workday: Callable[[dt.date], bool]) -> str | None:
    """None when a draw may be made now; else why not and from which day."""
    if now >= review_at:
        # Experts are drawn for a review still to come; afterwards the result
        # would be open to everyone the moment it was drawn.
        return (f"评审时间 {review_at:%Y-%m-%d %H:%M} 已到，不能再抽取专家；"
                "如需评审，请修改评审时间后重新提交申请")
    if exemption(method, remote_review):
        return None
    first = earliest_day(review_at, is_workday)
    if now.date() >= first:
        return None
    return (f"评审时间为 {review_at:%Y-%m-%d %H:%M}，抽取评审专家不得早于评审活动开始前"
            f"{WORKDAYS_BEFORE}个工作日（{TIMING_BASIS}），最早可于 "
            f"{first:%Y-%m-%d}（星期{WEEKDAYS[first.weekday()]}）抽取；"
            "竞争性谈判、竞争性磋商和异地评审项目除外")
