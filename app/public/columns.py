"""The website's columns (栏目): ASCII slugs for URLs, Chinese names shown.

The names are `app.models.NOTICE_COLUMNS`, in the same order.
"""
from ..models import NOTICE_COLUMNS

SLUGS = {
    "caigou": "采购公告",
    "biangeng": "变更公告",
    "jieguo": "结果公告",
    "jieguo-gengzheng": "结果更正公告",
    "zhongzhi": "终止公告",
    "hetong": "合同公告",
}
SLUG_OF = {name: slug for slug, name in SLUGS.items()}

assert tuple(SLUGS.values()) == NOTICE_COLUMNS, "columns out of step with the model"
