"""中标结果变更备案: 经办岗 提交 → 单位内部审核岗 → 监管初审岗 → 监管复核岗 → 流程完成.

退回 at any review step returns the filing to the 经办岗 with the opinion;
they edit it and 提交 again, and the chain starts over at 单位内部审核.
"""
import datetime as dt

from statemachine import State

from ..models import WinnerChange
from .engine import Actor, Chain, OwnUnit, Refused, RegionRegulator, opinion_given

HANDLER = Actor("采购单位经办岗", OwnUnit)
UNIT_REVIEWER = Actor("单位内部审核岗", OwnUnit)
FIRST_REVIEWER = Actor("监管初审岗", RegionRegulator)
SECOND_REVIEWER = Actor("监管复核岗", RegionRegulator)


def statement_attached(item=None, **kwargs):
    if item.statement_id is None:
        raise Refused("请先上传加盖单位公章的情况说明材料（PDF）再提交")


class WinnerChangeChain(Chain):
    key = "winner_change"
    title = "中标结果变更备案"
    item_model = WinnerChange
    steps = {
        "草稿": "经办岗提交",
        "已退回": "经办岗重新提交",
        "待单位审核": "单位内部审核",
        "待监管初审": "监管初审",
        "待监管复核": "监管复核",
    }

    draft = State("草稿", initial=True, value="草稿")
    returned = State("已退回", value="已退回")
    unit_review = State("待单位审核", value="待单位审核")
    first_review = State("待监管初审", value="待监管初审")
    second_review = State("待监管复核", value="待监管复核")
    done = State("流程完成", final=True, value="流程完成")

    submit = (draft.to(unit_review, validators=[HANDLER.check, statement_attached])
              | returned.to(unit_review, validators=[HANDLER.check, statement_attached]))
    approve = (unit_review.to(first_review, validators=UNIT_REVIEWER.check)
               | first_review.to(second_review, validators=FIRST_REVIEWER.check)
               | second_review.to(done, validators=SECOND_REVIEWER.check))
    reject = (unit_review.to(returned, validators=[UNIT_REVIEWER.check, opinion_given])
              | first_review.to(returned, validators=[FIRST_REVIEWER.check, opinion_given])
              | second_review.to(returned, validators=[SECOND_REVIEWER.check, opinion_given]))

    def on_enter_done(self):
        self.model.completed_at = dt.datetime.now()
