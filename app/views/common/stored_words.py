"""The values stored in Chinese (states, kinds, methods: the models' enum
columns) as the reader's language shows them.

They are the data's own values: filtered, grouped and sent by the REST API
as they are. Pages translate them only when they show them, through the
list and show formatters (formatting.formatters_for) and templates' word().
Each is written out here as a msgid so that babel extracts it;
tests/test_stored_words.py checks that every enum value of the models is
here and has its English, and so every chain's step.
"""
from flask_babel import get_locale, lazy_gettext as _

WORDS = {
    # places and organisations
    "省级": _("省级"), "市级": _("市级"), "县级": _("县级"),
    "采购单位": _("采购单位"), "代理机构": _("代理机构"), "监管部门": _("监管部门"), "交易中心": _("交易中心"),
    # plans
    "货物": _("货物"), "服务": _("服务"), "工程": _("工程"),
    "公开招标": _("公开招标"), "邀请招标": _("邀请招标"), "竞争性谈判": _("竞争性谈判"), "竞争性磋商": _("竞争性磋商"),
    "询价": _("询价"), "单一来源": _("单一来源"),
    "框架协议采购": _("框架协议采购"),
    "财政性资金": _("财政性资金"), "自筹资金": _("自筹资金"), "其他资金": _("其他资金"),
    "草稿": _("草稿"), "已备案": _("已备案"), "已撤回": _("已撤回"),
    "不推送": _("不推送"), "待推送": _("待推送"), "已推送": _("已推送"), "推送失败": _("推送失败"),
    # sync
    "推送中": _("推送中"), "死信": _("死信"), "已应用": _("已应用"), "已忽略（旧版本）": _("已忽略（旧版本）"), "未推送": _("未推送"),
    "已同步": _("已同步"),
    # approval chains
    "待单位审核": _("待单位审核"), "待监管初审": _("待监管初审"), "待监管复核": _("待监管复核"), "流程完成": _("流程完成"),
    "已退回": _("已退回"), "已通过": _("已通过"),
    "提交": _("提交"), "通过": _("通过"), "退回": _("退回"),
    "质疑成立": _("质疑成立"), "中标人放弃/拒签": _("中标人放弃/拒签"), "投诉处理决定": _("投诉处理决定"), "其他": _("其他"),
    # the chains' steps, as approval records keep them (app/workflows: steps)
    "经办岗提交": _("经办岗提交"), "经办岗重新提交": _("经办岗重新提交"), "单位内部审核": _("单位内部审核"),
    "监管初审": _("监管初审"), "监管复核": _("监管复核"), "代理机构提交": _("代理机构提交"),
    "代理机构重新提交": _("代理机构重新提交"), "中心业务科室审核": _("中心业务科室审核"),
    "申请人提交": _("申请人提交"), "申请人重新提交": _("申请人重新提交"),
    # trading projects
    "待受理审核": _("待受理审核"), "受理通过": _("受理通过"),
    "未受理": _("未受理"), "公告已发布": _("公告已发布"), "已开标": _("已开标"), "评标中": _("评标中"), "评标结束": _("评标结束"),
    "价格": _("价格"), "技术": _("技术"), "商务": _("商务"),
    "待调整": _("待调整"), "待审核": _("待审核"), "已生效": _("已生效"),
    "综合评分法": _("综合评分法"), "最低评标价法": _("最低评标价法"), "最低价成交": _("最低价成交"),
    "价格优先法": _("价格优先法"), "质量优先法": _("质量优先法"),
    # notices
    "采购公告": _("采购公告"), "变更公告": _("变更公告"), "结果公告": _("结果公告"), "结果更正公告": _("结果更正公告"),
    "终止公告": _("终止公告"), "合同公告": _("合同公告"),
    "已发布": _("已发布"),
    # the working-day calendar
    "休": _("休"), "班": _("班"), "正式": _("正式"), "暂定": _("暂定"),
    # experts and committees
    "正常": _("正常"), "暂停": _("暂停"), "注销": _("注销"),
    "采购人": _("采购人"), "投标人": _("投标人"),
    "抽取": _("抽取"), "补抽": _("补抽"), "正选": _("正选"), "备选": _("备选"),
    "待通知": _("待通知"), "参加": _("参加"), "不参加": _("不参加"), "请假": _("请假"),
    "未抽取": _("未抽取"), "已抽取": _("已抽取"),
    "抽取专家": _("抽取专家"), "备选专家": _("备选专家"), "采购人代表": _("采购人代表"),
    "在册": _("在册"), "缺席": _("缺席"), "已替换": _("已替换"),
    # supervision
    "计划备案": _("计划备案"), "进场受理": _("进场受理"), "开标": _("开标"), "评标": _("评标"), "合同备案": _("合同备案"),
    "终止": _("终止"),
}

# What the words are in each locale, built on first use there: a list page
# formats each distinct value once, but through a Flask-Babel lookup per
# lazy string. The catalogues do not change while the app runs.
_BY_LOCALE: dict[str, dict] = {}


def translated() -> dict:
    """WORDS in this request's language, as plain strings."""
    locale = str(get_locale() or "zh")
    found = _BY_LOCALE.get(locale)
    if found is None:
        found = _BY_LOCALE[locale] = {key: str(value) for key, value in WORDS.items()}
    return found


def word(value):
    """A stored value in the reader's language; anything else as it is."""
    return translated().get(value, value) if isinstance(value, str) else value
