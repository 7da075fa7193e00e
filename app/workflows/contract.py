"""合同公告及备案: 经办岗 提交 → 单位内部审核岗 通过 → 已备案.

On 通过 the 合同公告 is published and the 备案 recorded in the same
transaction (app/contract_notice.py); the region's regulators then see it in
【合同备案查询】. 退回 returns it to the 经办岗 with the opinion.

The rules (PDFs, 关联标段, amounts, the statutory clocks with their 逾期原因)
are checked at 提交 and again at 通过: another contract may have taken the
lot meanwhile, and a clock may have run out while it waited.
"""
import datetime as dt

from statemachine import State

from ..audit import record
from ..models import Contract
from .engine import Actor, Chain, OwnUnit, Refused, opinion_given

HANDLER = Actor("采购单位经办岗", OwnUnit)
UNIT_REVIEWER = Actor("单位内部审核岗", OwnUnit)


def rules_met(item=None, **kwargs):
    from .. import contracts

    if found := contracts.problems(item, dt.date.today()):
        raise Refused("；".join(found))


class ContractChain(Chain):
    key = "contract"
    title = "合同公告及备案"
    item_model = Contract
    steps = {
        "草稿": "经办岗提交",
        "已退回": "经办岗重新提交",
        "待单位审核": "单位内部审核",
    }

    draft = State("草稿", initial=True, value="草稿")
    returned = State("已退回", value="已退回")
    unit_review = State("待单位审核", value="待单位审核")
    filed = State("已备案", final=True, value="已备案")

    submit = (draft.to(unit_review, validators=[HANDLER.check, rules_met])
              | returned.to(unit_review, validators=[HANDLER.check, rules_met]))
    approve = unit_review.to(filed, validators=[UNIT_REVIEWER.check, rules_met])
    reject = unit_review.to(returned, validators=[UNIT_REVIEWER.check, opinion_given])

    def on_enter_unit_review(self, user=None):
        self._record_lateness(user, "提交逾期说明")

    def on_enter_filed(self, user=None):
        from .. import contract_notice

        now = dt.datetime.now().replace(microsecond=0)
        self.model.filed_at = now
        self._record_lateness(user, "逾期备案")
        try:
            contract_notice.publish(self.model, user, now)
        except contract_notice.Refusal as refusal:
            # Not filed without its notice: the approval is refused as a whole.
            raise Refused(str(refusal)) from None

    def _record_lateness(self, user, action):
        from .. import contracts

        if detail := contracts.late_detail(self.model, dt.date.today()):
            record(user, action, self.model, detail[:2000])
