"""项目监督's stored words as the reader's language shows them.

The stages, the 项目向导's states and the 预警 names are stored (and sent by
the REST API) in Chinese: they are the data's own values, filtered and
grouped on. Pages translate them only when they show them; each is written
out once here as a msgid so that babel extracts it.
"""
from flask_babel import get_locale, lazy_gettext as _

from ...rules.flags import FLAGS
from ..common.stored_words import WORDS as STORED_WORDS

_WORDS = {
    # models.SUPERVISION_STAGES, the 项目向导's states, the methods and
    # categories of the list's filters and the 看板's axis: stored values.
    **STORED_WORDS,
    # project_guide.STAGES, beyond those
    "计划备案/推送": _("计划备案/推送"), "标段推送": _("标段推送"),
    "招标文件/开评标配置": _("招标文件/开评标配置"), "质疑": _("质疑"), "专家抽取": _("专家抽取"),
    "组建评委会": _("组建评委会"), "合同公告及备案": _("合同公告及备案"),
    "中标结果变更备案": _("中标结果变更备案"),
    # project_guide.STATES
    "未开始": _("未开始"), "进行中": _("进行中"), "已完成": _("已完成"), "不适用": _("不适用"),
}

# The 项目向导's 时间线 shows AuditLog.action through gettext (app/project_guide.py);
# these actions are built from a notice type (app/notices.py, app/contract_notice.py)
# or said nowhere else, so their msgids live here.
AUDIT_ACTIONS = (
    _("发布采购公告"), _("发布变更公告"), _("发布结果公告"), _("发布结果更正公告"),
    _("发布终止公告"), _("发布合同公告"), _("起草采购公告"), _("起草变更公告"),
    _("起草结果公告"), _("起草结果更正公告"), _("起草终止公告"), _("起草合同公告"),
    _("保存公告草稿"), _("删除公告草稿"), _("上传情况说明材料"),
    _("上传合同原件"), _("上传合同文本（公开版）"),
)

# rules/flags.py is pure (no Flask): its names are restated here, keyed by id;
# tests/test_supervision_list.py checks the two agree.
FLAG_NAMES = {
    "YJ01": _("等标期不足"), "YJ02": _("招标文件提供期限不足"), "YJ03": _("结果公告逾期"),
    "YJ04": _("合同签订逾期"), "YJ05": _("合同公告逾期"), "YJ06": _("合同备案逾期"),
    "YJ07": _("合同金额与中标金额不一致"), "YJ08": _("补充合同超过10%"),
    "YJ09": _("中标金额超过预算"), "YJ10": _("多次变更公告"), "YJ11": _("开标不足三家"),
    "YJ12": _("采购人代表任评审组长"), "YJ13": _("自行选定专家或多次补抽"),
    "YJ14": _("中标结果变更"),
}
_CHINESE_FLAG_NAMES = {flag.id: flag.name for flag in FLAGS}


# What the words above are in each locale, built on first use there: a page
# of 项目监督 names some 90 of them, and each lazy string's str() is a full
# Flask-Babel lookup (most of the 预警 filter page's time at 100,000 projects,
# docs/benchmarks.md). The catalogues do not change while the app runs.
_BY_LOCALE: dict[str, tuple[dict, dict]] = {}


def _translated() -> tuple[dict, dict]:
    locale = str(get_locale() or "zh")
    found = _BY_LOCALE.get(locale)
    if found is None:
        # A flag rules/flags.py knows but FLAG_NAMES lacks keeps its Chinese name.
        found = ({key: str(value) for key, value in _WORDS.items()},
                 {**_CHINESE_FLAG_NAMES, **{key: str(value) for key, value in FLAG_NAMES.items()}})
        _BY_LOCALE[locale] = found
    return found


def translators():
    """word() and flag_name() bound to this request's locale, for a template
    that calls them per row: one locale lookup for the whole page."""
    words, flags = _translated()
    return {"word": lambda value: words.get(value, value),
            "flag_name": lambda flag_id: flags.get(flag_id, "")}


def word(value) -> str:
    """A stage or state in the reader's language; anything else as it is."""
    return translators()["word"](value)


def flag_name(flag_id: str) -> str:
    return translators()["flag_name"](flag_id)
