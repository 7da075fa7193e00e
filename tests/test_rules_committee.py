"""组建评委会 composition rules (app/rules/committee.py), each at its boundary
for each 采购方式. Pure: no site, no database."""
from decimal import Decimal

import pytest

from app.rules import committee as rules

ART_87 = "财政部令第87号）第四十七条"
ART_74 = "财政部令第74号）第七条"
ART_214 = "财库〔2014〕214号）第十四条"
ART_CHAIR = "财库〔2012〕69号"
SMALL = Decimal("1000000.00")


def committee(size, owner_reps=0, chair=0):
    """`size` members, the last `owner_reps` of them 采购人代表; member
    number `chair` (0: the first) is the 评审组长, None: nobody is."""
    members = [{"name": f"专家{i + 1}", "source": "抽取专家", "is_chair": False}
               for i in range(size - owner_reps)]
    members += [{"name": f"代表{i + 1}", "source": "采购人代表", "is_chair": False}
                for i in range(owner_reps)]
    if chair is not None and members:
        members[chair]["is_chair"] = True
    return members


def check(method, size, budget=SMALL, complex_=False, wide=False, **kwargs):
    return rules.check(method, budget, complex_, wide, committee(size, **kwargs))


# (method, smallest lawful size, the article cited)
METHODS = [("公开招标", 5, ART_87), ("邀请招标", 5, ART_87), ("竞争性谈判", 3, ART_74),
           ("询价", 3, ART_74), ("竞争性磋商", 3, ART_214),
           ("单一来源", 3, ART_74), ("框架协议采购", 3, ART_74)]


@pytest.mark.parametrize("method,least,article", METHODS)
def test_size_at_its_boundary(method, least, article):
    too_few = check(method, least - 1)
    assert len(too_few) == 1
    assert f"现有 {least - 1} 人，应为{least}人以上单数" in too_few[0] and article in too_few[0]
    assert check(method, least) == []
    even = check(method, least + 1)
    assert len(even) == 1 and "成员人数应为单数" in even[0] and article in even[0]
    assert check(method, least + 2) == []


@pytest.mark.parametrize("method,least,article", METHODS)
def test_experts_at_least_two_thirds(method, least, article):
    # 3 members: 1 采购人代表 is 2/3 experts exactly; 5: 1 is fine, 2 is 3/5 < 2/3.
    assert check(method, 3 if least == 3 else 5, owner_reps=1) == []
    if least == 3:
        refused = check(method, 3, owner_reps=2)
        assert any("评审专家 1 人" in r and article in r for r in refused)
    assert check(method, 9, owner_reps=3) == []  # 6 of 9: exactly 2/3
    refused = check(method, 7, owner_reps=3)  # 4 of 7
    assert refused == [f"{rules.body_name(method)} 7 人中评审专家 4 人，评审专家不得少于成员总数"
                       f"的三分之二（{refused[0].split('（', 1)[1]}"]
    assert article in refused[0]


@pytest.mark.parametrize("method", ["公开招标", "邀请招标"])
@pytest.mark.parametrize("budget,complex_,wide,least", [
    (Decimal("9999999.99"), False, False, 5),
    (Decimal("10000000.00"), False, False, 7),
    (SMALL, True, False, 7),
    (SMALL, False, True, 7),
])
def test_seven_for_a_big_complex_or_wide_tender(method, budget, complex_, wide, least):
    five = check(method, 5, budget=budget, complex_=complex_, wide=wide)
    if least == 5:
        assert five == []
    else:
        assert len(five) == 1 and "应为7人以上单数" in five[0] and ART_87 in five[0]
        assert "本项目" in five[0]
        assert check(method, 6, budget=budget, complex_=complex_, wide=wide) != []
    assert check(method, 7, budget=budget, complex_=complex_, wide=wide) == []


@pytest.mark.parametrize("method,least,article", METHODS[2:])
def test_the_seven_rule_is_for_tenders_only(method, least, article):
    assert check(method, 3, budget=Decimal("50000000.00"), complex_=True, wide=True) == []


@pytest.mark.parametrize("method,least,article", METHODS)
def test_owner_rep_may_not_chair(method, least, article):
    refused = check(method, least, owner_reps=1, chair=least - 1)
    assert refused == [f"代表1是采购人代表，采购人代表不得担任评审组长"
                       f"（{rules.ART_CHAIR}）"]
    assert ART_CHAIR in refused[0]


@pytest.mark.parametrize("method,least,article", METHODS)
def test_exactly_one_chair(method, least, article):
    none = check(method, least, chair=None)
    assert len(none) == 1 and "尚未设定评审组长" in none[0] and ART_CHAIR in none[0]
    two = committee(least)
    two[1]["is_chair"] = True
    refused = rules.check(method, SMALL, False, False, two)
    assert refused == ["评审组长只能有一人，现为 专家1、专家2"]


def test_members_may_be_objects_and_nothing_is_a_committee():
    from types import SimpleNamespace

    members = [SimpleNamespace(name=f"专家{i}", source="抽取专家", is_chair=i == 0)
               for i in range(5)]
    assert rules.check("公开招标", "1500000.00", False, False, members) == []
    empty = rules.check("公开招标", None, False, False, [])
    assert "现有 0 人" in empty[0] and "尚未设定评审组长" in empty[1]
    assert rules.check(None, None, False, False, members) == [
        "采购方式“（未填写）”无法确定评审委员会的组成要求"]
