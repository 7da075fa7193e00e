"""组建评委会: is a lot's committee lawfully composed? Pure: the procurement
method, the budget, the two flags and the sitting members in, the refusals
out, each naming its article.

- 公开招标/邀请招标: 《政府采购货物和服务招标投标管理办法》（财政部令第87号）
  第四十七条: 采购人代表和评审专家, 5人以上单数, 专家不少于三分之二; 7人以上单数
  when 预算1000万元以上, 技术复杂 or 社会影响较大.
- 竞争性谈判/询价: 《政府采购非招标采购方式管理办法》（财政部令第74号）第七条:
  3人以上单数, 专家不少于2/3.
- 竞争性磋商: 《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）
  第十四条: 3人以上单数, 专家不少于2/3.
- 单一来源 has no statutory committee (74号令第四十二条: the 采购人员 and
  相关专业人员 negotiate); 框架协议采购 (财政部令第110号) sets no size. When a
  platform still forms one for them it is held to the 74号令第七条 minimum
  (3人以上单数, 专家不少于2/3): the smallest lawful committee elsewhere.
- 评审组长: 《关于进一步规范政府采购评审工作有关问题的通知》（财库〔2012〕69号）:
  评审委员会应当推选组长，但采购人代表不得担任组长.

The budget is the project's (采购预算金额), as 87号令 counts it; a lot of a
big project therefore needs 7 as well.
"""
from decimal import Decimal, InvalidOperation

OWNER_REP = "采购人代表"
BIG_BUDGET = Decimal("10000000.00")  # 1000万元
TENDER = ("公开招标", "邀请招标")

ART_87 = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）第四十七条"
ART_74 = "《政府采购非招标采购方式管理办法》（财政部令第74号）第七条"
ART_214 = "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）第十四条"
ART_74_BY_ANALOGY = f"参照{ART_74}"
ART_CHAIR = "《关于进一步规范政府采购评审工作有关问题的通知》（财库〔2012〕69号）"

# 采购方式 → (the body's name, its basis, the smallest size)
BODY = {
    "公开招标": ("评标委员会", ART_87, 5),
    "邀请招标": ("评标委员会", ART_87, 5),
    "竞争性谈判": ("竞争性谈判小组", ART_74, 3),
    "询价": ("询价小组", ART_74, 3),
    "竞争性磋商": ("磋商小组", ART_214, 3),
    "单一来源": ("评审小组", ART_74_BY_ANALOGY, 3),
    "框架协议采购": ("评审小组", ART_74_BY_ANALOGY, 3),
}
LARGE = 7


def _get(member, name):
    return member.get(name) if isinstance(member, dict) else getattr(member, name, None)


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None
    return amount if amount is not None and amount.is_finite() else None


def large_reasons(method, budget, technically_complex, wide_impact) -> list[str]:
    """Why a tender needs 7 or more (87号令第四十七条第二款), empty otherwise."""
    if method not in TENDER:
        return []
    found = []
    amount = _amount(budget)
    if amount is not None and amount >= BIG_BUDGET:
        found.append(f"采购预算金额 {amount:,.2f} 元在1000万元以上")
    if technically_complex:
        found.append("技术复杂")
    if wide_impact:
        found.append("社会影响较大")
    return found


def minimum(method, budget=None, technically_complex=False, wide_impact=False) -> int:
    if method not in BODY:
        return 3
    if large_reasons(method, budget, technically_complex, wide_impact):
        return LARGE
    return BODY[method][2]


def body_name(method) -> str:
    return BODY.get(method, ("评审小组",))[0]


def chairs_error(members) -> str | None:
    """More than one 评审组长 (none is a committee still being formed)."""
    chairs = [m for m in members if _get(m, "is_chair")]
    if len(chairs) > 1:
        return f"评审组长只能有一人，现为 {'、'.join(_get(m, 'name') or '' for m in chairs)}"
    return None


def check(method, budget, technically_complex, wide_impact, members) -> list[str]:
    """The refusals for this committee (empty: it may start evaluating).
    `members` are the sitting members (在册), objects or dicts with
    `source`, `is_chair` and `name`."""
    members = list(members or [])
    if method not in BODY:
        return [f"采购方式“{method or '（未填写）'}”无法确定评审委员会的组成要求"]
    body, basis, smallest = BODY[method]
    found = []
    total = len(members)
    reasons = large_reasons(method, budget, technically_complex, wide_impact)
    least = LARGE if reasons else smallest
    why = f"（本项目{'、'.join(reasons)}）" if reasons else ""
    if total < least:
        found.append(f"{body}现有 {total} 人，应为{least}人以上单数{why}（{basis}）")
    elif total % 2 == 0:
        found.append(f"{body}现有 {total} 人，成员人数应为单数（{basis}）")
    experts = sum(1 for m in members if _get(m, "source") != OWNER_REP)
    if total and experts * 3 < total * 2:
        found.append(f"{body} {total} 人中评审专家 {experts} 人，评审专家不得少于成员总数的"
                     f"三分之二（{basis}）")
    chairs = [m for m in members if _get(m, "is_chair")]
    if not chairs:
        found.append(f"尚未设定评审组长：{body}应当推选组长（{ART_CHAIR}）")
    elif message := chairs_error(members):
        found.append(message)
    for chair in chairs:
        if _get(chair, "source") == OWNER_REP:
            found.append(f"{_get(chair, 'name')}是采购人代表，采购人代表不得担任评审组长"
                         f"（{ART_CHAIR}）")
    return found
